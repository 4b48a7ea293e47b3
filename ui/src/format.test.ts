import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatAgo, formatCount, formatDurationMs, formatPercent, formatRate } from './format.js';

describe('formatting', () => {
  it('formats durations in the unit that reads best', () => {
    assert.equal(formatDurationMs(0.85), '850µs');
    assert.equal(formatDurationMs(12.345), '12.3ms');
    assert.equal(formatDurationMs(999), '999ms');
    assert.equal(formatDurationMs(1240), '1.24s');
    assert.equal(formatDurationMs(125_000), '2m 05s');
    assert.equal(formatDurationMs(null), '–');
    assert.equal(formatDurationMs(Number.NaN), '–');
  });

  it('formats rates, counts and percentages', () => {
    assert.equal(formatRate(1234), '1.23k/s');
    assert.equal(formatRate(35), '35/s');
    assert.equal(formatRate(0.4234), '0.42/s');
    assert.equal(formatCount(2_500_000), '2.5M');
    assert.equal(formatPercent(0.0012), '0.12%');
    assert.equal(formatPercent(0.456), '45.6%');
    assert.equal(formatPercent(1), '100%');
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(0.000001), '<0.01%');
    assert.equal(formatPercent(null), '–');
  });

  it('says how long ago a time was', () => {
    const now = 1_000_000_000;
    assert.equal(formatAgo(now - 3_000, now), '3s ago');
    assert.equal(formatAgo(now - 5 * 60_000, now), '5m ago');
    assert.equal(formatAgo(now - 2 * 3_600_000, now), '2h ago');
  });
});
