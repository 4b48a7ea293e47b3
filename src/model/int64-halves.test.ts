import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { int64Halves, setInt64Halves, setInt64OfSecondsNanos, setSafeInt64, subtractInt64Halves } from './int64-halves.js';

describe('int64 halves', () => {
  it('write safe integers exactly, negative ones too', () => {
    const values = [0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53 - 1), 123456789012345, -987654321098];
    for (let k = 0; k < 1000; k++) values.push(Math.round((Math.random() * 2 - 1) * 2 ** (1 + Math.random() * 52)));
    const int = new BigInt64Array(values.length);
    const halves = int64Halves(int);
    values.forEach((v, i) => setSafeInt64(int, halves, i, v));
    assert.deepEqual([...int], values.map((v) => BigInt(v)));
  });

  it('write seconds and nanoseconds as nanoseconds, before 1970 too, wrapping beyond int64 as a BigInt64Array does', () => {
    const times: [number, number][] = [[0, 0], [0, 999_999_999], [-1, 500_000_000], [1763510400, 237_000], [253402300799, 999_999_999], [-62135596800, 1], [2 ** 33 + 7, 123]];
    for (let k = 0; k < 1000; k++) times.push([Math.floor((Math.random() * 2 - 1) * 2.6e11), Math.floor(Math.random() * 1e9)]);
    const int = new BigInt64Array(times.length);
    const halves = int64Halves(int);
    times.forEach(([s, n], i) => setInt64OfSecondsNanos(int, halves, i, s, n));
    assert.deepEqual([...int], times.map(([s, n]) => BigInt.asIntN(64, BigInt(s) * 1_000_000_000n + BigInt(n))));
  });

  it('write an int64 from its 32-bit halves, and subtract int64s by their halves wrapping as bigints do', () => {
    const values = [0n, 1n, -1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, -(2n ** 32n), 2n ** 63n - 1n, -(2n ** 63n), 1763510400000000000n];
    for (let k = 0; k < 1000; k++) values.push(BigInt.asIntN(64, BigInt(Math.floor(Math.random() * 2 ** 32)) * 2n ** 32n + BigInt(Math.floor(Math.random() * 2 ** 32))));
    const a = new BigInt64Array(values.length);
    const aHalves = int64Halves(a);
    values.forEach((v, i) => setInt64Halves(aHalves, i, Number(BigInt.asUintN(32, v)), Number(BigInt.asIntN(32, v >> 32n))));
    assert.deepEqual([...a], values);
    const b = a.slice().reverse();
    const difference = new BigInt64Array(values.length + 2);
    subtractInt64Halves(int64Halves(difference), 2, aHalves, int64Halves(b), values.length);
    assert.deepEqual([...difference.subarray(2)], values.map((v, i) => BigInt.asIntN(64, v - b[i]!)));
  });
});
