import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareLinksForSpan, compareRequestOf, compareStateOf, conditionsFor, describeTarget, searchFilterFor } from './compare-query.js';

const state = (query: string) => compareStateOf(new URLSearchParams(query));

describe('the comparison asked by the Compare page', () => {
  it('compares errors with the rest, or within a filter with the filter', () => {
    assert.deepEqual(compareRequestOf(state('target=errors')), { level: 'span', limit: 30, target: { kind: 'errors' }, baseline: { kind: 'rest' } });
    const scoped = compareRequestOf(state(`target=errors&q=${encodeURIComponent('{ resource.service.name = "cart" }')}`));
    assert.deepEqual(scoped.target, { kind: 'traceql', query: '{ resource.service.name = "cart" && status = error }' });
    assert.deepEqual(scoped.baseline, { kind: 'traceql', query: '{ resource.service.name = "cart" }' });
  });

  it('compares a brushed duration region with the rest of the filter', () => {
    const s = state(`target=slow&minMs=250&maxMs=2000&q=${encodeURIComponent('{ name = "GET /cart" }')}`);
    assert.equal(describeTarget(s), 'spans lasting 250ms to 2s');
    const req = compareRequestOf(s);
    assert.deepEqual(req.target, { kind: 'traceql', query: '{ name = "GET /cart" && duration >= 250ms && duration < 2s }' });
    assert.deepEqual(req.baseline, { kind: 'traceql', query: '{ name = "GET /cart" }' });
    assert.deepEqual(compareRequestOf(state('target=slow&minMs=100')).target, { kind: 'traceql', query: '{ duration >= 100ms }' });
    assert.deepEqual(compareRequestOf(state('target=slow')).target, { kind: 'slow', percentile: 90 });
  });

  it('compares a TraceQL selection with everything else, at trace level when asked', () => {
    const req = compareRequestOf(state(`target=traceql&level=trace&q=${encodeURIComponent('{ span.http.route = "/x" }')}`));
    assert.deepEqual(req, { level: 'trace', limit: 30, target: { kind: 'traceql', query: '{ span.http.route = "/x" }' }, baseline: { kind: 'rest' } });
  });

  it('ignores nonsense durations', () => {
    const s = state('target=slow&minMs=abc&maxMs=-5');
    assert.equal(s.minMs, undefined);
    assert.equal(s.maxMs, undefined);
  });
});

describe('a ranked value as a Search condition', () => {
  it('spells intrinsics as TraceQL does', () => {
    assert.deepEqual(conditionsFor('name', 'GET /cart'), ['name = "GET /cart"']);
    assert.deepEqual(conditionsFor('status', 'error'), ['status = error']);
    assert.deepEqual(conditionsFor('kind', 'client'), ['kind = client']);
    assert.deepEqual(conditionsFor('instrumentation.name', '@opentelemetry/instrumentation-pg'), ['instrumentation:name = "@opentelemetry/instrumentation-pg"']);
    assert.deepEqual(conditionsFor('resource.service.name', 'cart'), ['resource.service.name = "cart"']);
  });

  it('turns ranges into bounds', () => {
    assert.deepEqual(conditionsFor('duration', '[2000ms, 5000ms)'), ['duration >= 2s', 'duration < 5s']);
    assert.deepEqual(conditionsFor('span.app.amount', '[50, 100)'), ['span.app.amount >= 50', 'span.app.amount < 100']);
    assert.deepEqual(conditionsFor('span.app.delta::double', '(-200, -100]'), ['span.app.delta > -200', 'span.app.delta <= -100']);
  });

  it('matches numbers and booleans in either the typed or the string column, and quotes strings', () => {
    assert.deepEqual(conditionsFor('span.http.response.status_code', '500'), ['(span.http.response.status_code = 500 || span.http.response.status_code = "500")']);
    assert.deepEqual(conditionsFor('span.retry::int', '3'), ['span.retry = 3']);
    assert.deepEqual(conditionsFor('resource.host.name', 'web-"1"'), ['resource.host.name = "web-\\"1\\""']);
  });

  it('leaves out what TraceQL cannot filter on', () => {
    assert.equal(conditionsFor('hasException', 'true'), undefined);
    assert.equal(conditionsFor('flags', '1'), undefined);
  });

  it('narrows the comparison target to the value for Search', () => {
    const s = state(`target=errors&q=${encodeURIComponent('{ resource.service.name = "cart" }')}`);
    assert.equal(searchFilterFor(s, 'resource.host.name', 'h1'), '{ resource.service.name = "cart" && status = error && resource.host.name = "h1" }');
    assert.equal(searchFilterFor(state('target=errors'), 'name', 'x'), '{ status = error && name = "x" }');
  });
});

describe('comparisons explaining one span', () => {
  it('links its operation\'s spans at least as slow, and its errors when it failed, around its time', () => {
    const startMs = Date.UTC(2026, 10, 21, 10, 0, 0);
    const links = compareLinksForSpan({ service: 'cart', name: 'GET /cart', durationMs: 1234.56, isError: true, startMs });
    const slow = new URL(links.slow, 'http://x');
    assert.equal(slow.pathname, '/compare');
    assert.equal(slow.searchParams.get('target'), 'slow');
    assert.equal(slow.searchParams.get('q'), '{ resource.service.name = "cart" && name = "GET /cart" }');
    assert.equal(slow.searchParams.get('minMs'), '1230');
    assert.equal(slow.searchParams.get('from'), String(startMs - 3_600_000));
    assert.equal(slow.searchParams.get('to'), String(startMs + 3_600_000));
    assert.equal(new URL(links.errors!, 'http://x').searchParams.get('target'), 'errors');
    assert.equal(compareLinksForSpan({ service: 'a', name: 'b', durationMs: 0.0456, isError: false, startMs }).errors, undefined);
    assert.equal(new URL(compareLinksForSpan({ service: 'a', name: 'b', durationMs: 0.0456, isError: false, startMs }).slow, 'http://x').searchParams.get('minMs'), '0.0456');
  });
});
