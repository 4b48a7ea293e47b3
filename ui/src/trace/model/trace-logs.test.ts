import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHECKOUT, FIXTURE_EPOCH_NS, fixtureTrace, msToNs, spanHex } from './fixtures.js';
import { logBodyText, logOffsetsBySpan, severityOf, traceLogRows } from './trace-logs.js';
import { buildTrace } from './trace-model.js';

const trace = buildTrace(fixtureTrace(CHECKOUT));
const spanIndex = (id: string): number | undefined => {
  const i = trace.spans.findIndex((s) => s.spanId === id);
  return i < 0 ? undefined : i;
};
const record = (ms: number, spanId: string, severityNumber = 9, body: unknown = 'hello') => ({
  timeUnixNano: String(FIXTURE_EPOCH_NS + msToNs(ms)),
  severityNumber,
  severityText: '',
  body,
  spanId,
});

describe('trace logs', () => {
  it('orders records oldest first, offsets them from the trace start and finds their spans', () => {
    const rows = traceLogRows(trace, [record(90, spanHex('pay-s'), 17), record(-2, ''), record(10, spanHex('redis')), record(20, 'ffffffffffffffff')], spanIndex);
    assert.deepEqual(rows.map((r) => r.offset / 1e6), [-2, 10, 20, 90]);
    assert.deepEqual(rows.map((r) => (r.span < 0 ? null : trace.spans[r.span]!.name)), [null, 'HGETALL', null, 'Charge']);
    assert.equal(rows[3]!.severity, 'error');
  });

  it('leaves out records without a readable time', () => {
    assert.equal(traceLogRows(trace, [{ ...record(1, ''), timeUnixNano: 'soon' }], spanIndex).length, 0);
  });

  it('reads severity bands, and the text when there is no number', () => {
    assert.deepEqual([1, 5, 9, 12, 13, 17, 21, 24].map((n) => severityOf(n, '')), ['trace', 'debug', 'info', 'info', 'warn', 'error', 'fatal', 'fatal']);
    assert.deepEqual(['WARNING', 'Error', 'critical', 'info', 'verbose'].map((t) => severityOf(0, t)), ['warn', 'error', 'error', 'info', 'unset']);
  });

  it('shows string bodies as they are and others as JSON', () => {
    assert.equal(logBodyText('card declined'), 'card declined');
    assert.equal(logBodyText({ user: 'u1', n: 2 }), '{"user":"u1","n":2}');
    assert.equal(logBodyText(null), '');
  });

  it('groups log offsets by span for marks on the bars', () => {
    const rows = traceLogRows(trace, [record(60, spanHex('pay-s')), record(70, spanHex('pay-s')), record(1, '')], spanIndex);
    const marks = logOffsetsBySpan(rows);
    assert.deepEqual([...marks.keys()], [spanIndex(spanHex('pay-s'))]);
    assert.deepEqual(marks.get(spanIndex(spanHex('pay-s'))!)!.map((o) => o / 1e6), [60, 70]);
  });
});
