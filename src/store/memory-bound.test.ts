import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ResidentMemoryBound } from './memory-bound.js';

const MIB = 2 ** 20;

describe('ResidentMemoryBound', () => {
  it('is exceeded when resident memory plus the flush headroom passes the bound, reading RSS at most every 50 ms', () => {
    let rss = 600 * MIB;
    let reads = 0;
    const bound = new ResidentMemoryBound(1000 * MIB, 384 * MIB, () => (reads++, rss));
    assert.equal(bound.exceeded(false, 0), undefined, '600 + 384 <= 1000');
    rss = 700 * MIB;
    assert.equal(bound.exceeded(false, 10), undefined, 'the reading of 10 ms ago still answers');
    assert.equal(reads, 1);
    assert.equal(bound.exceeded(false, 60), 700 * MIB, '700 + 384 > 1000');
    assert.equal(reads, 2);
    assert.equal(bound.exceeded(true, 61), undefined, 'a running flush is resident already: 700 <= 1000');
    rss = 500 * MIB;
    assert.equal(bound.exceeded(false, 120), undefined, 'memory went down again');
  });

  it('never holds ingest back with a bound of 0', () => {
    const bound = new ResidentMemoryBound(0, 384 * MIB, () => 64 * 2 ** 30);
    assert.equal(bound.exceeded(false, 0), undefined);
  });

  it('reads the real resident memory by default', () => {
    const bound = new ResidentMemoryBound(1);
    assert.ok((bound.exceeded(true) ?? 0) > 0, 'a running process is over 1 byte');
  });
});
