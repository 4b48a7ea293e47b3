// Log parts whose message text is stored as template + numbers
// (src/parts/log-text-template.ts) and doubles as decimals
// (log-decimal-double.ts): full-text search stays exact — words in the
// template, numbers, phrases across both, case-insensitively — and the API,
// field conditions, expand and SQL views give the fields as sent.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, startTestServer, type TestServer } from '../helpers/test-server.js';
import { join } from 'node:path';
import { seededRandom } from '../../src/model/seeded-random.js';
import { PartPagesCache, readRowsAt, scanRows } from '../../src/query/part-pages.js';
import { isSearchableLogColumn, wordValueTests } from '../../src/query/logs/log-sql.js';
import { searchLogColumns } from '../../src/parts/log-part-projection.js';

const MESSAGES: ((n: (m: number) => number) => string)[] = [
  (n) => `order ${n(100_000)} created with ${1 + n(9)} items`,
  (n) => `user u-${n(5000)} logged in from 10.${n(255)}.${n(255)}.${n(255)}`,
  (n) => `query took ${n(2000)} ms: SELECT * FROM orders WHERE user_id = ${n(1000)}`,
  (n) => `connection refused by db-${n(8)}:5432, retrying in ${n(10)} s`,
  (n) => `Timeout after ${n(30)}000 ms calling inventory-service`,
  (n) => `session ${n(2 ** 30).toString(16)} resumed on db-${n(8)}:5432`,
];
const SPECIAL = ['agent 007 reporting, code 0', 'ORDER 4711 Created With 3 Items', 'order x4711 and 47110 and 4711.5', 'big 12345678901234567 and 2147483648 and 2147483647', 'braces {0} %d \\ "quoted" 4711', 'session 3fA9c2 and 0A1B resumed, 00ff 3FA9C2'];

function lines(count: number, base: number): { line: string; record: Record<string, unknown> }[] {
  const r = seededRandom(5);
  const n = (m: number): number => Math.floor(r() * m);
  return Array.from({ length: count }, (_, i) => {
    const msg = i % 97 === 3 ? SPECIAL[((i / 97) | 0) % SPECIAL.length]! : MESSAGES[n(MESSAGES.length)]!(n);
    const record: Record<string, unknown> = { t: base + i, msg, seq: i, duration_ms: Math.round(r() * 200_000) / 100 };
    if (i % 5 === 0) record['items'] = Array.from({ length: 1 + n(3) }, () => ({ sku: `SKU-${n(500)}`, qty: 1 + n(5) }));
    return { line: JSON.stringify(record), record };
  });
}

const WORD = (w: string): RegExp => new RegExp(`(^|[^\\p{L}\\p{N}_])${w}($|[^\\p{L}\\p{N}_])`, 'iu');

describe('log parts with message templates', () => {
  let server: TestServer;
  const base = Math.floor(Date.now() / 86_400_000) * 86_400 + 60;
  const sent = lines(3000, base);

  before(async () => {
    server = await startTestServer({ flushIntervalMs: 3_600_000, compactIntervalMs: 3_600_000 });
    const r = await getJson(`${server.apiUrl}/api/v1/ingest/app?time_field=t`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: sent.map((l) => l.line).join('\n') });
    assert.equal(r.body.accepted, sent.length);
    await server.logs.flush();
  });
  after(() => server.close());

  const search = async (query: string): Promise<number[]> => {
    const r = await getJson(`${server.apiUrl}/api/v1/logs?limit=5000&query=${encodeURIComponent(query)}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.records.map((x: any) => x.body.seq as number).sort((a: number, b: number) => a - b);
  };
  /** seq of the records whose text (the message and the items' JSON, as search reads them) passes `test` */
  const expected = (test: (text: string) => boolean): number[] =>
    sent.filter((l) => test(`${l.record['msg'] as string}\u001e${l.record['items'] === undefined ? '' : JSON.stringify(l.record['items'])}`)).map((l) => l.record['seq'] as number);

  it('stores the message and the items as template + numbers, the duration as decimals', () => {
    const [part] = server.logs.catalog.snapshot.parts;
    assert.ok(part);
    assert.ok(part.columns.includes('body.msg::template') && part.columns.includes('body.msg::template.0') && part.columns.includes('body.msg::template.id0'), part.columns.join(', '));
    assert.ok(!part.columns.includes('body.msg'));
    assert.ok(part.columns.includes('body.duration_ms::double::decimal.2') && !part.columns.includes('body.duration_ms::double'), part.columns.join(', '));
  });

  it('finds words of the template, numbers and phrases across both, exactly and case-insensitively', async () => {
    for (const word of ['created', 'CREATED', 'refused', 'u', 'timeout', '5432', '4711', '007', '0', '10', '2147483647', '2147483648', '12345678901234567', 'x4711', '3fa9c2', '3FA9C2', '0a1b', '00ff', 'session', 'resumed']) {
      const got = await search(word);
      const want = expected((m) => WORD(word).test(m));
      const extra = got.filter((x) => !want.includes(x)).map((x) => sent[x]!.record['msg']);
      const missing = want.filter((x) => !got.includes(x)).map((x) => sent[x]!.record['msg']);
      assert.deepEqual({ extra: extra.slice(0, 5), missing: missing.slice(0, 5) }, { extra: [], missing: [] }, word);
    }
    // the search's cheap test read from the pages (a rare word's chunks: src/query/logs/log-search.ts) keeps every row holding the word
    const [part] = server.logs.catalog.snapshot.parts;
    const pages = new PartPagesCache().get(join(server.config.dataDir, part!.path));
    const fileColumns = new Set(part!.columns);
    const textColumns = [...searchLogColumns(part!.columns)].filter(isSearchableLogColumn);
    for (const word of ['created', 'refused', 'u', 'timeout', '5432', '4711', '007', '0', '2147483647', '2147483648', 'x4711', '3fa9c2', '0a1b', '00ff']) {
      const rows = await scanRows(pages, 0, part!.rows - 1, textColumns.flatMap((c) => wordValueTests(c, word, fileColumns)));
      const seqs = new Set((await readRowsAt(pages, rows)).map((r) => Number(r['body.seq::int'])));
      assert.deepEqual(expected((m) => WORD(word).test(m)).filter((seq) => !seqs.has(seq)), [], word);
    }
    const phrase = (text: string): RegExp => WORD(text.split(' ').join('[^\\p{L}\\p{N}_]+'));
    for (const p of ['order 4711 created', 'retrying in 3 s', 'db 3 5432', 'from 10', '4711 and 47110', 'session 3fa9c2 and 0a1b', '5432 session']) {
      assert.deepEqual(await search(`"${p}"`), expected((m) => phrase(p).test(m)), p);
    }
  });

  it('gives every record back as sent, and the text to field conditions, expand and SQL', async () => {
    const all = await getJson(`${server.apiUrl}/api/v1/logs?limit=5000`);
    const bySeq = new Map(all.body.records.map((x: any) => [x.body.seq, x.body]));
    assert.equal(bySeq.size, sent.length);
    for (const { record } of sent) assert.deepEqual(bySeq.get(record['seq']), record);
    const one = sent[1234]!.record['msg'] as string;
    assert.deepEqual(await search(`| msg = "${one.replaceAll('"', '\\"')}"`), expected((text) => text.split('\u001e')[0] === one));
    assert.deepEqual(await search(`| msg != "${one.replaceAll('"', '\\"')}"`), expected((text) => text.split('\u001e')[0] !== one));
    for (const other of ['agent 007 reporting, code 0', 'no such message', 'too many 1 2 3 4 5 6 7 8 9 numbers', 'session 3fA9c2 and 0A1B resumed, 00ff 3FA9C2', 'session 3fa9c2 and 0A1B resumed, 00ff 3FA9C2']) {
      assert.deepEqual(await search(`| msg = "${other}"`), expected((text) => text.split('\u001e')[0] === other), other);
    }
    const slow = (await getJson(`${server.apiUrl}/api/v1/logs?limit=5000&query=${encodeURIComponent('| duration_ms > 1500.5')}`)).body.records.map((x: any) => x.body.seq).sort((a: number, b: number) => a - b);
    assert.deepEqual(slow, sent.filter((l) => (l.record['duration_ms'] as number) > 1500.5).map((l) => l.record['seq']));
    const sql = await getJson(`${server.apiUrl}/api/v1/sql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: `SELECT "body.msg", "body.items::array", "body.duration_ms::double" FROM logs ORDER BY "body.seq::int"`, format: 'json' }),
    });
    assert.equal(sql.status, 200, JSON.stringify(sql.body));
    assert.deepEqual(
      sql.body.rows,
      sent.map((l) => [l.record['msg'], l.record['items'] === undefined ? null : JSON.stringify(l.record['items']), Number.isInteger(l.record['duration_ms']) ? null : l.record['duration_ms']]),
    );
    const skus = await getJson(`${server.apiUrl}/api/v1/logs/expand?field=items&limit=1000&where=${encodeURIComponent('items.qty >= 5')}`);
    assert.equal(skus.status, 200, JSON.stringify(skus.body));
    const expectedSkus = sent.flatMap((l) => ((l.record['items'] as { sku: string; qty: number }[] | undefined) ?? []).filter((x) => x.qty >= 5).map((x) => x.sku)).sort();
    assert.deepEqual(skus.body.rows.map((x: any) => x.fields['items.sku']).sort(), expectedSkus);
  });
});
