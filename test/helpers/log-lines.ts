// JSON-lines records sent to a test server and read back by `seq`: the steps
// the e2e tests of log parts' stored forms share (logs-severity-field,
// logs-dash-prefix).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { getJson, type TestServer } from './test-server.js';
import { searchLogColumns } from '../../src/parts/log-part-projection.js';
import { lineFormColumns } from '../../src/parts/log-unit-columns.js';
import { isSearchableLogColumn, wordValueTests } from '../../src/query/logs/log-sql.js';
import { PartPagesCache, readRowsAt, scanRows } from '../../src/query/part-pages.js';

/** Sends `records` as JSON lines to `stream` (`query`: more of the ingest's query string, `&…`). */
export async function ingestLines(server: TestServer, stream: string, records: readonly object[], query = ''): Promise<void> {
  const r = await getJson(`${server.apiUrl}/api/v1/ingest/${stream}?time_field=t${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: records.map((x) => JSON.stringify(x)).join('\n'),
  });
  assert.equal(r.body.accepted, records.length);
}

/** Every record the server holds (up to 5,000), by its body's `seq`; asserts there are `count`. */
export async function recordsBySeq(server: TestServer, count: number): Promise<Map<number, any>> {
  const all = await getJson(`${server.apiUrl}/api/v1/logs?limit=5000`);
  const bySeq = new Map<number, any>(all.body.records.map((x: any) => [x.body.seq, x]));
  assert.equal(bySeq.size, count);
  return bySeq;
}

/** The `seq` of every record a log search answers, ascending. */
export async function searchSeqs(server: TestServer, query: string): Promise<number[]> {
  const r = await getJson(`${server.apiUrl}/api/v1/logs?limit=5000&query=${encodeURIComponent(query)}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.records.map((x: any) => x.body.seq as number).sort((a: number, b: number) => a - b);
}

/**
 * The `seq`s, per word, of the rows `holding` says hold it that the cheap
 * tests a search makes from a part's pages (wordValueTests over scanRows: a
 * rare word's chunks, src/query/logs/log-search.ts) miss; `inPart` holds the
 * part's records' `seq`s. Empty lists: none missed.
 */
export async function cheapTestMisses(server: TestServer, words: readonly string[], holding: (word: string, inPart: ReadonlySet<number>) => number[]): Promise<Record<string, number[]>> {
  const misses: Record<string, number[]> = Object.fromEntries(words.map((w) => [w, []]));
  for (const part of server.logs.catalog.snapshot.parts) {
    const pages = new PartPagesCache().get(join(server.config.dataDir, part.path));
    const fileColumns = new Set(lineFormColumns(part.columns));
    const textColumns = [...searchLogColumns(lineFormColumns(part.columns))].filter(isSearchableLogColumn);
    const inPart = new Set((await readRowsAt(pages, Array.from({ length: part.rows }, (_, k) => k))).map((r) => Number(r['body.seq::int'])));
    for (const word of words) {
      const rows = await scanRows(pages, 0, part.rows - 1, textColumns.flatMap((c) => wordValueTests(c, word, fileColumns)));
      const found = new Set((await readRowsAt(pages, rows)).map((r) => Number(r['body.seq::int'])));
      misses[word]!.push(...holding(word, inPart).filter((seq) => !found.has(seq)));
    }
  }
  return misses;
}

/** The rows of a SQL query over the server's views, as JSON. */
export async function sqlRows(server: TestServer, sql: string): Promise<unknown[][]> {
  const r = await getJson(`${server.apiUrl}/api/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql, format: 'json' }) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.rows;
}
