// A body field that is another field's text before its last `-` (a service
// named by its pods' host names) is stored once in log parts
// (src/parts/log-dash-prefix.ts): the part holds the marker
// `body.<field>::dash-prefix.body.<source>` where that holds for every row,
// the text where one row breaks it; the API, full-text search, field
// conditions, the pages' cheap word tests and the SQL views give the field as
// ingested — also from a merged part holding both forms.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { cheapTestMisses, ingestLines, recordsBySeq, searchSeqs, sqlRows } from '../helpers/log-lines.js';

const SERVICES = ['cart', 'checkout-api', 'café', 'search'];

/** Stream `app`: `service` (before `host` in key order) is `host` before its last '-'; some records have neither, some only the host. */
function appLines(base: number): Record<string, unknown>[] {
  return Array.from({ length: 300 }, (_, i) => {
    const service = SERVICES[i % SERVICES.length]!;
    const record: Record<string, unknown> = { t: base + i, seq: i, msg: `step ${i} done` };
    if (i % 11 !== 5) record['service'] = service;
    if (i % 11 !== 5 || i % 2 === 0) record['host'] = `${service}-${(i * 7) % 5}`;
    return record;
  });
}

/**
 * Stream `pods`: `k8s.pod` comes before `k8s.deployment`, which it gives;
 * its `service` is its host's prefix but in one record, so it stays text.
 */
function podLines(base: number): Record<string, unknown>[] {
  return Array.from({ length: 200 }, (_, i) => {
    const service = SERVICES[(i + 1) % SERVICES.length]!;
    const pod = `${service}-7f9c${i % 3}-x${i % 4}`;
    return { t: base + i, seq: 1000 + i, k8s: { pod, deployment: pod.slice(0, pod.lastIndexOf('-')) }, host: `${service}-${i % 6}`, service: i === 77 ? 'cart' : service };
  });
}

describe('log parts storing a body field as another field before its last dash', () => {
  let server: TestServer;
  const base = Math.floor(Date.now() / 86_400_000) * 86_400 + 60;
  const app = appLines(base);
  const pods = podLines(base + 1000);
  const sent: Record<string, any>[] = [...app, ...pods];

  const ingest = (stream: string, records: Record<string, unknown>[]): Promise<void> => ingestLines(server, stream, records);
  const search = (query: string): Promise<number[]> => searchSeqs(server, query);
  const seqs = (test: (r: Record<string, any>) => boolean): number[] => sent.filter(test).map((r) => r['seq'] as number).sort((a, b) => a - b);

  const checkReads = async (): Promise<void> => {
    const bySeq = await recordsBySeq(server, sent.length);
    for (const record of sent) assert.deepEqual(bySeq.get(record['seq'] as number).body, record);
    // words of the derived fields, by full-text search and field conditions
    assert.deepEqual(await search('checkout'), seqs((r) => [r['service'], r['host'], r['k8s']?.pod, r['k8s']?.deployment].some((v) => typeof v === 'string' && v.includes('checkout'))));
    assert.deepEqual(await search('café'), seqs((r) => [r['service'], r['host'], r['k8s']?.pod].some((v) => typeof v === 'string' && v.includes('café'))));
    assert.deepEqual(await search('| body.service = "cart"'), seqs((r) => r['service'] === 'cart'));
    assert.deepEqual(await search('| body.service = "checkout-api"'), seqs((r) => r['service'] === 'checkout-api'));
    assert.deepEqual(await search('| body.service != "search"'), seqs((r) => r['service'] !== 'search'));
    assert.deepEqual(await search('| body.service =~ "ca.*"'), seqs((r) => typeof r['service'] === 'string' && /^ca.*$/.test(r['service'])));
    assert.deepEqual(await search('| body.k8s.deployment = "search-7f9c1"'), seqs((r) => r['k8s']?.deployment === 'search-7f9c1'));
    // the cheap test read from the pages (a rare word's chunks) keeps every row whose field holds the word
    const words = ['cart', 'checkout', 'search', '7f9c2'];
    const misses = await cheapTestMisses(server, words, (word, inPart) =>
      seqs((r) => inPart.has(r['seq'] as number) && [r['service'], r['k8s']?.deployment].some((v) => typeof v === 'string' && v.includes(word))),
    );
    assert.deepEqual(misses, Object.fromEntries(words.map((w) => [w, []])));
    assert.deepEqual(
      await sqlRows(server, `SELECT "body.seq::int", "body.service", "body.k8s.deployment" FROM logs ORDER BY "body.seq::int"`),
      sent.map((r) => [String(r['seq']), r['service'] ?? null, r['k8s']?.deployment ?? null]),
    );
  };

  before(async () => {
    server = await startTestServer({ flushIntervalMs: 3_600_000, compactIntervalMs: 3_600_000 });
    // four parts (compaction merges at least COMPACT_MIN_PARTS), two of each stream
    for (const half of [0, 1]) {
      await ingest('app', app.slice(half * 150, half * 150 + 150));
      await server.logs.flush();
      await ingest('pods', pods.slice(half * 100, half * 100 + 100));
      await server.logs.flush();
    }
  });
  after(() => server.close());

  it('stores a marker where every value is its source before the last dash, else the text', () => {
    const parts = server.logs.catalog.snapshot.parts;
    assert.equal(parts.length, 4);
    let brokenParts = 0;
    for (const part of parts) {
      const columns = part.columns.join(', ');
      if (part.columns.includes('body.k8s.pod')) {
        assert.ok(part.columns.includes('body.k8s.deployment::dash-prefix.body.k8s.pod') && !part.columns.includes('body.k8s.deployment'), columns);
        // record 77's service is not its host's prefix: text in its part, a marker in the other
        const broken = part.columns.includes('body.service');
        brokenParts += broken ? 1 : 0;
        assert.equal(part.columns.includes('body.service::dash-prefix.body.host'), !broken, columns);
      } else {
        assert.ok(part.columns.includes('body.service::dash-prefix.body.host') && !part.columns.includes('body.service'), columns);
        assert.ok(part.columns.includes('body.host'), columns);
      }
    }
    assert.equal(brokenParts, 1);
  });

  it('gives every record back as sent, to search, field conditions and SQL', checkReads);

  it('reads both forms from a merged part', async () => {
    assert.equal(await server.logs.compact(), 4);
    const parts = server.logs.catalog.snapshot.parts;
    assert.equal(parts.length, 1);
    for (const both of ['body.service', 'body.service::dash-prefix.body.host', 'body.k8s.deployment::dash-prefix.body.k8s.pod']) assert.ok(parts[0]!.columns.includes(both), parts[0]!.columns.join(', '));
    await checkReads();
  });
});
