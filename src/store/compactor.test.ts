import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PartInfo } from '../parts/catalog.js';
import { COMPACT_MAX_ROWS, pickMerge } from './compactor.js';

function part(id: string, rows: number, createdAtMs: number, level = 0, day = '2025-01-01'): PartInfo {
  return {
    id,
    path: `parts/traces/date=${day}/${id}.parquet`,
    traceIndexPath: `parts/traces/date=${day}/${id}.tidx`,
    rows,
    bytes: rows * 35,
    minStartNs: '0',
    maxStartNs: '1',
    day,
    level,
    createdAtMs,
    columns: [],
    services: [],
  };
}

describe('pickMerge', () => {
  it('merges four small parts of one day and level, oldest first', () => {
    const parts = [part('d', 1000, 4), part('a', 1000, 1), part('c', 1000, 3), part('b', 1000, 2)];
    assert.deepEqual(pickMerge(parts)?.map((p) => p.id), ['a', 'b', 'c', 'd']);
  });

  it('leaves parts above half the merge bound alone, so no merge makes a big part bigger', () => {
    const big = COMPACT_MAX_ROWS / 2 + 1;
    const parts = [part('a', big, 1), part('b', big, 2), part('c', big, 3), part('d', big, 4), part('e', 10, 5)];
    assert.equal(pickMerge(parts), undefined);
  });

  it('never takes more rows into one merge than the bound', () => {
    const rows = Math.floor(COMPACT_MAX_ROWS / 3);
    const parts = [part('a', rows, 1), part('b', rows, 2), part('c', rows, 3), part('d', rows, 4)];
    const picked = pickMerge(parts)!;
    assert.deepEqual(picked.map((p) => p.id), ['a', 'b', 'c']);
    assert.ok(picked.reduce((n, p) => n + p.rows, 0) <= COMPACT_MAX_ROWS);
  });

  it('waits for enough parts of the same day and level', () => {
    const parts = [part('a', 10, 1), part('b', 10, 2), part('c', 10, 3, 1), part('d', 10, 4, 0, '2025-01-02')];
    assert.equal(pickMerge(parts), undefined);
  });
});
