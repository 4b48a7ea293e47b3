import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decadeTicks, denseBuckets, roundMs, selectedRange, selectionOf, type HistogramBucket } from './histogram-layout.js';

const bucket = (index: number, spans: number, errors = 0): HistogramBucket => ({
  index,
  lowerMs: 10 ** (index / 10) / 1e6,
  upperMs: 10 ** ((index + 1) / 10) / 1e6,
  spans,
  errors,
});

describe('duration histogram layout', () => {
  it('fills the empty buckets between the first and last', () => {
    const dense = denseBuckets([bucket(60, 5), bucket(63, 1)], 10);
    assert.deepEqual(dense.map((b) => [b.index, b.spans]), [[60, 5], [61, 0], [62, 0], [63, 1]]);
    assert.ok(Math.abs(dense[1]!.lowerMs - 1.2589) < 1e-3);
    assert.deepEqual(denseBuckets([], 10), []);
  });

  it('rounds bounds to three significant digits', () => {
    assert.equal(roundMs(1.2589254117941673), 1.26);
    assert.equal(roundMs(1258.9254), 1260);
    assert.equal(roundMs(0), 0);
  });

  it('turns a brushed run of bars into a duration range, open at the top for the last bar', () => {
    const dense = denseBuckets([bucket(60, 5), bucket(70, 1), bucket(80, 1)], 10);
    assert.deepEqual(selectionOf(dense, 10, 15), { minMs: 10, maxMs: 39.8 });
    assert.deepEqual(selectionOf(dense, 15, 10), { minMs: 10, maxMs: 39.8 });
    assert.deepEqual(selectionOf(dense, 18, 20), { minMs: 63.1 });
  });

  it('finds the bars a selection covers again from the URL', () => {
    const dense = denseBuckets([bucket(60, 5), bucket(70, 1), bucket(80, 1)], 10);
    assert.deepEqual(selectedRange(dense, { minMs: 10, maxMs: 39.8 }), [10, 15]);
    assert.deepEqual(selectedRange(dense, { minMs: 63.1 }), [18, 20]);
    assert.equal(selectedRange(dense, {}), undefined);
  });

  it('labels the decades', () => {
    const dense = denseBuckets([bucket(58, 1), bucket(71, 1)], 10);
    assert.deepEqual(decadeTicks(dense, 10), [{ position: 2, ms: 1 }, { position: 12, ms: 10 }]);
  });
});
