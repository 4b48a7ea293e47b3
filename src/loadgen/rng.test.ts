import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('repeats the same stream for the same seed and another for another seed', () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const c = new Rng(124);
    const fromA = Array.from({ length: 100 }, () => a.nextU32());
    assert.deepEqual(fromA, Array.from({ length: 100 }, () => b.nextU32()));
    assert.notDeepEqual(fromA, Array.from({ length: 100 }, () => c.nextU32()));
  });

  it('keeps int(lo, hi) within both ends and reaches each of them', () => {
    const rng = new Rng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const x = rng.int(-2, 3);
      assert.ok(Number.isInteger(x) && x >= -2 && x <= 3);
      seen.add(x);
    }
    assert.deepEqual([...seen].sort((p, q) => p - q), [-2, -1, 0, 1, 2, 3]);
  });

  it('draws floats in [0, 1) with a mean near one half', () => {
    const rng = new Rng(2);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = rng.float();
      assert.ok(x >= 0 && x < 1);
      sum += x;
    }
    assert.ok(Math.abs(sum / 100_000 - 0.5) < 0.01);
  });

  it('centres logNormal on its median', () => {
    const rng = new Rng(3);
    const xs = Array.from({ length: 20_001 }, () => rng.logNormal(5, 1)).sort((p, q) => p - q);
    assert.ok(Math.abs(xs[10_000]! - 5) < 0.25, `median ${xs[10_000]}`);
  });

  it('fills exactly the requested byte range', () => {
    const rng = new Rng(4);
    const buf = new Uint8Array(32);
    rng.fillBytes(buf, 5, 11);
    assert.ok(buf.subarray(0, 5).every((b) => b === 0));
    assert.ok(buf.subarray(16).every((b) => b === 0));
    assert.ok(buf.subarray(5, 16).some((b) => b !== 0));
  });

  it('formats version 4 UUIDs', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 100; i++) assert.match(rng.uuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
