// JSON lines of arbitrary records through POST /api/v1/ingest/{stream}: no
// schema, nested objects flattened, a field that changes type between records
// kept in each form (seed 004), bad lines reported by number while the good
// ones are stored, records read back exactly as sent.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { getJson, startTestServer, type TestServer } from '../helpers/test-server.js';

const EVENTS = [
  { ts: '2026-03-01T10:00:00.000000001Z', event_name: 'event 1', value: 'this is first value', level: 'info' },
  { ts: '2026-03-01T10:00:01Z', event_name: 'event 2', value: { reason: 'Ok' }, level: 'warn' },
  { ts: '2026-03-01T10:00:02Z', event_name: 'event 3', value: 42, items: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 5 }], level: 'error' },
  { ts: '2026-03-01T10:00:03Z', event_name: 'event 4', value: null, 'dotted.key': true, empty: {}, deep: { a: { b: { c: 'd' } } } },
];

async function ingest(server: TestServer, stream: string, body: string | Uint8Array, query = '', headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return getJson(`${server.apiUrl}/api/v1/ingest/${stream}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', ...headers },
    body: body as BodyInit,
  });
}

async function search(server: TestServer, query: string, extra = ''): Promise<any[]> {
  const r = await getJson(`${server.apiUrl}/api/v1/logs?query=${encodeURIComponent(query)}&limit=1000${extra}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.records;
}

describe('JSON lines ingest', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.dispose();
  });

  it('stores every good line and names each bad one by line number', async () => {
    const lines = [JSON.stringify(EVENTS[0]), '{"broken":', JSON.stringify(EVENTS[1]), '[1,2]', '', JSON.stringify(EVENTS[2]), JSON.stringify(EVENTS[3])];
    const r = await ingest(server, 'shop', lines.join('\n'), '?time_field=ts');
    assert.equal(r.status, 200);
    assert.equal(r.body.accepted, 4);
    assert.equal(r.body.rejected, 2);
    assert.deepEqual(r.body.errors.map((e: { line: number }) => e.line), [2, 4]);
    assert.match(r.body.errors[0].reason, /not valid JSON/);
    assert.match(r.body.errors[1].reason, /expected a JSON object, got an array/);
  });

  it('reads every record back exactly as sent, newest first, with the time from the time field', async () => {
    const got = await search(server, '{stream="shop"}');
    assert.deepEqual(got.map((r) => r.body), [...EVENTS].reverse());
    assert.equal(got[3].timeUnixNano, '1772359200000000001');
    assert.deepEqual(got.map((r) => r.severityText), ['', 'error', 'warn', 'info']);
    assert.deepEqual(got.map((r) => r.severityNumber), [0, 17, 13, 9]);
  });

  it('keeps a field that changes type queryable in each of its forms', async () => {
    assert.deepEqual((await search(server, 'value = "this is first value"')).map((r) => r.body.event_name), ['event 1']);
    assert.deepEqual((await search(server, 'value.reason = "Ok"')).map((r) => r.body.event_name), ['event 2']);
    assert.deepEqual((await search(server, 'value >= 40')).map((r) => r.body.event_name), ['event 3']);
    assert.deepEqual((await search(server, 'deep.a.b.c = "d"')).map((r) => r.body.event_name), ['event 4']);
  });

  it('counts records per time bucket and severity level, empty buckets included', async () => {
    const start = 1772359200n * 1_000_000_000n;
    const r = await getJson(`${server.apiUrl}/api/v1/logs/histogram?stream=shop&start=${start}&end=${start + 5_000_000_000n}&step=1s`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.buckets.map((b: any) => b.counts),
      [{ info: 1 }, { warn: 1 }, { error: 1 }, { unspecified: 1 }, {}, {}],
    );
  });

  it('finds records by words in any string field, case-insensitively', async () => {
    assert.deepEqual((await search(server, 'FIRST')).map((r) => r.body.event_name), ['event 1']);
    assert.deepEqual((await search(server, '"event 2"')).map((r) => r.body.event_name), ['event 2']);
    assert.deepEqual((await search(server, '{stream="shop"} != "event"')).length, 0);
    assert.deepEqual((await search(server, '{stream="shop"} | severity >= WARN')).map((r) => r.body.event_name), ['event 3', 'event 2']);
  });

  it('expands an array of objects into one row per element with flat columns, in SQL', async () => {
    const sql = async (q: string): Promise<unknown[][]> => {
      const r = await getJson(`${server.apiUrl}/api/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: q, format: 'json' }) });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.rows;
    };
    assert.deepEqual(await sql(`SELECT "body.event_name", "items.sku", "items.qty" FROM logs_expand_items WHERE "items.qty" > 2`), [['event 3', 'b', '5']]);
    assert.deepEqual(await sql(`SELECT count(*) FROM logs WHERE stream = 'shop'`), [['4']]);
    assert.deepEqual(await sql(`SELECT "body.value.reason" FROM logs WHERE "body.value.reason" IS NOT NULL`), [['Ok']]);
  });

  it('expands an array of objects into one row per element through the API, filtered on element fields', async () => {
    const r = await getJson(`${server.apiUrl}/api/v1/logs/expand?field=items&stream=shop&where=${encodeURIComponent('qty >= 1')}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.rows.map((x: any) => [x.index, x.fields]), [[0, { 'items.sku': 'a', 'items.qty': 1 }], [1, { 'items.sku': 'b', 'items.qty': 5 }]]);
    const big = await getJson(`${server.apiUrl}/api/v1/logs/expand?field=items&where=${encodeURIComponent('items.qty > 2')}`);
    assert.deepEqual(big.body.rows.map((x: any) => x.fields['items.sku']), ['b']);
    assert.equal((await getJson(`${server.apiUrl}/api/v1/logs/expand?where=qty`)).status, 400);
  });

  it('accepts gzip bodies and uses the arrival time without a time field', async () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const r = await ingest(server, 'zipped', gzipSync(Buffer.from('{"a":1}\n{"a":"x"}\n')), '', { 'content-encoding': 'gzip' });
    assert.equal(r.body.accepted, 2);
    const got = await search(server, '{stream="zipped"}');
    assert.equal(got.length, 2);
    assert.ok(got.every((x) => BigInt(x.timeUnixNano) >= before));
  });

  it('answers 400 when no line is good, 415 for another content type, 400 for a bad stream name', async () => {
    assert.equal((await ingest(server, 'shop', 'nope\n[]')).status, 400);
    assert.equal((await ingest(server, 'shop', '{}', '', { 'content-type': 'application/xml' })).status, 415);
    assert.equal((await ingest(server, 'bad%20name', '{}')).status, 400);
  });

  it('pages through results with the cursor, newest first, each record once', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => JSON.stringify({ t: 1_700_000_000 + (i % 5), i, msg: 'paging test' })).join('\n');
    await ingest(server, 'pages', lines, '?time_field=t');
    await server.logs.flush();
    const seen: number[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const r = await getJson(`${server.apiUrl}/api/v1/logs?stream=pages&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...r.body.records.map((x: any) => x.body.i));
      if (!r.body.nextCursor) break;
      cursor = r.body.nextCursor;
    }
    assert.equal(seen.length, 25);
    assert.equal(new Set(seen).size, 25);
    const times = seen.map((i) => i % 5);
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
  });

  it('stores every line of concurrent requests once, with each request\'s bad lines, before and after a flush', async () => {
    const requests = Array.from({ length: 12 }, (_, k) => {
      const lines = Array.from({ length: 60 }, (_, i) => JSON.stringify({ t: 1_700_000_100 + i, req: k, i, msg: 'concurrent lines' }));
      lines.splice(k, 0, `{"req": ${k}, broken`);
      return lines.join('\n');
    });
    const answers = await Promise.all(requests.map((body) => ingest(server, 'spread', body, '?time_field=t')));
    assert.deepEqual(answers.map((r) => [r.status, r.body.accepted, r.body.errors.map((e: { line: number }) => e.line)]), requests.map((_, k) => [200, 60, [k + 1]]));
    const staged = server.logs.stats().headStagedRows + server.logs.stats().headPendingRows;
    assert.ok(staged >= 720, `in the head before the flush (${staged})`);
    const keys = async (): Promise<string[]> => (await search(server, '{stream="spread"}')).map((x) => `${x.body.req}/${x.body.i}`).sort();
    const expected = requests.flatMap((_, k) => Array.from({ length: 60 }, (_, i) => `${k}/${i}`)).sort();
    assert.deepEqual(await keys(), expected, 'searchable once each at once (a seal before the query)');
    await server.logs.flush();
    assert.deepEqual(await keys(), expected, 'once each in parts');
  });
});

describe('JSON lines ingest limits', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ maxRequestBytes: 64 * 1024 });
  });
  after(async () => {
    await server.dispose();
  });

  it('answers 413 for a body over the limit, declared, streamed or inflated, and 415 for another encoding, storing nothing', async () => {
    const line = JSON.stringify({ msg: 'x'.repeat(100) });
    const big = Array.from({ length: 1000 }, () => line).join('\n');
    assert.equal((await ingest(server, 'big', big)).status, 413);
    const streamed = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(Buffer.from(big.slice(0, 20_000)));
        controller.close();
      },
    });
    const r = await fetch(`${server.apiUrl}/api/v1/ingest/big`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: streamed, duplex: 'half' } as RequestInit);
    assert.equal(r.status, 413);
    assert.match(((await r.json()) as { error: string }).error, /ingest: body exceeds the limit/);
    assert.equal((await ingest(server, 'big', gzipSync(Buffer.from(big)), '', { 'content-encoding': 'gzip' })).status, 413);
    assert.equal((await ingest(server, 'big', '{}', '', { 'content-encoding': 'deflate' })).status, 415);
    assert.equal((await ingest(server, 'small', line)).status, 200, 'a body within the limit is taken');
    assert.deepEqual((await search(server, '{stream="big"}')).length, 0);
  });
});
