// A log part leaves out the nullable hot columns none of its records fills
// and the counters at 0 in all of them (src/parts/log-empty-columns.ts):
// JSON lines have no trace or span id, no event name, scope or schema, no
// `body` beside their fields, no flags or dropped attributes. Searches (by
// trace id and flags too), the API and the SQL views read them as NULLs and
// zeros — over parts that all lack them, beside parts that hold them, and
// from a merge of both.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, startTestServer, type TestServer } from '../helpers/test-server.js';
import { ingestLines, searchSeqs, sqlRows } from '../helpers/log-lines.js';
import { int, kv, str } from '../helpers/otlp-json.js';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';
const LEFT_OUT = ['trace_id', 'span_id', 'event_name', 'scope_name', 'scope_version', 'scope_schema_url', 'resource_schema_url', 'body', 'flags', 'dropped_attributes_count', 'scope_dropped_attributes_count', 'resource_dropped_attributes_count'];

describe('log parts leaving out the hot columns no record fills', () => {
  let server: TestServer;
  const base = Math.floor(Date.now() / 86_400_000) * 86_400 + 60;
  const lines = Array.from({ length: 40 }, (_, i) => ({ t: base + i, seq: i, msg: `line ${i}` }));

  /** OTLP records `seq` 100…, every other one in the trace. */
  const sendOtlp = async (from: number): Promise<void> => {
    const logRecords = Array.from({ length: 10 }, (_, k) => ({
      timeUnixNano: String(BigInt(base + 500 + from + k) * 1_000_000_000n),
      body: str(`otlp ${from + k}`),
      attributes: [kv('seq', int(100 + from + k))],
      ...(k % 2 === 0 ? { traceId: TRACE_ID, spanId: SPAN_ID, flags: 1 } : {}),
    }));
    const body = { resourceLogs: [{ resource: { attributes: [kv('service.name', str('svc'))] }, scopeLogs: [{ scope: { name: 'lib', version: '1' }, logRecords }] }] };
    const r = await fetch(`${server.otlpUrl}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(r.status, 200, await r.text());
  };
  const inTrace = [100, 102, 104, 106, 108, 110, 112, 114, 116, 118];

  const checkLines = async (): Promise<void> => {
    const all = await getJson(`${server.apiUrl}/api/v1/logs?limit=5000&query=${encodeURIComponent('line')}`);
    assert.equal(all.body.records.length, lines.length);
    for (const r of all.body.records) {
      assert.deepEqual(r.body, lines[r.body.seq]);
      assert.equal(r.traceId, '');
      assert.equal(r.spanId, '');
      assert.equal(r.eventName, '');
      assert.equal(r.flags, 0);
    }
    assert.deepEqual(
      await sqlRows(
        server,
        `SELECT "body.seq::int", trace_id_hex, span_id_hex, event_name, scope_name, body, flags, dropped_attributes_count, scope_dropped_attributes_count FROM logs WHERE "body.seq::int" IS NOT NULL ORDER BY "body.seq::int"`,
      ),
      lines.map((l) => [String(l.seq), null, null, null, null, null, '0', '0', '0']),
    );
  };
  const traceSeqs = async (): Promise<number[]> => {
    const r = await getJson(`${server.apiUrl}/api/v1/logs?limit=5000&trace_id=${TRACE_ID}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.records.map((x: any) => Number(x.attributes.seq)).sort((a: number, b: number) => a - b);
  };

  before(async () => {
    server = await startTestServer({ flushIntervalMs: 3_600_000, compactIntervalMs: 3_600_000 });
  });
  after(() => server.close());

  it('reads the left-out columns as NULLs where no part holds them', async () => {
    for (const half of [0, 1]) {
      await ingestLines(server, 'app', lines.slice(half * 20, half * 20 + 20));
      await server.logs.flush();
    }
    for (const part of server.logs.catalog.snapshot.parts) for (const c of LEFT_OUT) assert.ok(!part.columns.includes(c), part.columns.join(', '));
    await checkLines();
    assert.deepEqual(await traceSeqs(), []);
    assert.deepEqual(await searchSeqs(server, `| trace_id = "${TRACE_ID}"`), []);
    assert.equal((await searchSeqs(server, `| trace_id != "${TRACE_ID}"`)).length, lines.length);
    assert.equal((await searchSeqs(server, '| flags = 0')).length, lines.length);
  });

  it('reads them beside parts that hold them, and from the merge of both', async () => {
    for (const from of [0, 10]) {
      await sendOtlp(from);
      await server.logs.flush();
    }
    const withTrace = server.logs.catalog.snapshot.parts.filter((p) => p.columns.includes('trace_id') && p.columns.includes('flags'));
    assert.equal(withTrace.length, 2);
    for (const merged of [false, true]) {
      if (merged) {
        assert.equal(await server.logs.compact(), 4);
        assert.equal(server.logs.catalog.snapshot.parts.length, 1);
      }
      await checkLines();
      assert.deepEqual(await traceSeqs(), inTrace);
      const otlp = await sqlRows(server, `SELECT "log.seq::int", trace_id_hex, span_id_hex, scope_name, body, flags FROM logs WHERE "log.seq::int" IS NOT NULL ORDER BY "log.seq::int"`);
      assert.deepEqual(
        otlp,
        Array.from({ length: 20 }, (_, k) => [String(100 + k), k % 2 === 0 ? TRACE_ID : null, k % 2 === 0 ? SPAN_ID : null, 'lib', `otlp ${k}`, k % 2 === 0 ? '1' : '0']),
      );
      assert.equal((await searchSeqs(server, '| flags = 0')).length, lines.length + 10);
    }
  });
});
