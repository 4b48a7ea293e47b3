import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StagedFile } from '../head/head.js';
import { oldestUpTo } from './signal-store.js';

function staged(firstSeq: number, rows: number): StagedFile {
  return {
    path: `/staging/${firstSeq}.parquet`,
    rows,
    firstSeq,
    lastSeq: firstSeq,
    minStartNs: 0n,
    maxStartNs: 0n,
    traceIds: new Uint8Array(rows * 16),
    startNs: new BigInt64Array(rows),
    columns: [],
    layout: undefined,
    services: new Set(),
  };
}

describe('oldestUpTo', () => {
  it('takes the oldest staged files up to the row bound, in seq order', () => {
    const files = [staged(1, 400), staged(2, 400), staged(3, 400)];
    assert.deepEqual(oldestUpTo(files, 1000).map((f) => f.firstSeq), [1, 2]);
  });

  it('takes one file even when it alone is over the bound', () => {
    assert.deepEqual(oldestUpTo([staged(1, 5000), staged(2, 10)], 1000).map((f) => f.firstSeq), [1]);
  });

  it('takes nothing from an empty head', () => {
    assert.deepEqual(oldestUpTo([], 1000), []);
  });
});
