// A body field that is its record's severity text (the `level` of JSON
// lines, read into severity_text too) is stored once in log parts
// (src/parts/log-severity-text.ts): the part holds `body.level::severity`,
// and `severity_number::text` where the numbers follow from the texts; the
// API, full-text search, field and severity conditions and the SQL views
// give the field and number as ingested — also from a merged part holding
// both forms.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { lineFormColumns } from '../../src/parts/log-unit-columns.js';
import { cheapTestMisses, ingestLines, recordsBySeq, searchSeqs, sqlRows } from '../helpers/log-lines.js';
import { severityNumberOf } from '../../src/receive/json-lines-decode.js';

const LEVELS = ['info', 'WARN', 'error', 'Debug', 'info', 'notice'];

/** Stream `app`: `level` is the severity field; some records have none. */
function appLines(base: number): Record<string, unknown>[] {
  return Array.from({ length: 300 }, (_, i) => {
    const record: Record<string, unknown> = { t: base + i, seq: i, msg: `step ${i} done` };
    if (i % 7 !== 3) record['level'] = LEVELS[i % LEVELS.length];
    return record;
  });
}

/**
 * Stream `other`: `sev` is the severity field; its `level` sometimes
 * differs, so it stays text; `iNfO` is severity 9 to ingest but not a text
 * parts derive a number from, so its parts keep `severity_number`.
 */
function otherLines(base: number): Record<string, unknown>[] {
  return Array.from({ length: 200 }, (_, i) => {
    const sev = i % 25 === 0 ? 'iNfO' : LEVELS[(i + 1) % LEVELS.length];
    return { t: base + i, seq: 1000 + i, msg: `other ${i}`, sev, level: i % 10 === 0 ? 'custom' : sev };
  });
}

describe('log parts storing a body field as its severity text', () => {
  let server: TestServer;
  const base = Math.floor(Date.now() / 86_400_000) * 86_400 + 60;
  const app = appLines(base);
  const other = otherLines(base + 1000);
  const sent = [...app, ...other];

  const ingest = (stream: string, query: string, records: Record<string, unknown>[]): Promise<void> => ingestLines(server, stream, records, query);
  const search = (query: string): Promise<number[]> => searchSeqs(server, query);
  const seqs = (test: (r: Record<string, unknown>) => boolean): number[] => sent.filter(test).map((r) => r['seq'] as number).sort((a, b) => a - b);

  const checkReads = async (): Promise<void> => {
    const bySeq = await recordsBySeq(server, sent.length);
    for (const record of sent) {
      const got = bySeq.get(record['seq'] as number);
      assert.deepEqual(got.body, record);
      const text = (record['sev'] ?? record['level'] ?? '') as string;
      assert.equal(got.severityText, text);
      assert.equal(got.severityNumber, severityNumberOf(text), text);
    }
    // a level word found by full-text search, in the field and in the severity text alike
    assert.deepEqual(await search('warn'), seqs((r) => r['level'] === 'WARN' || r['sev'] === 'WARN'));
    assert.deepEqual(await search('custom'), seqs((r) => r['level'] === 'custom'));
    // the cheap test read from the pages (a rare word's chunks, src/query/logs/log-search.ts) keeps every row whose field holds the word
    const words = ['warn', 'notice', 'debug', 'custom'];
    const misses = await cheapTestMisses(server, words, (word, inPart) =>
      seqs((r) => inPart.has(r['seq'] as number) && [r['level'], r['sev']].some((v) => typeof v === 'string' && v.toLowerCase() === word)),
    );
    assert.deepEqual(misses, Object.fromEntries(words.map((w) => [w, []])));
    assert.deepEqual(await search('| body.level = "error"'), seqs((r) => r['level'] === 'error'));
    assert.deepEqual(await search('| body.level != "info"'), seqs((r) => r['level'] !== 'info'));
    assert.deepEqual(await search('| body.sev = "Debug"'), seqs((r) => r['sev'] === 'Debug'));
    assert.deepEqual(await search('| severity >= WARN'), seqs((r) => severityNumberOf((r['sev'] ?? r['level'] ?? '') as string) >= 13));
    assert.deepEqual(await search('| severity = INFO'), seqs((r) => severityNumberOf((r['sev'] ?? r['level'] ?? '') as string) === 9));
    assert.deepEqual(
      await sqlRows(server, `SELECT "body.seq::int", "body.level", "body.sev", severity_number FROM logs ORDER BY "body.seq::int"`),
      sent.map((r) => [String(r['seq']), r['level'] ?? null, r['sev'] ?? null, severityNumberOf((r['sev'] ?? r['level'] ?? '') as string)]),
    );
  };

  before(async () => {
    server = await startTestServer({ flushIntervalMs: 3_600_000, compactIntervalMs: 3_600_000 });
    // four parts (compaction merges at least COMPACT_MIN_PARTS), two of each stream
    for (const half of [0, 1]) {
      await ingest('app', '', app.slice(half * 150, half * 150 + 150));
      await server.logs.flush();
      await ingest('other', '&severity_field=sev', other.slice(half * 100, half * 100 + 100));
      await server.logs.flush();
    }
  });
  after(() => server.close());

  it('stores the field as a marker where every value is its severity text, else as text', () => {
    const parts = server.logs.catalog.snapshot.parts;
    assert.equal(parts.length, 4);
    for (const part of parts) {
      // by line-form names: a field may be stored once per unit of work (src/parts/log-unit-columns.ts)
      const stored = lineFormColumns(part.columns);
      const columns = part.columns.join(', ');
      if (stored.includes('body.sev::severity')) {
        assert.ok(!stored.includes('body.sev'), columns);
        // one `level` differs from its severity text: the field stays text in that part
        assert.ok(stored.includes('body.level') && !stored.includes('body.level::severity'), columns);
        // `iNfO`: the numbers stay stored
        assert.ok(stored.includes('severity_number') && !stored.includes('severity_number::text'), columns);
      } else {
        assert.ok(stored.includes('body.level::severity') && !stored.includes('body.level'), columns);
        assert.ok(stored.includes('severity_number::text') && !stored.includes('severity_number'), columns);
      }
    }
  });

  it('gives every record back as sent, to search, field conditions and SQL', checkReads);

  it('reads both forms from a merged part', async () => {
    assert.equal(await server.logs.compact(), 4);
    const parts = server.logs.catalog.snapshot.parts;
    assert.equal(parts.length, 1);
    for (const both of ['body.level', 'body.level::severity', 'severity_number', 'severity_number::text']) assert.ok(lineFormColumns(parts[0]!.columns).includes(both), parts[0]!.columns.join(', '));
    await checkReads();
  });
});
