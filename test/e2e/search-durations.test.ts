// GET /api/v1/search/durations: the duration histogram of the spans a TraceQL
// search matches, over spans both in the head and flushed into parts.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, startTestServer, type TestServer } from '../helpers/test-server.js';
import { HexIds, jsonSpan, postOtlpJson, serviceRequest } from '../helpers/otlp-json.js';
import { bucketBoundsMs } from '../../src/query/duration-histogram.js';

const MS = 1_000_000n;

describe('span duration histogram of a search', () => {
  let srv: TestServer;
  const ids = new HexIds(99);
  const startNs = BigInt(Date.now() - 600_000) * MS;
  /** [service, name, duration ms, status] per trace of two spans: a root and one child */
  const traces: [string, number, number][] = [
    // root ms, child ms, child status
    ['GET /a', 1, 0],
    ['GET /a', 1, 0],
    ['GET /a', 10, 0],
    ['GET /a', 100, 2],
    ['GET /b', 1000, 2],
    ['GET /b', 1000, 0],
  ];

  const histogram = async (q: string, extra: Record<string, string> = {}): Promise<any> => {
    const qs = new URLSearchParams({ q, start: String(Math.floor(Date.now() / 1000) - 3600), end: String(Math.ceil(Date.now() / 1000)), ...extra });
    const r = await getJson(`${srv.apiUrl}/api/v1/search/durations?${qs}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  before(async () => {
    srv = await startTestServer();
    const spans: Record<string, unknown>[] = [];
    traces.forEach(([name, childMs, childStatus], i) => {
      const traceId = ids.traceId();
      const root = ids.spanId();
      const t0 = startNs + BigInt(i) * 1000n * MS;
      spans.push(jsonSpan({ traceId, spanId: root, name, kind: 2, startNs: t0, durationNs: 2000n * MS }));
      spans.push(
        jsonSpan({ traceId, spanId: ids.spanId(), parentSpanId: root, name: 'db', kind: 3, startNs: t0 + MS, durationNs: BigInt(childMs) * MS, status: { code: childStatus } }),
      );
    });
    assert.equal((await postOtlpJson(srv.otlpUrl, serviceRequest('shop', spans))).status, 200);
  });

  after(async () => {
    await srv.dispose();
  });

  const expectDb = (body: any): void => {
    assert.equal(body.bucketsPerDecade, 10);
    assert.equal(body.spans, 6);
    assert.equal(body.errors, 2);
    const byIndex = Object.fromEntries(body.buckets.map((b: any) => [b.index, [b.spans, b.errors]]));
    // 1 ms = 10^6 ns → bucket 60; 10 ms → 70; 100 ms → 80; 1 s → 90 (exact powers stay in their own bucket).
    assert.deepEqual(byIndex, { 60: [2, 0], 70: [1, 0], 80: [1, 1], 90: [2, 1] });
    for (const b of body.buckets) {
      const [lo, hi] = bucketBoundsMs(b.index);
      assert.equal(b.lowerMs, lo);
      assert.equal(b.upperMs, hi);
    }
  };

  it('counts the matching spans per logarithmic bucket, with their errors, from the head', async () => {
    expectDb(await histogram('{ name = "db" }'));
  });

  it('counts only spans of traces matching the whole query when spansets combine', async () => {
    const body = await histogram('{ name = "db" } && { name = "GET /b" }');
    assert.deepEqual(
      body.buckets.map((b: any) => [b.index, b.spans]),
      [[90, 2], [93, 2]],
      'the two /b traces: their db spans (1 s) and roots (2 s)',
    );
  });

  it('answers the same after the spans are flushed into parts', async () => {
    await srv.store.flush();
    assert.ok(srv.store.stats().parts > 0);
    expectDb(await histogram('{ name = "db" }'));
    assert.equal((await histogram('{}')).spans, 12);
  });

  it('reads trace-level intrinsics (from the parts\' trace summaries)', async () => {
    expectDb(await histogram('{ traceDuration >= 2s && name = "db" }'));
    const b = await histogram('{ rootName = "GET /b" && name = "db" }');
    assert.deepEqual([b.spans, b.errors, b.buckets.map((x: any) => x.index)], [2, 1, [90]], 'the db spans of the two /b traces');
  });

  it('is empty outside the time range and answers bad TraceQL with 400', async () => {
    const old = await histogram('{}', { start: '1000000000', end: '1000003600' });
    assert.deepEqual(old, { bucketsPerDecade: 10, buckets: [], spans: 0, errors: 0 });
    const bad = await getJson(`${srv.apiUrl}/api/v1/search/durations?q=${encodeURIComponent('{ name = }')}`);
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /traceql/);
  });
});
