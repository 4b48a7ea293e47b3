import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeRange, resolveBound, resolveRange, stepSecondsFor } from './time-range.js';

const NOW = Date.UTC(2026, 10, 21, 9, 30, 0);

describe('time ranges in the URL', () => {
  it('resolves relative and absolute bounds', () => {
    assert.equal(resolveBound('now', NOW), NOW);
    assert.equal(resolveBound('now-15m', NOW), NOW - 15 * 60_000);
    assert.equal(resolveBound('now-7d', NOW), NOW - 7 * 86_400_000);
    assert.equal(resolveBound('1763717400000', NOW), 1763717400000);
    assert.equal(resolveBound('yesterday', NOW), undefined);
    assert.equal(resolveBound('now-5y', NOW), undefined);
  });

  it('falls back to the last hour for bad or reversed ranges', () => {
    assert.deepEqual(resolveRange({ from: 'garbage', to: 'now' }, NOW), { startMs: NOW - 3_600_000, endMs: NOW });
    assert.deepEqual(resolveRange({ from: 'now', to: 'now-1h' }, NOW), { startMs: NOW - 3_600_000, endMs: NOW });
    assert.deepEqual(resolveRange({}, NOW), { startMs: NOW - 3_600_000, endMs: NOW });
  });

  it('names presets and relative ranges, and shows absolute ones as times', () => {
    const fmt = (ms: number): string => new Date(ms).toISOString();
    assert.equal(describeRange({ from: 'now-1h', to: 'now' }, fmt), 'Last 1 hour');
    assert.equal(describeRange({ from: 'now-3h', to: 'now' }, fmt), 'Last 3h');
    assert.equal(describeRange({ from: '1763717400000', to: '1763721000000' }, fmt), '2025-11-21T09:30:00.000Z → 2025-11-21T10:30:00.000Z');
  });

  it('picks whole-minute steps giving at most about 120 points', () => {
    assert.equal(stepSecondsFor({ startMs: 0, endMs: 3_600_000 }), 60);
    assert.equal(stepSecondsFor({ startMs: 0, endMs: 24 * 3_600_000 }), 15 * 60);
    assert.equal(stepSecondsFor({ startMs: 0, endMs: 7 * 24 * 3_600_000 }), 2 * 3600);
    assert.equal(stepSecondsFor({ startMs: 0, endMs: 5 * 60_000 }), 60);
  });
});
