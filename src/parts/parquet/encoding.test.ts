import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bitWidthFor, encodeDefinitionLevels, encodeHybrid, hybridMaxBytes, plainBooleans, plainFixedWidth } from './encoding.js';
import { seededRandom } from './testing.js';

/** Reference decoder of the RLE/bit-packed hybrid, written from the spec. */
function decodeHybrid(bytes: Uint8Array, bitWidth: number, count: number): number[] {
  const values: number[] = [];
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
    }
  };
  while (values.length < count) {
    assert.ok(pos < bytes.length, `stream ends after ${values.length} of ${count} values`);
    const header = varint();
    if (header % 2 === 0) {
      let value = 0;
      for (let b = 0; b < Math.ceil(bitWidth / 8); b++) value += bytes[pos++]! * 2 ** (8 * b);
      for (let k = 0; k < header / 2; k++) values.push(value);
    } else {
      const n = ((header - 1) / 2) * 8;
      for (let k = 0; k < n; k++) {
        let value = 0;
        for (let bit = 0; bit < bitWidth; bit++) {
          const at = k * bitWidth + bit;
          value |= ((bytes[pos + (at >> 3)]! >> (at & 7)) & 1) << bit;
        }
        values.push(value);
      }
      pos += (n * bitWidth) / 8;
    }
  }
  assert.equal(pos, bytes.length, 'no bytes after the last run');
  return values.slice(0, count);
}

function encode(values: Uint32Array, bitWidth: number): Uint8Array {
  const out = new Uint8Array(hybridMaxBytes(values.length, bitWidth));
  return out.subarray(0, encodeHybrid(values, 0, values.length, bitWidth, out, 0));
}

describe('encodeHybrid', () => {
  it('writes one RLE run for a constant sequence', () => {
    assert.deepEqual([...encode(new Uint32Array(1000).fill(1), 1)], [0xd0, 0x0f, 0x01]); // varint(2000), value 1
  });

  it('bit-packs short sequences, LSB first, padding the last group', () => {
    assert.deepEqual([...encode(Uint32Array.of(1, 0, 1, 1, 0), 1)], [0x03, 0b01101]);
    assert.deepEqual([...encode(Uint32Array.of(1, 2, 3), 2)], [0x03, 0b111001, 0x00]);
  });

  it('round-trips random sequences of every bit width, run shape and offset', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 400; trial++) {
      const bitWidth = 1 + Math.floor(random() * 24);
      const length = Math.floor(random() * 300);
      const values = new Uint32Array(length);
      const distinct = 1 + Math.floor(random() * 6);
      const palette = Array.from({ length: distinct }, () => Math.floor(random() * 2 ** bitWidth));
      for (let i = 0; i < length; ) {
        const run = random() < 0.3 ? 1 + Math.floor(random() * 40) : 1;
        const value = palette[Math.floor(random() * distinct)]!;
        for (let k = 0; k < run && i < length; k++) values[i++] = value;
      }
      const start = Math.floor(random() * (length + 1));
      const out = new Uint8Array(3 + hybridMaxBytes(length - start, bitWidth));
      const end = encodeHybrid(values, start, length, bitWidth, out, 3);
      assert.deepEqual(decodeHybrid(out.subarray(3, end), bitWidth, length - start), [...values.subarray(start)], `trial ${trial}`);
    }
  });

  it('writes values in short runs as RLE runs only where that is smaller than packing them', () => {
    // width 7: a run of 2-3 as one header byte and one value byte (16 bits) against 14-21 bits packed
    const runs = Uint32Array.of(5, 5, 90, 90, 90, 17, 17, 5, 5, 5);
    assert.deepEqual([...encode(runs, 7)], [4, 5, 6, 90, 4, 17, 6, 5]);
    // width 2: packing (2 bits a value) stays smaller than a run of 3 (16 bits)
    const narrow = Uint32Array.of(1, 1, 1, 2, 2, 2, 3, 3);
    assert.deepEqual([...encode(narrow, 2)], [0x03, 0b10010101, 0b11111010]);
  });

  it('rejects bit widths it cannot pack', () => {
    assert.throws(() => encodeHybrid(new Uint32Array(1), 0, 1, 25, new Uint8Array(64), 0), /parquet: hybrid bit width 25 outside 1..24/);
  });
});

describe('encodeDefinitionLevels', () => {
  it('prefixes the byte length and round-trips random null masks of every shape', () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 300; trial++) {
      const length = Math.floor(random() * 200);
      const nullRate = [0, 0.02, 0.5, 0.98, 1][trial % 5]!;
      const nulls = new Uint8Array(length);
      for (let i = 0; i < length; ) {
        const run = 1 + Math.floor(random() * (random() < 0.3 ? 40 : 3));
        const value = random() < nullRate ? 1 + Math.floor(random() * 3) : 0; // any non-zero means null
        for (let k = 0; k < run && i < length; k++) nulls[i++] = value;
      }
      const start = Math.floor(random() * (length + 1));
      const encoded = encodeDefinitionLevels(nulls, start, length);
      const byteLength = new DataView(encoded.buffer, encoded.byteOffset).getUint32(0, true);
      assert.equal(byteLength, encoded.length - 4);
      const levels = [...nulls.subarray(start)].map((n) => (n === 0 ? 1 : 0));
      assert.deepEqual(decodeHybrid(encoded.subarray(4), 1, length - start), levels, `trial ${trial}`);
    }
  });

  it('round-trips masks of 0 and 1 marks, mixed within 8 rows and in long stretches of nulls, read a word at a time, as the row-by-row levels', () => {
    const random = seededRandom(12);
    for (let trial = 0; trial < 300; trial++) {
      const length = 8 + Math.floor(random() * 300);
      const nulls = new Uint8Array(length);
      for (let i = 0; i < length; ) {
        // a sparse column: stretches of 8-120 nulls between single values or short mixes
        const stretch = random() < [0, 0.3, 0.7][trial % 3]! ? 8 + Math.floor(random() * 113) : 1;
        for (let k = 0; k < stretch && i < length; k++) nulls[i++] = stretch > 1 || random() < 0.5 ? 1 : 0;
      }
      // starts on a word (the mask read as 32-bit words) and off one (row by row)
      const start = 4 * Math.floor(random() * (length >>> 3)) + (trial % 4 === 3 ? 1 : 0);
      const encoded = encodeDefinitionLevels(nulls, start, length);
      const levels = [...nulls.subarray(start)].map((n) => (n === 0 ? 1 : 0));
      assert.deepEqual(decodeHybrid(encoded.subarray(4), 1, length - start), levels, `trial ${trial}`);
    }
  });

  it('writes a column without nulls as one RLE run', () => {
    assert.deepEqual([...encodeDefinitionLevels(new Uint8Array(64), 0, 64)], [3, 0, 0, 0, 0x80, 0x01, 0x01]);
  });

  it('writes a page the caller says is all present or all null as one RLE run of any length', () => {
    // 13 rows: varint 26, value 1 (present) or 0 (null)
    assert.deepEqual([...encodeDefinitionLevels(new Uint8Array(20), 7, 20, 13)], [2, 0, 0, 0, 26, 1]);
    assert.deepEqual([...encodeDefinitionLevels(new Uint8Array(20).fill(1), 7, 20, 0)], [2, 0, 0, 0, 26, 0]);
    // 1000 rows: a two-byte varint
    const all = encodeDefinitionLevels(new Uint8Array(1000), 0, 1000, 1000);
    assert.deepEqual(decodeHybrid(all.subarray(4), 1, 1000), new Array<number>(1000).fill(1));
  });
});

describe('bitWidthFor', () => {
  it('gives the fewest bits for the largest value, never 0', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 255, 256, 2 ** 20].map(bitWidthFor), [1, 1, 2, 2, 3, 8, 9, 21]);
  });
});

describe('PLAIN', () => {
  it('packs non-null booleans one bit each, LSB first', () => {
    const values = Uint8Array.of(1, 1, 0, 1, 0, 0, 0, 1, 1, 5);
    const nulls = Uint8Array.of(0, 1, 0, 0, 0, 0, 0, 0, 0, 0);
    assert.deepEqual([...plainBooleans(values, 0, 10, nulls, 9)], [0b11000101, 0b1]);
  });

  it('returns a view for a range without nulls and compacts present values otherwise', () => {
    const doubles = Float64Array.of(1, -0, NaN, 4);
    const bytes = new Uint8Array(doubles.buffer);
    const view = plainFixedWidth(bytes, 8, 1, 3, undefined, 2);
    assert.equal(view.buffer, doubles.buffer);
    assert.deepEqual([...new Float64Array(view.slice().buffer)], [-0, NaN]);
    const compacted = plainFixedWidth(bytes, 8, 0, 4, Uint8Array.of(0, 1, 0, 1), 2);
    assert.deepEqual([...new Float64Array(compacted.buffer)], [1, NaN]);
  });

  it('compacts unaligned fixed-width bytes too', () => {
    const backing = new Uint8Array(1 + 3 * 8);
    const bytes = backing.subarray(1);
    bytes.forEach((_, i) => (bytes[i] = i));
    const compacted = plainFixedWidth(bytes, 8, 0, 3, Uint8Array.of(1, 0, 0), 2);
    assert.deepEqual([...compacted], [...bytes.subarray(8)]);
  });
});
