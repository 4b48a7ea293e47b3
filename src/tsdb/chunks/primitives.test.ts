import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BitReader, BitWriter } from './bits.js';
import { Buckets } from './buckets.js';
import { rng } from './chunk-test-helpers.js';
import { decimalDigits, fromDecimal, smallestDecimals, valueFormatFor, XOR_MODE } from './decimal.js';
import { readSigned, signedWidth, unsignedWidth, writeSigned } from './fixed-width.js';

describe('bit streams', () => {
  it('reads back every field written, for widths 1..64, signed and unsigned', () => {
    const rand = rng(1);
    const w = new BitWriter(1);
    const fields: { n: number; value: number; signed: boolean }[] = [];
    for (let i = 0; i < 5000; i++) {
      const n = 1 + Math.floor(rand() * 64);
      const signed = n > 32 || rand() < 0.5;
      const magnitude = Math.floor(rand() * 2 ** Math.min(n - 1, 52));
      const value = signed ? (rand() < 0.5 ? -magnitude - 1 : magnitude) : Math.floor(rand() * 2 ** n);
      fields.push({ n, value, signed });
      if (signed) w.writeSigned(value, n);
      else w.writeBits(value, n);
    }
    const out = new Uint8Array(w.byteLength);
    w.copyTo(out, 0);
    const r = new BitReader(out, 0, out.length);
    for (const f of fields) assert.equal(f.signed ? r.readSigned(f.n) : r.readBits(f.n), f.value, `${f.n} bits`);
  });

  it('forgets the bits after a truncate, so what is written next reads back cleanly', () => {
    const w = new BitWriter(2);
    w.writeBits(0b101, 3);
    w.writeBits(0xffff, 16);
    w.truncate(3);
    w.writeBits(0, 13);
    const out = new Uint8Array(w.byteLength);
    w.copyTo(out, 0);
    assert.deepEqual([...out], [0b10100000, 0]);
  });

  it('throws instead of reading past the end', () => {
    const r = new BitReader(new Uint8Array([0xff, 0xff]), 0, 1);
    assert.equal(r.readBits(7), 127);
    assert.throws(() => r.readUnary(5), /chunks: varbit stream ends at bit 8/);
    assert.throws(() => new BitReader(new Uint8Array(4), 0, 3).readBits(32), /stream ends at bit 24, needed 32 more from bit 0/);
  });
});

describe('bucket codes', () => {
  it('round-trips every integer across the bucket boundaries, the 64-bit bucket and the escape', () => {
    const buckets = new Buckets([0, 1, 3, 6, 10, 16, 24, 64], true);
    const xs = [...Array.from({ length: 2001 }, (_, i) => i - 1000), 2 ** 23, -(2 ** 23) - 37, 2 ** 40, -(2 ** 52), 2 ** 53 - 1];
    const w = new BitWriter();
    for (const x of xs) buckets.write(w, x);
    buckets.writeEscape(w);
    const out = new Uint8Array(w.byteLength);
    w.copyTo(out, 0);
    const r = new BitReader(out, 0, out.length);
    for (const x of xs) assert.equal(buckets.read(r), x);
    assert.ok(Number.isNaN(buckets.read(r)), 'the escape reads as NaN');
  });

  it('spends the documented number of bits on small values', () => {
    const grid = new Buckets([0, 1, 3, 6, 10, 16, 24, 64], false);
    const sizes = [0, 1, -1, 2, 5, 6, 37, 38].map((x) => {
      const w = new BitWriter();
      grid.write(w, x);
      return w.bitLength;
    });
    assert.deepEqual(sizes, [1, 3, 3, 6, 6, 10, 10, 15]);
  });
});

describe('fixed-width fields', () => {
  it('round-trips signed integers at the width they need', () => {
    const buf = new Uint8Array(8);
    for (const r of [0, 1, -1, 127, -128, 128, -129, 2 ** 31, -(2 ** 31) - 1, 2 ** 47, -(2 ** 52), 2 ** 53 - 1, -(2 ** 53) + 1]) {
      const w = signedWidth(r);
      writeSigned(buf, 0, r, w);
      assert.equal(readSigned(buf, 0, w), r, `${r} in ${w} bytes`);
    }
    assert.equal(unsignedWidth(0, 0), 0);
    assert.equal(unsignedWidth(1, 0), 5);
    assert.equal(unsignedWidth(0, 0x10000), 3);
  });
});

describe('decimal values', () => {
  it('finds the fewest decimals that give the value back bit for bit', () => {
    assert.equal(smallestDecimals(12345), 0);
    assert.equal(smallestDecimals(1234.56), 2);
    assert.equal(smallestDecimals(0.000123456), 9);
    assert.equal(smallestDecimals(0.1 + 0.2), -1);
    assert.equal(smallestDecimals(2 ** 51), -1);
    for (const special of [NaN, Infinity, -Infinity, -0]) assert.equal(smallestDecimals(special), -1);
    const rand = rng(2);
    for (let i = 0; i < 10000; i++) {
      const k = Math.floor(rand() * 16);
      const v = Math.round((rand() - 0.5) * 1e6 * 10 ** Math.min(k, 9)) / 10 ** k;
      const found = smallestDecimals(v);
      assert.ok(found >= 0 && found <= k, `${v}`);
      assert.equal(fromDecimal(decimalDigits(v, found), found), v);
    }
  });

  it('chooses the value format that holds a whole chunk', () => {
    assert.deepEqual(valueFormatFor([1024, 3072, 1 << 20]), { mode: 0, shift: 10 });
    assert.deepEqual(valueFormatFor([1.5, 2.25]), { mode: 2, shift: 0 });
    assert.deepEqual(valueFormatFor([0, 0]), { mode: 0, shift: 31 });
    assert.deepEqual(valueFormatFor([NaN]), { mode: XOR_MODE, shift: 0 });
    assert.deepEqual(valueFormatFor([1, 2, 3, 4, 5, 6, 7, 8, NaN]), { mode: 0, shift: 0 }, 'one escape in 9 values');
    assert.deepEqual(valueFormatFor([0.1 + 0.2]), { mode: XOR_MODE, shift: 0 });
    assert.deepEqual(valueFormatFor([2 ** 41, 0.001]), { mode: XOR_MODE, shift: 0 }, '2^41 · 10^3 passes 2^50');
  });
});
