import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareFieldsFromQuery, DEFAULT_MAX_SPANS, parseCompareRequest } from './compare-route.js';

const NOW = 1_750_000_000_000_000_000n;
const options = { maxSpans: DEFAULT_MAX_SPANS };

describe('parseCompareRequest', () => {
  it('defaults to the last hour, span level, the rest of the operations as baseline and the configured sample size', () => {
    const r = parseCompareRequest({ target: { kind: 'errors' } }, options, NOW);
    assert.equal(r.endNs, NOW);
    assert.equal(r.startNs, NOW - 3_600_000_000_000n);
    assert.deepEqual(r.baseline, { kind: 'rest' });
    assert.equal(r.level, 'span');
    assert.equal(r.limit, 50);
    assert.equal(r.maxSpans, DEFAULT_MAX_SPANS);
    assert.equal(parseCompareRequest({ target: 'errors', level: 'trace' }, options, NOW).maxSpans, DEFAULT_MAX_SPANS / 4);
  });

  it('reads unix seconds with fractions, caps the limit and lets maxSpans 0 turn sampling off', () => {
    const r = parseCompareRequest({ start: 1_700_000_000.5, end: '1700000600', target: { kind: 'slow', percentile: 99 }, limit: 100_000, maxSpans: 0 }, options, NOW);
    assert.equal(r.startNs, 1_700_000_000_500_000_000n);
    assert.equal(r.endNs, 1_700_000_600_000_000_000n);
    assert.deepEqual(r.target, { kind: 'slow', percentile: 99 });
    assert.equal(r.limit, 1000);
    assert.equal(r.maxSpans, 0);
  });
});

describe('compareFieldsFromQuery', () => {
  it('gathers flat or dotted query parameters into the body shape', () => {
    const flat = compareFieldsFromQuery(new URLSearchParams('start=1&end=2&target=traceql&query={}&baseline=traceql&baselineQuery={ kind = server }&level=trace&limit=3'));
    assert.deepEqual(flat, {
      start: '1',
      end: '2',
      level: 'trace',
      limit: '3',
      target: { kind: 'traceql', query: '{}' },
      baseline: { kind: 'traceql', query: '{ kind = server }' },
    });
    const dotted = compareFieldsFromQuery(new URLSearchParams('target.kind=slow&target.thresholdMs=250'));
    assert.deepEqual(parseCompareRequest(dotted, options, NOW).target, { kind: 'slow', thresholdMs: 250 });
  });
});
