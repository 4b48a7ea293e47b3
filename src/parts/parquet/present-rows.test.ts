import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { collectPresentRows } from './present-rows.js';

/** The rows of [start, end) with a value, read a mask byte at a time. */
function reference(nulls: Uint8Array, start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i++) if (nulls[i] === 0) out.push(i - start);
  return out;
}

describe('collectPresentRows', () => {
  it('lists the rows with a value as a byte-by-byte read does, at every alignment of the mask', () => {
    let seed = 7;
    const random = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (const share of [0, 0.02, 0.3, 0.5, 1]) {
      for (let at = 0; at < 4; at++) {
        const buffer = new Uint8Array(at + 203);
        const nulls = buffer.subarray(at);
        for (let i = 0; i < nulls.length; i++) nulls[i] = random() < share ? 0 : 1;
        for (const [start, end] of [[0, nulls.length], [3, 150], [5, 6], [9, 9]] as const) {
          const expected = reference(nulls, start, end);
          const out = new Int32Array(end - start);
          const count = collectPresentRows(nulls, start, end, end - start, out);
          assert.deepEqual(Array.from(out.subarray(0, count)), expected, `share ${share}, offset ${at}, rows [${start}, ${end})`);
        }
      }
    }
  });

  it('gives up with -1 where there may be more rows with a value than asked for', () => {
    const nulls = new Uint8Array(64);
    assert.equal(collectPresentRows(nulls, 0, 64, 10, new Int32Array(10)), -1);
    nulls.fill(1);
    nulls[5] = 0;
    nulls[40] = 0;
    const out = new Int32Array(64);
    assert.equal(collectPresentRows(nulls, 0, 64, 64, out), 2);
    assert.deepEqual(Array.from(out.subarray(0, 2)), [5, 40]);
  });
});
