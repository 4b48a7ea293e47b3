// What storage keeps: a key sent with different types in different spans
// keeps each value with its own type (one typed column per key and type),
// every OTLP field survives the trip through the head and through Parquet,
// and the parts are plain Parquet that DuckDB and ClickHouse read directly.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { query as chdbQuery } from 'chdb';
import { SpanBatchBuilder } from '../../src/model/span-batch-builder.js';
import { ValueType } from '../../src/model/span-batch.js';
import { hexOf } from '../../src/model/hex.js';
import { Rng } from '../../src/loadgen/rng.js';
import { generateTraces } from '../../src/loadgen/trace-generator.js';
import { encodeExportTraceServiceRequest } from '../../src/receive/otlp-proto-encode.js';
import { getJson, startTestServer, type TestServer } from '../helpers/test-server.js';
import { HexIds, arr, bool, bytes, dbl, int, kv, kvlist, postOtlpJson, postOtlpProto, serviceRequest, str, type AnyValueJson } from '../helpers/otlp-json.js';
import { flattenResourceSpans } from '../helpers/otlp-compare.js';
import { catalogPartPaths, duckdbRows, parquetList } from '../helpers/part-files.js';

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

async function traceResourceSpans(server: TestServer, traceId: string): Promise<any[]> {
  const r = await getJson(`${server.apiUrl}/api/traces/${traceId}`);
  assert.equal(r.status, 200, `trace ${traceId}: ${JSON.stringify(r.body)}`);
  return r.body.batches;
}

function chdbRows(sql: string): Record<string, unknown>[] {
  return chdbQuery(sql, 'JSONEachRow')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('storage of attribute types and every OTLP field', () => {
  let server: TestServer;
  const ids = new HexIds(77);
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.dispose();
  });

  describe('one key sent with six different types', () => {
    const traceId = ids.traceId();
    const values: [string, AnyValueJson, string, string][] = [
      ['as-string', str('forty-two'), 'span.app.value', 'VARCHAR'],
      ['as-int', int(42), 'span.app.value::int', 'BIGINT'],
      ['as-double', dbl(4.25), 'span.app.value::double', 'DOUBLE'],
      ['as-bool', bool(true), 'span.app.value::bool', 'BOOLEAN'],
      ['as-array', arr(str('a'), int(1)), 'span.app.value::array', 'VARCHAR'],
      ['as-kvlist', kvlist(kv('inner', str('x'))), 'span.app.value::kvlist', 'VARCHAR'],
    ];

    const checkValues = async (): Promise<void> => {
      const spans = (await traceResourceSpans(server, traceId)).flatMap((rs) => rs.scopeSpans.flatMap((ss: any) => ss.spans));
      assert.equal(spans.length, values.length);
      for (const [name, value] of values) {
        const span = spans.find((s: any) => s.name === name);
        assert.ok(span, name);
        assert.deepEqual(span.attributes, [{ key: 'app.value', value }], name);
      }
    };

    it('accepts all of them and returns each with its own type from the head', async () => {
      const start = nowNs();
      const spans = values.map(([name, value], i) => ({
        traceId,
        spanId: ids.spanId(),
        name,
        kind: 1,
        startTimeUnixNano: String(start + BigInt(i) * 1000n),
        endTimeUnixNano: String(start + BigInt(i) * 1000n + 500n),
        attributes: [kv('app.value', value)],
      }));
      const r = await postOtlpJson(server.otlpUrl, serviceRequest('types', spans));
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, {}, 'no partial success: nothing rejected');
      await checkValues();
    });

    it('flushes them into separate typed columns of one part and still returns each with its own type', async () => {
      await server.store.flush();
      await checkValues();
      const paths = await catalogPartPaths(server.config.dataDir);
      const schema = await duckdbRows(`DESCRIBE SELECT * FROM ${parquetList(paths)}`);
      const typeOf = new Map(schema.map((r) => [String(r['column_name']), String(r['column_type'])]));
      for (const [, , column, type] of values) assert.equal(typeOf.get(column), type, column);
      const cols = values.map(([, , c]) => `"${c}"`).join(', ');
      const rows = await duckdbRows(`SELECT name, ${cols} FROM ${parquetList(paths)} WHERE lower(hex(trace_id)) = '${traceId}' ORDER BY start_time_unix_nano`);
      assert.equal(rows.length, values.length);
      rows.forEach((row, i) => {
        const present = values.filter(([, , c]) => row[c] !== null).map(([, , c]) => c);
        assert.deepEqual(present, [values[i]![2]], `${String(row['name'])} fills only its own column`);
      });
      assert.equal(rows[1]!['span.app.value::int'], 42n);
      assert.equal(rows[2]!['span.app.value::double'], 4.25);
    });

    it('finds spans by the value of either type in TraceQL', async () => {
      for (const q of ['{ span.app.value = 42 }', '{ span.app.value = "forty-two" }', '{ span.app.value = 4.25 }', '{ span.app.value = true }']) {
        const r = await getJson(`${server.apiUrl}/api/search?${new URLSearchParams({ q })}`);
        assert.equal(r.status, 200, q);
        assert.deepEqual(r.body.traces.map((t: any) => [t.traceID, t.spanSets[0].matched]), [[traceId, 1]], q);
      }
    });
  });

  describe('attribute keys whose column names collide', () => {
    // Column names escape keys (src/parts/schema.ts) so neither collides.
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(async () => {
      await server.dispose();
    });
    const sendAndRead = async (service: string, attrsOfSpans: [string, AnyValueJson][]): Promise<{ traceId: string; spans: any[] }> => {
      const traceId = ids.traceId();
      const start = nowNs();
      const spans = attrsOfSpans.map(([key, value], i) => ({
        traceId,
        spanId: ids.spanId(),
        name: `span-${i}`,
        kind: 1,
        startTimeUnixNano: String(start + BigInt(i)),
        endTimeUnixNano: String(start + BigInt(i) + 10n),
        attributes: [kv(key, value)],
      }));
      assert.equal((await postOtlpJson(server.otlpUrl, serviceRequest(service, spans))).status, 200);
      await server.store.flush();
      const got = (await traceResourceSpans(server, traceId)).flatMap((rs) => rs.scopeSpans.flatMap((ss: any) => ss.spans));
      return { traceId, spans: got.sort((a: any, b: any) => a.name.localeCompare(b.name)) };
    };

    it('keeps a string key that ends in "::int" apart from the int column of the key without it', async () => {
      const { spans } = await sendAndRead('suffix-keys', [['x::int', str('not a number')], ['x', int(5)]]);
      assert.deepEqual(spans.map((s) => s.attributes), [[{ key: 'x::int', value: str('not a number') }], [{ key: 'x', value: int(5) }]]);
      assert.equal((await getJson(`${server.apiUrl}/api/search?${new URLSearchParams({ q: '{ span.x = 5 }' })}`)).status, 200);
    });

    it('keeps keys that differ only in case apart', async () => {
      const { traceId, spans } = await sendAndRead('case-keys', [['Foo', str('UP')], ['foo', str('low')]]);
      assert.deepEqual(spans.map((s) => s.attributes), [[{ key: 'Foo', value: str('UP') }], [{ key: 'foo', value: str('low') }]]);
      const r = await getJson(`${server.apiUrl}/api/search?${new URLSearchParams({ q: '{ span.foo = "low" }' })}`);
      assert.deepEqual(r.body.traces.map((t: any) => t.traceID), [traceId]);
    });
  });

  describe('every OTLP field, through the head and through a part', () => {
    const traceId = ids.traceId();
    const rootId = ids.spanId();
    const start = nowNs();
    const t = (offsetNs: number): string => String(start + BigInt(offsetNs));
    const root = {
      traceId,
      spanId: rootId,
      traceState: 'vendor=abc,other=1',
      flags: 257,
      name: 'exotic root',
      kind: 2,
      startTimeUnixNano: t(0),
      endTimeUnixNano: t(9_000_000),
      attributes: [
        kv('nested', kvlist(kv('a', kvlist(kv('b', arr(int(1), kvlist(kv('c', bool(true))))))), kv('empty', {}))),
        kv('blob', bytes(Uint8Array.from([0, 1, 2, 254, 255]))),
        kv('nothing', {}),
        kv('mixed', arr(str('s'), int(7), dbl(2.5), bool(true), arr(), kvlist(kv('k', str('v'))), {})),
        kv('big.int', int(9007199254740993n)),
        kv('neg.double', dbl(-12.125)),
        kv('unicode', str('naïve ☃ 😀 "quoted"\n\ttab')),
        kv('http.route', str('/exotic/:id')),
      ],
      droppedAttributesCount: 2,
      events: [
        { timeUnixNano: t(1000), name: 'cache.miss', attributes: [kv('key', str('user:1')), kv('tries', int(3)), kv('ratio', dbl(0.75))], droppedAttributesCount: 1 },
        { timeUnixNano: t(2000), name: 'exception', attributes: [kv('exception.type', str('TypeError')), kv('exception.stacktrace', arr(str('at a'), str('at b')))] },
        { timeUnixNano: t(3000), name: 'bare' },
      ],
      droppedEventsCount: 4,
      links: [
        { traceId: ids.traceId(), spanId: ids.spanId(), traceState: 'l=1', attributes: [kv('link.kind', str('cause')), kv('link.n', int(7))], droppedAttributesCount: 5, flags: 1 },
        { traceId: ids.traceId(), spanId: ids.spanId() },
      ],
      droppedLinksCount: 6,
      status: { code: 2, message: 'boom' },
    };
    const child = { traceId, spanId: ids.spanId(), parentSpanId: rootId, name: 'child', kind: 1, startTimeUnixNano: t(10_000), endTimeUnixNano: t(20_000), status: { code: 1 } };
    const other = { traceId, spanId: ids.spanId(), parentSpanId: rootId, name: 'elsewhere', kind: 3, startTimeUnixNano: t(30_000), endTimeUnixNano: t(40_000), attributes: [kv('only.here', dbl(1e-9))] };
    const request = {
      resourceSpans: [
        {
          resource: {
            attributes: [
              kv('service.name', str('exotic')),
              kv('host.name', str('box-7')),
              kv('res.nested', kvlist(kv('region', str('eu')), kv('zones', arr(str('a'), str('b'))), kv('limits', kvlist(kv('cpu', dbl(1.5)), kv('mem', int(2048)))))),
              kv('res.mixed', arr(str('x'), int(-3), dbl(0.5), bool(false))),
            ],
            droppedAttributesCount: 3,
          },
          schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
          scopeSpans: [
            {
              scope: { name: 'exotic-scope', version: '2.0.1', attributes: [kv('scope.attr', str('yes')), kv('scope.level', int(4))], droppedAttributesCount: 1 },
              schemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
              spans: [root, child],
            },
          ],
        },
        { resource: { attributes: [kv('service.name', str('exotic-2'))] }, scopeSpans: [{ scope: { name: 'plain' }, spans: [other] }] },
      ],
    };
    const expected = flattenResourceSpans(request.resourceSpans);

    const checkRoundTrip = async (): Promise<void> => {
      const got = flattenResourceSpans(await traceResourceSpans(server, traceId));
      assert.deepEqual([...got.keys()].sort(), [...expected.keys()].sort());
      for (const [spanId, want] of expected) assert.deepEqual(got.get(spanId), want, `span ${spanId}`);
    };

    it('returns every field as sent while the spans are in the head', async () => {
      const r = await postOtlpJson(server.otlpUrl, request);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, {});
      await checkRoundTrip();
    });

    it('returns every field as sent after a flush into Parquet', async () => {
      await server.store.flush();
      assert.equal(server.store.stats().headPendingRows + server.store.stats().headStagedRows, 0);
      await checkRoundTrip();
    });
  });
});

describe('parts are plain Parquet', () => {
  let server: TestServer;
  const builder = new SpanBatchBuilder();
  generateTraces(builder, { traces: 40, rng: new Rng(31337), nowUnixNano: nowNs() });
  const batch = builder.finish();
  const traceId = hexOf(batch.traceId, 0, 16);
  const spansOfTrace = new Set<string>();
  for (let i = 0; i < batch.length; i++) if (hexOf(batch.traceId, i * 16, 16) === traceId) spansOfTrace.add(hexOf(batch.spanId, i * 8, 8));
  const routes = new Map<string, number>();
  const a = batch.attributes;
  for (let i = 0; i < a.length; i++) {
    if (a.key[i] === 'http.route' && a.type[i] === ValueType.String) routes.set(a.str[i]!, (routes.get(a.str[i]!) ?? 0) + 1);
  }
  const routeCount = [...routes.values()].reduce((x, y) => x + y, 0);
  let paths: string[] = [];

  before(async () => {
    server = await startTestServer();
    const r = await postOtlpProto(server.otlpUrl, encodeExportTraceServiceRequest(batch));
    assert.equal(r.status, 200);
    await server.store.flush();
    paths = await catalogPartPaths(server.config.dataDir);
  });
  after(async () => {
    await server.dispose();
  });

  it('is read by a fresh DuckDB: row count, a trace by hex id, a dotted attribute column', async () => {
    assert.ok(paths.length >= 1);
    assert.ok(routeCount > 0, 'the generated load has http.route attributes');
    const [count] = await duckdbRows(`SELECT count(*) AS n, count(DISTINCT trace_id) AS traces, count("span.http.route") AS routes FROM ${parquetList(paths)}`);
    assert.equal(Number(count!['n']), batch.length);
    assert.equal(Number(count!['traces']), 40);
    assert.equal(Number(count!['routes']), routeCount);
    const trace = await duckdbRows(`SELECT lower(hex(span_id)) AS id, lower(hex(trace_id)) AS trace FROM ${parquetList(paths)} WHERE lower(hex(trace_id)) = '${traceId}'`);
    assert.deepEqual(new Set(trace.map((r) => String(r['id']))), spansOfTrace);
    const perRoute = await duckdbRows(`SELECT "span.http.route" AS route, count(*) AS n FROM ${parquetList(paths)} WHERE "span.http.route" IS NOT NULL GROUP BY 1`);
    assert.deepEqual(new Map(perRoute.map((r) => [String(r['route']), Number(r['n'])])), routes);
  });

  it('is read by ClickHouse (chdb): row count, a trace by hex id, a dotted attribute column', () => {
    let rows = 0;
    let withRoute = 0;
    const spanIds = new Set<string>();
    for (const path of paths) {
      const [c] = chdbRows(`SELECT count() AS n, countIf(\`span.http.route\` IS NOT NULL) AS routes FROM file('${path}', Parquet)`);
      rows += Number(c!['n']);
      withRoute += Number(c!['routes']);
      for (const r of chdbRows(`SELECT lower(hex(span_id)) AS id FROM file('${path}', Parquet) WHERE lower(hex(trace_id)) = '${traceId}'`)) spanIds.add(String(r['id']));
    }
    assert.equal(rows, batch.length);
    assert.equal(withRoute, routeCount);
    assert.deepEqual(spanIds, spansOfTrace);
  });
});
