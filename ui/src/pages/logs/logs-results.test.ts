import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { histogramSeries, levelOf, logRowOf } from './logs-results.js';

describe('logs page helpers', () => {
  it('maps severity numbers to levels at the OTLP range boundaries', () => {
    assert.deepEqual([0, 1, 4, 5, 9, 12, 13, 17, 21, 24].map(levelOf), ['unspecified', 'trace', 'trace', 'debug', 'info', 'info', 'warn', 'error', 'fatal', 'fatal']);
  });

  it('makes one series per level present, zeros filled in, times in ms', () => {
    const h = { stepNs: '60000000000', buckets: [{ startNs: '60000000000', counts: { info: 3 } }, { startNs: '120000000000', counts: { error: 1, info: 1 } }] };
    assert.deepEqual(histogramSeries(h), { timestampsMs: [60_000, 120_000], series: [{ level: 'info', counts: [3, 1] }, { level: 'error', counts: [0, 1] }] });
  });

  it('shows a string body as is and a map body as compact JSON', () => {
    const base = { timeUnixNano: '1500000000', observedTimeUnixNano: '0', severityNumber: 17, severityText: '', serviceName: 'cart', stream: 'otlp', attributes: {}, resource: {}, scope: { name: '', version: '', attributes: {} }, traceId: 'ab', spanId: '', flags: 0, eventName: '' };
    assert.equal(logRowOf({ ...base, body: 'boom' }, 0).message, 'boom');
    const row = logRowOf({ ...base, body: { a: 1 } }, 0);
    assert.equal(row.message, '{"a":1}');
    assert.equal(row.timeMs, 1500);
    assert.equal(row.severityText, 'ERROR');
  });
});
