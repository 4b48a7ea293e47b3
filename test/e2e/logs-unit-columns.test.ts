// A request's per-request fields (its host, path, status, user, …) stored
// once per unit of work in log parts (src/parts/log-unit-columns.ts): the
// flush writes them as `<column>::unit` on one row of each unit with
// `__unit_row` on every line, and the API, full-text search, field
// conditions, the pages' cheap word tests, the histogram, expand and the SQL
// views give every record as ingested — also from a part merged with one in
// line form.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, startTestServer, type TestServer } from '../helpers/test-server.js';
import { cheapTestMisses, ingestLines, recordsBySeq, searchSeqs, sqlRows } from '../helpers/log-lines.js';
import { UNIT_ROW_COLUMN, lineFormColumns, unitColumnsOf } from '../../src/parts/log-unit-columns.js';

const HOSTS = ['cart-7f9c1', 'cart-7f9c2', 'checkout-api-3', 'search-1'];
const PATHS = ['/api/cart', '/api/checkout', '/api/search', '/healthz'];
const TIERS = ['gold', 'silver', 'free'];

/** Stream `app`: requests of 1–5 lines, three at a time interleaved; each request's fields the same on its lines. */
function appLines(base: number, count: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let request = 0;
  const open: { id: number; left: number }[] = [];
  for (let seq = 0; out.length < count; seq++) {
    while (open.length < 3) open.push({ id: request, left: 1 + ((request * 7) % 5) }), request++;
    const r = open[seq % open.length]!;
    const host = HOSTS[r.id % HOSTS.length]!;
    const record: Record<string, unknown> = {
      t: base + seq,
      seq,
      req_id: `req-${r.id.toString(16).padStart(6, '0')}`,
      host,
      service: host.slice(0, host.lastIndexOf('-')),
      http: { path: PATHS[(r.id * 3) % PATHS.length], method: r.id % 4 === 0 ? 'POST' : 'GET', status: r.id % 9 === 0 ? 503 : 200, duration_ms: (r.id * 37) % 1000 / 100 },
      user: { id: `user-${(r.id * 13) % 97}`, tier: TIERS[r.id % TIERS.length] },
      msg: `step ${r.left} of request ${r.id % 50} took ${(seq * 7) % 300} ms`,
    };
    // a request without a user, and one field absent on some requests: nulls as unit values
    if (r.id % 11 === 4) delete record['user'];
    if (r.id % 6 === 1) record['cart'] = [{ sku: `sku-${r.id % 5}`, qty: 1 + (r.id % 3) }];
    out.push(record);
    if (--r.left === 0) open.splice(seq % open.length, 1);
  }
  return out;
}

/** Stream `solo`: every record its own request (no field repeats on a unit's lines): stored in line form. */
function soloLines(base: number, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({ t: base + i, seq: 10_000 + i, req_id: `solo-${i}`, host: HOSTS[i % HOSTS.length], msg: `lonely ${i % 10} line` }));
}

describe('log parts storing per-request fields once per unit of work', () => {
  let server: TestServer;
  const base = Math.floor(Date.now() / 86_400_000) * 86_400 + 60;
  const app = appLines(base, 600);
  const solo = soloLines(base + 2000, 150);
  const sent: Record<string, any>[] = [...app, ...solo];

  const search = (query: string): Promise<number[]> => searchSeqs(server, query);
  const seqs = (test: (r: Record<string, any>) => boolean): number[] => sent.filter(test).map((r) => r['seq'] as number).sort((a, b) => a - b);
  const hasWord = (v: unknown, word: string): boolean => typeof v === 'string' && new RegExp(`(^|[^\\p{L}\\p{N}_])${word}($|[^\\p{L}\\p{N}_])`, 'iu').test(v);

  const checkReads = async (): Promise<void> => {
    const bySeq = await recordsBySeq(server, sent.length);
    for (const record of sent) assert.deepEqual(bySeq.get(record['seq'] as number).body, record);
    // words of unit fields, by full-text search (the rare word goes through the pages' cheap tests)
    assert.deepEqual(await search('checkout'), seqs((r) => [r['host'], r['service'], r['http']?.path].some((v) => hasWord(v, 'checkout'))));
    assert.deepEqual(await search('"user-26"'), seqs((r) => r['user']?.id === 'user-26'));
    assert.deepEqual(await search('req-00002a'), seqs((r) => r['req_id'] === 'req-00002a'));
    assert.deepEqual(await search('healthz took'), seqs((r) => hasWord(r['http']?.path, 'healthz') && hasWord(r['msg'], 'took')));
    // field conditions on unit fields, alone and with line fields and words
    assert.deepEqual(await search('| body.http.path = "/api/cart"'), seqs((r) => r['http']?.path === '/api/cart'));
    assert.deepEqual(await search('| body.http.status >= 500'), seqs((r) => r['http']?.status >= 500));
    assert.deepEqual(await search('| body.service = "checkout-api"'), seqs((r) => r['service'] === 'checkout-api'));
    assert.deepEqual(await search('| body.user.tier != "gold"'), seqs((r) => r['user']?.tier !== 'gold'));
    assert.deepEqual(await search('| body.http.duration_ms > 9.5'), seqs((r) => r['http']?.duration_ms > 9.5));
    assert.deepEqual(await search('step | body.http.method = "POST" | body.seq > 300'), seqs((r) => r['http']?.method === 'POST' && r['seq'] > 300 && hasWord(r['msg'], 'step')));
    // the cheap tests read from a part's pages keep every row whose field holds the word
    const words = ['checkout', 'user', 'gold', 'healthz'];
    const misses = await cheapTestMisses(server, words, (word, inPart) =>
      seqs((r) => inPart.has(r['seq'] as number) && [r['host'], r['service'], r['http']?.path, r['user']?.id, r['user']?.tier, r['msg']].some((v) => typeof v === 'string' && v.toLowerCase().includes(word))),
    );
    assert.deepEqual(misses, Object.fromEntries(words.map((w) => [w, []])));
    // SQL views: columns, a filter and a group by on unit fields
    assert.deepEqual(
      await sqlRows(server, `SELECT "body.seq::int", "body.host", "body.service", "body.http.status::int", "body.user.id" FROM logs ORDER BY "body.seq::int"`),
      [...sent].sort((a, b) => a['seq'] - b['seq']).map((r) => [String(r['seq']), r['host'] ?? null, r['service'] ?? null, r['http'] ? String(r['http'].status) : null, r['user']?.id ?? null]),
    );
    const byHost = new Map<string, number>();
    for (const r of sent) if (r['http']?.status === 200) byHost.set(r['host'], (byHost.get(r['host']) ?? 0) + 1);
    assert.deepEqual(
      await sqlRows(server, `SELECT "body.host", count(*) FROM logs WHERE "body.http.status::int" = 200 GROUP BY 1 ORDER BY 1`),
      [...byHost].sort(([a], [b]) => (a < b ? -1 : 1)).map(([h, n]) => [h, String(n)]),
    );
    // expand: an array field of some requests, one row per element
    const carts = sent.filter((r) => r['cart']).flatMap((r) => r['cart'] as { sku: string; qty: number }[]);
    assert.deepEqual(await sqlRows(server, `SELECT count(*), sum("cart.qty") FROM logs_expand_cart`), [[String(carts.length), String(carts.reduce((s, c) => s + c.qty, 0))]]);
    const expanded = await getJson(`${server.apiUrl}/api/v1/logs/expand?field=cart&limit=5000&where=${encodeURIComponent('qty >= 2')}`);
    assert.equal(expanded.status, 200, JSON.stringify(expanded.body));
    assert.equal(expanded.body.rows.length, carts.filter((c) => c.qty >= 2).length);
    // the histogram counts every record of a query on a unit field
    const start = BigInt(base) * 1_000_000_000n;
    const h = await getJson(`${server.apiUrl}/api/v1/logs/histogram?start=${start}&end=${start + 3_000_000_000_000n}&step=3000s&query=${encodeURIComponent('| body.user.tier = "free"')}`);
    assert.equal(h.status, 200, JSON.stringify(h.body));
    assert.equal(
      h.body.buckets.reduce((s: number, b: any) => s + Object.values(b.counts as Record<string, number>).reduce((x, y) => x + y, 0), 0),
      seqs((r) => r['user']?.tier === 'free').length,
    );
  };

  before(async () => {
    server = await startTestServer({ flushIntervalMs: 3_600_000, compactIntervalMs: 3_600_000 });
    // four parts (compaction merges at least COMPACT_MIN_PARTS): three of requests, one of single lines
    for (const third of [0, 1, 2]) {
      await ingestLines(server, 'app', app.slice(third * 200, third * 200 + 200), '&correlation_field=req_id');
      await server.logs.flush();
    }
    await ingestLines(server, 'solo', solo, '&correlation_field=req_id');
    await server.logs.flush();
  });
  after(() => server.close());

  it('stores the per-request fields as unit columns, and a part of single-line units in line form', () => {
    const parts = server.logs.catalog.snapshot.parts;
    assert.equal(parts.length, 4);
    for (const part of parts) {
      const units = unitColumnsOf(part.columns);
      if (lineFormColumns(part.columns).some((c) => c.startsWith('body.http.'))) {
        for (const field of ['body.req_id', 'body.host', 'body.http.method', 'body.user.tier']) assert.ok(units.has(field), `${field} in ${part.columns.join(', ')}`);
        assert.ok(part.columns.includes(UNIT_ROW_COLUMN));
        assert.ok(!units.has('body.msg') && !units.has('body.seq::int'), part.columns.join(', '));
      } else {
        assert.equal(units.size, 0, part.columns.join(', '));
        assert.ok(!part.columns.includes(UNIT_ROW_COLUMN));
      }
    }
    assert.ok(parts.some((p) => unitColumnsOf(p.columns).size > 0));
  });

  it('gives every record back as sent, to search, field conditions, the histogram, expand and SQL', checkReads);

  it('reads both forms from a merged part', async () => {
    assert.equal(await server.logs.compact(), 4);
    const parts = server.logs.catalog.snapshot.parts;
    assert.equal(parts.length, 1);
    assert.ok(parts[0]!.columns.includes(UNIT_ROW_COLUMN) && parts[0]!.columns.includes('body.host') && parts[0]!.columns.includes('body.host::unit'), parts[0]!.columns.join(', '));
    await checkReads();
  });
});
