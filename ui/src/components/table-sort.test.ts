import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatSort, parseSort, sortRows } from './table-sort.js';

const columns = [{ key: 'n', sortValue: (r: { n: number | null }) => r.n }, { key: 'fixed' }];

describe('sortRows', () => {
  it('sorts ascending and descending with nulls last either way', () => {
    const rows = [{ n: 2 }, { n: null }, { n: 1 }, { n: 3 }];
    assert.deepEqual(sortRows(rows, columns, { key: 'n', descending: false }).map((r) => r.n), [1, 2, 3, null]);
    assert.deepEqual(sortRows(rows, columns, { key: 'n', descending: true }).map((r) => r.n), [3, 2, 1, null]);
  });

  it('keeps the order for columns without a sort value', () => {
    const rows = [{ n: 2 }, { n: 1 }];
    assert.deepEqual(sortRows(rows, columns, { key: 'fixed', descending: true }), rows);
  });

  it('reads and writes the URL form', () => {
    assert.deepEqual(parseSort('-rate', { key: 'x', descending: false }), { key: 'rate', descending: true });
    assert.deepEqual(parseSort(null, { key: 'x', descending: false }), { key: 'x', descending: false });
    assert.equal(formatSort({ key: 'p99', descending: true }), '-p99');
  });
});
