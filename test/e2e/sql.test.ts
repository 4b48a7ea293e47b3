// Read-only SQL end to end: a real server stores realistic traces plus
// hand-built spans with nested kvlists, events and links; POST /api/v1/sql
// answers over the spans / span_events / span_links views (parts and staging
// files at once), refuses every escape without touching the disk, and joins
// uploaded trace-id sets of a million ids.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { serve, type ServerType } from '@hono/node-server';
import { Engine, readParquetSql } from '../../src/engine/duckdb.js';
import { hexOf } from '../../src/model/hex.js';
import { BadQueryError } from '../../src/model/errors.js';
import { SpanBatchBuilder } from '../../src/model/span-batch-builder.js';
import type { SpanBatch } from '../../src/model/span-batch.js';
import { Rng } from '../../src/loadgen/rng.js';
import { generateTraces } from '../../src/loadgen/trace-generator.js';
import { encodeExportTraceServiceRequest } from '../../src/receive/otlp-proto-encode.js';
import { SqlService } from '../../src/query/sql/sql-service.js';
import { traceIdSetFilterSql } from '../../src/query/sql/trace-id-sets.js';
import { mountSql } from '../../src/api/sql-route.js';
import { IDLE_KEEP_ALIVE_MS } from '../../src/api/keep-alive.js';
import { nameTraceIdSet, parseSqlArgs, sqlCliOutput, uploadTraceIdFile } from '../../src/cli/sql.js';
import { getJson, startTestServer, type TestServer } from '../helpers/test-server.js';
import { HexIds, bool, int, jsonSpan, kv, kvlist, postOtlpJson, serviceRequest, str } from '../helpers/otlp-json.js';

const TOKEN = 'sql-test-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };

interface Planted {
  traceId: string;
  checkoutSpan: string;
  linkedTraceId: string;
  linkedSpanId: string;
}

/** Three hand-built spans: a kvlist attribute, two events, a link. */
function plantedRequest(ids: HexIds, startNs: bigint, planted: Planted, items: number): Record<string, unknown> {
  const cart = kvlist(kv('items', int(items)), kv('note', str('gift')), kv('owner', kvlist(kv('id', str('u-7')), kv('vip', bool(true)))));
  const checkout = jsonSpan({
    traceId: planted.traceId,
    spanId: planted.checkoutSpan,
    name: 'checkout',
    kind: 2,
    startNs,
    durationNs: 5_000_000n,
    attributes: [kv('app.cart', cart)],
    extra: {
      events: [
        { timeUnixNano: String(startNs + 1000n), name: 'exception', attributes: [kv('exception.type', str('TimeoutError')), kv('exception.message', str('db slow'))] },
        { timeUnixNano: String(startNs + 2000n), name: 'retry', attributes: [kv('retry.attempt', int(2))] },
      ],
      links: [{ traceId: planted.linkedTraceId, spanId: planted.linkedSpanId, attributes: [kv('follows.reason', str('retry_of'))] }],
    },
  });
  const child = jsonSpan({ traceId: planted.traceId, spanId: ids.spanId(), parentSpanId: planted.checkoutSpan, name: 'charge', startNs: startNs + 10n, durationNs: 1000n });
  return serviceRequest('cart', [checkout, child]);
}

function spansPerTrace(batch: SpanBatch): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < batch.length; i++) {
    const id = hexOf(batch.traceId, i * 16, 16);
    out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}

/** Every file under `dir` with its size and mtime, to show nothing changed. */
async function listing(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const s = await stat(path);
    out.push(`${path} ${s.size} ${s.mtimeMs}`);
  }
  return out.sort();
}

describe('read-only SQL over the span views', () => {
  let server: TestServer;
  let service: SqlService;
  let http: ServerType;
  let url: string;
  let loadgen: SpanBatch;
  let spanCount = 0;
  const ids = new HexIds(303);
  const planted: Planted = { traceId: ids.traceId(), checkoutSpan: ids.spanId(), linkedTraceId: ids.traceId(), linkedSpanId: ids.spanId() };
  const stagedTrace: Planted = { traceId: ids.traceId(), checkoutSpan: ids.spanId(), linkedTraceId: ids.traceId(), linkedSpanId: ids.spanId() };

  const sql = (body: unknown, headers: Record<string, string> = AUTH) =>
    getJson(`${url}/api/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const rows = async (query: string): Promise<unknown[][]> => {
    const r = await sql({ sql: query });
    assert.equal(r.status, 200, `${query}: ${JSON.stringify(r.body)}`);
    return r.body.rows;
  };

  before(async () => {
    // No timer seals or flushes: the test decides when data moves.
    server = await startTestServer({ sealIntervalMs: 3_600_000, flushIntervalMs: 3_600_000, compactIntervalMs: 3_600_000 });
    service = await SqlService.open(server.store, { threads: 1, memoryLimit: '512MB', timeoutMs: 3000, dedicatedColumns: server.config.dedicatedColumns });
    const app = new Hono();
    mountSql(app, service, { authToken: TOKEN, maxRequestBytes: 1 << 20 });
    http = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0, serverOptions: { keepAliveTimeout: IDLE_KEEP_ALIVE_MS } }, () => resolve(s));
    });
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

    const builder = new SpanBatchBuilder();
    generateTraces(builder, { traces: 1500, rng: new Rng(11), nowUnixNano: BigInt(Date.now()) * 1_000_000n });
    loadgen = builder.finish();
    await server.store.ingestOtlp('proto', encodeExportTraceServiceRequest(loadgen));
    const now = BigInt(Date.now()) * 1_000_000n;
    assert.equal((await postOtlpJson(server.otlpUrl, plantedRequest(ids, now, planted, 3))).status, 200);
    await server.store.flush(); // into a part, with DuckDB's Parquet bloom filter on trace_id
    assert.equal((await postOtlpJson(server.otlpUrl, plantedRequest(ids, now + 1_000_000n, stagedTrace, 5))).status, 200);
    spanCount = loadgen.length + 4;
  });

  after(async () => {
    await new Promise<void>((resolve) => http.close(() => resolve()));
    service.close();
    await server.dispose();
  });

  it('counts every span, in parts and in staging files', async () => {
    assert.deepEqual(await rows('SELECT count(*) FROM spans'), [[String(spanCount)]]);
    const files = await rows('SELECT count(DISTINCT trace_id_hex) FROM spans');
    assert.equal(Number(files[0]![0]), spansPerTrace(loadgen).size + 2);
  });

  it('adds hex ids and a nanosecond timestamp to the stored columns', async () => {
    const r = await sql({ sql: `SELECT trace_id, trace_id_hex, span_id_hex, parent_span_id_hex, start_time, start_time_unix_nano FROM spans WHERE trace_id_hex = '${planted.traceId}' ORDER BY start_time` });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.columns.map((c: { type: string }) => c.type), ['BLOB', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'TIMESTAMP_NS', 'BIGINT']);
    const [checkout, charge] = r.body.rows;
    assert.equal(checkout[0], planted.traceId); // BLOBs come as hex
    assert.equal(checkout[2], planted.checkoutSpan);
    assert.equal(checkout[3], null);
    assert.equal(charge[3], planted.checkoutSpan);
    assert.match(checkout[4], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})?$/);
  });

  it('flattens nested kvlist attributes into dotted, typed columns', async () => {
    const r = await rows(
      'SELECT "span.app.cart.items::int", "span.app.cart.note", "span.app.cart.owner.id", "span.app.cart.owner.vip::bool", "span.app.cart::kvlist" IS NOT NULL ' +
        "FROM spans WHERE name = 'checkout' ORDER BY start_time",
    );
    assert.deepEqual(r, [
      ['3', 'gift', 'u-7', true, true], // from the part
      ['5', 'gift', 'u-7', true, true], // from the staging file
    ]);
    const described = await rows("SELECT column_name, column_type FROM (DESCRIBE spans) WHERE column_name LIKE 'span.app.cart%' AND column_name NOT LIKE 'span.app.cart.items.count%' ORDER BY 1");
    assert.deepEqual(described, [
      ['span.app.cart.items::int', 'BIGINT'],
      ['span.app.cart.note', 'VARCHAR'],
      ['span.app.cart.owner.id', 'VARCHAR'],
      ['span.app.cart.owner.vip::bool', 'BOOLEAN'],
      ['span.app.cart.owner::kvlist', 'VARCHAR'],
      ['span.app.cart::kvlist', 'VARCHAR'],
    ]);
  });

  it('expands span events into rows with their attributes as columns', async () => {
    const r = await rows(
      `SELECT span_name, service_name, name, "event.exception.type", "event.exception.message", "event.retry.attempt::int", time_unix_nano > 0 ` +
        `FROM span_events WHERE trace_id_hex = '${planted.traceId}' ORDER BY time`,
    );
    assert.deepEqual(r, [
      ['checkout', 'cart', 'exception', 'TimeoutError', 'db slow', null, true],
      ['checkout', 'cart', 'retry', null, null, '2', true],
    ]);
    // one row per element of every span's events array, realistic data included
    const [[expanded, stored]] = (await rows('SELECT (SELECT count(*) FROM span_events), (SELECT sum(json_array_length(events)) FROM spans)')) as [[string, string]];
    assert.equal(expanded, stored);
    assert.ok(Number(expanded) > 1000, `only ${expanded} events`);
  });

  it('expands span links into rows with the linked ids', async () => {
    const r = await rows(
      `SELECT span_id_hex, linked_trace_id_hex, linked_span_id_hex, linked_trace_id, "link.follows.reason" FROM span_links WHERE trace_id_hex = '${planted.traceId}'`,
    );
    assert.deepEqual(r, [[planted.checkoutSpan, planted.linkedTraceId, planted.linkedSpanId, planted.linkedTraceId, 'retry_of']]);
  });

  it('answers CSV, takes SQL as text/plain, and stops at the row limit', async () => {
    const res = await fetch(`${url}/api/v1/sql?format=csv&limit=2`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...AUTH },
      body: "SELECT i, 'a,\"b\"' AS s, NULL AS n FROM range(5) t(i)",
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    assert.equal(res.headers.get('x-marquetry-truncated'), 'true');
    assert.equal(await res.text(), 'i,s,n\r\n0,"a,""b""",\r\n1,"a,""b""",\r\n');
    const full = await sql({ sql: 'SELECT * FROM range(3000)', limit: 3000 });
    assert.equal(full.body.rowCount, 3000);
    assert.equal(full.body.truncated, false);
    const capped = await sql({ sql: 'SELECT * FROM range(20000)' });
    assert.equal(capped.body.rowCount, 10_000);
    assert.equal(capped.body.truncated, true);
    const tooMany = await sql({ sql: 'SELECT 1', limit: 2_000_000 });
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.body.error, /limit must be an integer from 1 to 1000000/);
  });

  it('refuses each escape with 400 and changes nothing on disk', async () => {
    const dataDir = server.config.dataDir;
    const before = await listing(dataDir);
    const outside = join(tmpdir(), `marquetry-escape-${process.pid}`);
    const partFile = join(dataDir, server.store.catalog.snapshot.parts[0]!.path);
    const escapes: [string, RegExp][] = [
      ["SELECT * FROM read_csv('/etc/passwd')", /read_csv\(\) is refused/],
      ["SELECT * FROM read_text('/etc/passwd')", /read_text\(\) is refused/],
      [`COPY (SELECT 1) TO '${outside}.csv'`, /COPY is refused/],
      [`COPY (SELECT * FROM spans) TO '${join(dataDir, 'parts', 'x.parquet')}'`, /COPY is refused/],
      [`ATTACH '${outside}.db'`, /ATTACH is refused/],
      ['INSTALL httpfs', /INSTALL is refused/],
      ['LOAD httpfs', /LOAD is refused/],
      ["SET memory_limit='100GB'", /SET is refused/],
      ['PRAGMA enable_profiling', /PRAGMA is refused/],
      ['CREATE TABLE t AS SELECT 1', /CREATE is refused/],
      ['DROP VIEW spans', /DROP is refused/],
      ["SELECT * FROM glob('/*')", /glob\(\) is refused/],
      ['SELECT 1; SELECT 2', /2 statements is refused/],
      [`SELECT * FROM read_parquet('${partFile}')`, /read_parquet\(\) is refused/],
      [`SELECT count(*) FROM '${partFile}'`, /files are read only through the views/],
      [`EXPORT DATABASE '${outside}'`, /EXPORT is refused/],
      ['SELECT * FROM duckdb_settings()', /duckdb_settings\(\) is refused/],
    ];
    for (const [query, pattern] of escapes) {
      const r = await sql({ sql: query });
      assert.equal(r.status, 400, `${query}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.error, pattern, query);
    }
    assert.deepEqual(await listing(dataDir), before);
    for (const suffix of ['.csv', '.db', '']) assert.equal(existsSync(`${outside}${suffix}`), false);
  });

  it('interrupts a query that would run forever', async () => {
    const r = await sql({ sql: 'SELECT count(*) FROM range(1000000000000) a, range(1000000000000) b' });
    assert.equal(r.status, 504);
    assert.match(r.body.error, /interrupted after its time limit of 3000 ms/);
    assert.deepEqual(await rows('SELECT 42'), [[42]]); // the service still answers
  });

  it('fails a query that needs more than its memory limit with 400', async () => {
    const small = await SqlService.open(server.store, { threads: 1, memoryLimit: '64MB', maxSpillSize: '64MB', timeoutMs: 60_000, dedicatedColumns: [] });
    try {
      await assert.rejects(small.query({ sql: "SELECT length(string_agg(i::VARCHAR, ',')) FROM range(50000000) t(i)" }), (err: unknown) => {
        assert.ok(err instanceof BadQueryError);
        assert.match(err.message, /^sql: the query needs more than its memory limit of 64MB: Out of Memory Error/);
        return true;
      });
    } finally {
      small.close();
    }
  });

  it('reports unknown tables and columns as bad queries, and wants the token', async () => {
    const unknown = await sql({ sql: 'SELECT * FROM logs' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error, /unknown table "logs"/);
    const column = await sql({ sql: 'SELECT no_such_column FROM spans' });
    assert.equal(column.status, 400);
    assert.match(column.body.error, /Binder Error/);
    const anonymous = await sql({ sql: 'SELECT 1' }, {});
    assert.equal(anonymous.status, 401);
  });

  it('prints tables, CSV and JSON from the command line client', async () => {
    const options = { format: 'table' as const, limit: undefined, server: url, token: TOKEN, query: undefined };
    const table = await sqlCliOutput(options, "SELECT name, count(*) AS n FROM span_events WHERE trace_id_hex IN ('" + planted.traceId + "') GROUP BY name ORDER BY name");
    assert.equal(table, ['name       n', '---------  -', 'exception  1', 'retry      1', '(2 rows)'].join('\n'));
    assert.equal(await sqlCliOutput({ ...options, format: 'csv' }, 'SELECT 1 AS a, 2 AS b'), 'a,b\r\n1,2');
    const json = JSON.parse(await sqlCliOutput({ ...options, format: 'json' }, 'SELECT 1 AS a'));
    assert.deepEqual(json.rows, [[1]]);
    await assert.rejects(sqlCliOutput({ ...options, token: 'wrong' }, 'SELECT 1'), /HTTP 401/);
    await assert.rejects(sqlCliOutput(options, 'DROP VIEW spans'), /DROP is refused.*HTTP 400/);
  });

  describe('trace-id sets', () => {
    const realTraces = (): [string, number][] => [...spansPerTrace(loadgen)].slice(0, 5);

    const upload = async (body: Uint8Array, headers: Record<string, string>) => {
      const res = await fetch(`${url}/api/v1/trace-id-sets`, { method: 'POST', headers: { ...AUTH, ...headers }, body: Buffer.from(body) });
      return { status: res.status, body: (await res.json()) as { id: string; count: number; error?: string } };
    };

    it('joins a million uploaded ids with spans in SQL and through the filter for search', async (t) => {
      const real = realTraces();
      const expected = real.reduce((n, [, spans]) => n + spans, 0);
      const random = new Uint8Array(1_000_000 * 16);
      new Rng(99).fillBytes(random, 0, random.length);
      const hex = Buffer.from(random).toString('hex');
      const lines: string[] = real.map(([id]) => id);
      for (let i = 0; i < hex.length; i += 32) lines.push(hex.slice(i, i + 32));
      const body = gzipSync(Buffer.from(lines.join('\n')));

      let started = performance.now();
      const created = await upload(body, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
      const uploadMs = performance.now() - started;
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.count, 1_000_005);

      started = performance.now();
      const joined = await rows(`SELECT count(*), count(DISTINCT trace_id) FROM spans JOIN trace_id_set_${created.body.id} USING (trace_id)`);
      const joinMs = performance.now() - started;
      assert.deepEqual(joined, [[String(expected), '5']]);
      assert.deepEqual(await rows(`SELECT count(*) FROM trace_id_set_${created.body.id}`), [['1000005']]);

      // The semi-join search and comparison put in their WHERE clause, on an engine like theirs.
      const engine = await Engine.create({ dataDir: server.config.dataDir, threads: 1, memoryLimit: '512MB' });
      try {
        const snap = await server.store.snapshot();
        const files = [...snap.parts.map((p) => join(snap.dataDir, p.path)), ...snap.staged.map((f) => f.path)];
        started = performance.now();
        const filtered = await engine.all(`SELECT count(*) AS n FROM ${readParquetSql(files)} WHERE ${traceIdSetFilterSql(server.config.dataDir, created.body.id)}`);
        const filterMs = performance.now() - started;
        snap.release();
        assert.equal(Number(filtered[0]!['n']), expected);
        t.diagnostic(`1,000,005 ids (${(body.length / 1e6).toFixed(1)} MB gzip): upload ${uploadMs.toFixed(0)} ms, SQL join ${joinMs.toFixed(0)} ms, semi-join filter ${filterMs.toFixed(0)} ms over ${spanCount} spans`);
      } finally {
        engine.close();
      }
    });

    it('uploads a file of ids from the command line client and names it trace_id_set in the query', async () => {
      const real = realTraces();
      const expected = real.reduce((n, [, spans]) => n + spans, 0);
      const dir = await mkdtemp(join(tmpdir(), 'marquetry-ids-'));
      try {
        const text = join(dir, 'ids.txt.gz');
        await writeFile(text, gzipSync(Buffer.from(real.map(([id]) => id).join('\n'))));
        const binary = join(dir, 'ids.bin');
        await writeFile(binary, Buffer.concat(real.map(([id]) => Buffer.from(id, 'hex'))));
        const query = 'SELECT count(*) AS n FROM spans JOIN trace_id_set USING (trace_id)';
        for (const file of [text, binary]) {
          const options = parseSqlArgs([query, '--trace-ids', file, '--format', 'csv', '--server', url, '--token', TOKEN]);
          assert.ok(options !== 'help' && options.traceIds === file);
          const set = await uploadTraceIdFile(options, file);
          assert.equal(set.count, real.length);
          assert.equal(await sqlCliOutput(options, nameTraceIdSet(query, set.id)), `n\r\n${expected}`);
        }
        await assert.rejects(uploadTraceIdFile({ format: 'csv', limit: undefined, server: url, token: TOKEN, query }, join(dir, 'missing.txt')), /cannot read --trace-ids/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      assert.equal(nameTraceIdSet('SELECT * FROM trace_id_set, trace_id_set_00000000000000aa', 'bb'), 'SELECT * FROM trace_id_set_bb, trace_id_set_00000000000000aa');
    });

    it('finds the spans of a one-id set in parts with Parquet bloom filters', async () => {
      const [[id, spans]] = realTraces() as [[string, number]];
      const created = await upload(Buffer.from(id, 'hex'), { 'content-type': 'application/octet-stream' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.count, 1);
      const engine = await Engine.create({ dataDir: server.config.dataDir, threads: 1, memoryLimit: '256MB' });
      try {
        const parts = server.store.catalog.snapshot.parts.map((p) => join(server.config.dataDir, p.path));
        const r = await engine.all(`SELECT count(*) AS n FROM ${readParquetSql(parts)} WHERE ${traceIdSetFilterSql(server.config.dataDir, created.body.id)}`);
        assert.equal(Number(r[0]!['n']), spans);
      } finally {
        engine.close();
      }
    });

    it('answers 404 for an unknown or expired set and 400 for a malformed id', async () => {
      const missing = await sql({ sql: 'SELECT count(*) FROM trace_id_set_00000000000000aa' });
      assert.equal(missing.status, 404);
      assert.match(missing.body.error, /does not exist or has expired/);
      const malformed = await sql({ sql: 'SELECT count(*) FROM trace_id_set_nothex' });
      assert.equal(malformed.status, 400);

      const created = await upload(new TextEncoder().encode(`${ids.traceId()}\n`), { 'content-type': 'text/plain' });
      assert.equal(created.status, 201);
      assert.ok((await service.traceIdSets.sweep(Date.now() + 2 * 3600_000)) >= 1);
      const expired = await sql({ sql: `SELECT count(*) FROM trace_id_set_${created.body.id}` });
      assert.equal(expired.status, 404);
    });

    it('refuses malformed bodies with 400', async () => {
      const bad = await upload(new TextEncoder().encode('not-a-trace-id\n'), { 'content-type': 'text/plain' });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error ?? '', /unexpected character "n"/);
      const torn = await upload(new Uint8Array(20).fill(1), { 'content-type': 'application/octet-stream' });
      assert.equal(torn.status, 400);
    });
  });
});
