// Log search, newest first, with cursor pagination, and the volume histogram.
//
// Plan (planLogScan): the files of a store snapshot whose time range meets
// the request's; in each, the chunks of its token index (parts: written with
// the part; staged files: built from the word hashes of the seal) that may
// hold every word of the query and may hold its services — each chunk a range
// of rows, read as `file_row_number BETWEEN first AND last` (one Parquet row
// group of a flushed part). Units are ordered by their newest possible row.
//
// Search (searchLogs), in two steps:
// 1. find: units a growing batch at a time, newest first, reading only the
//    time, the row number and the columns the query tests, until `limit` rows
//    are found and no unit left can hold a newer one;
// 2. fetch: every column of just the rows of the page, by row number, from
//    the files' pages (src/query/part-pages.ts) without DuckDB.
// Rows of equal time are ordered by their content (the record as JSON with
// sorted keys), which does not change when a flush or a merge moves them to
// another file; the cursor is (time, how many rows of that time were given).

import { join } from 'node:path';
import { BadQueryError } from '../../model/errors.js';
import { type Engine, type Row } from '../../engine/duckdb.js';
import type { PartInfo } from '../../parts/catalog.js';
import type { StagedFile } from '../../head/head.js';
import { chunkMayContain, type TokenChunk } from '../../parts/token-index.js';
import { wordKey } from '../../parts/log-tokens.js';
import { compareUtf8, stagedTokenChunks } from '../../parts/log-token-chunks.js';
import { LOG_TIME_COLUMN } from '../../parts/log-columns.js';
import { logRowProjection, searchLogColumns } from '../../parts/log-part-projection.js';
import { lineFormColumns } from '../../parts/log-unit-columns.js';
import { logFileRelationSql, splitLogFile } from '../../parts/log-unit-join.js';
import { sqlIdent, sqlIdentifiersIn } from '../../engine/sql-quote.js';
import { intersectSorted, PartPagesCache, readRowsAt, scanRows, UnsupportedPartError } from '../part-pages.js';
import { isSearchableLogColumn, logPredicate, longestOf, logPredicateSql, logTextSql, servicesOf, termRegExp, wordValueTests, type LogPredicate } from './log-sql.js';
import type { LogQuery } from './log-query.js';
import { logColumnRoles, logRecordOf, type LogRecordJson } from './log-record.js';

export interface LogSearchRequest {
  query: LogQuery;
  /** unix nanos, inclusive; undefined = unbounded */
  startNs?: bigint;
  endNs?: bigint;
  limit: number;
  /** from a previous page's `nextCursor` */
  cursor?: string;
}

export interface LogSearchResult {
  records: LogRecordJson[];
  /** pass back as `cursor` for the next (older) page; absent on the last page */
  nextCursor?: string;
  stats: { filesInRange: number; unitsPlanned: number; unitsRead: number; chunksSkipped: number };
}

export interface LogSearchInput {
  dataDir: string;
  parts: readonly PartInfo[];
  staged: readonly StagedFile[];
  /** the token index of a part ([] when it has none) */
  chunksOf(part: PartInfo): Promise<readonly TokenChunk[]>;
  /** footers of the files read by row (readRows); without it each search parses its own */
  pages?: PartPagesCache;
}

/** One read: a file, or only rows [first, last] of it. */
export interface ScanUnit {
  path: string;
  /** the columns as unitSourceSql gives them (the ns time column, never the µs one; templated text rebuilt, its pieces kept: src/parts/log-part-projection.ts) */
  columns: ReadonlySet<string>;
  /** the columns stored in the file (unit columns by their stored names: src/parts/log-unit-columns.ts) */
  fileColumns: readonly string[];
  rows?: { first: number; last: number };
  /** oldest and newest row time the unit may hold */
  minNs: bigint;
  maxNs: bigint;
}

export interface ScanPlan {
  units: ScanUnit[];
  filesInRange: number;
  chunksSkipped: number;
}

/** Reading every match, beyond this many chunks of one file the file is read whole. */
const MAX_CHUNKS_PER_FILE = 64;
/**
 * Units of the first query while searching newest first; each next query
 * reads twice as many, up to the most. When the token index kept few chunks
 * (a rare word: under 1 in 5), all of them are likely needed: one query.
 */
const FIRST_UNITS_PER_QUERY = 2;
const MOST_UNITS_PER_QUERY = 32;

/** The index kept under one chunk in five, few enough to read in one query. */
function fewChunksKept(units: number, chunksSkipped: number): boolean {
  return units <= MOST_UNITS_PER_QUERY && chunksSkipped >= 4 * units;
}

function firstBatch(units: number, chunksSkipped: number): number {
  return fewChunksKept(units, chunksSkipped) ? Math.max(units, 1) : FIRST_UNITS_PER_QUERY;
}

function overlaps(minNs: bigint, maxNs: bigint, req: Pick<LogSearchRequest, 'startNs' | 'endNs'>): boolean {
  return (req.endNs === undefined || minNs <= req.endNs) && (req.startNs === undefined || maxNs >= req.startNs);
}

/**
 * `newest`: the search reads units newest first and stops early, so a file
 * is read chunk by chunk; `all` (histogram, expand) reads every match, so
 * neighbouring chunks are read as one range, and a file whose chunks mostly
 * match is read whole.
 */
export type ScanMode = 'newest' | 'all';

/** What a chunk must hold to be read: all words of every positive term, and one of the services. */
interface ChunkFilter {
  words: number[];
  services: Set<string> | undefined;
  req: Pick<LogSearchRequest, 'startNs' | 'endNs'>;
}

function chunkMatches(c: TokenChunk, f: ChunkFilter): boolean {
  if (!overlaps(c.minTimeNs, c.maxTimeNs, f.req)) return false;
  if (f.services && ![...f.services].some((s) => compareUtf8(s, c.minService) >= 0 && compareUtf8(s, c.maxService) <= 0)) return false;
  return f.words.every((h) => chunkMayContain(c, h));
}

/** The units of one file: its matching chunks, or the whole file when it has no chunks. */
function fileUnits(path: string, fileColumns: readonly string[], minNs: bigint, maxNs: bigint, chunks: readonly TokenChunk[], filter: ChunkFilter, mode: ScanMode): { units: ScanUnit[]; skipped: number } {
  const columns = searchLogColumns(lineFormColumns(fileColumns));
  if (chunks.length === 0) return { units: [{ path, columns, fileColumns, minNs, maxNs }], skipped: 0 };
  const hits = chunks.filter((c) => chunkMatches(c, filter));
  const skipped = chunks.length - hits.length;
  if (mode === 'all' && hits.length > MAX_CHUNKS_PER_FILE) return { units: [{ path, columns, fileColumns, minNs, maxNs }], skipped };
  const units: ScanUnit[] = [];
  for (const c of hits) {
    const last = units[units.length - 1];
    // Reading everything, neighbouring chunks are one range (chunks never overlap: no row is read twice).
    if (mode === 'all' && last?.rows && last.rows.last + 1 === c.firstRow) {
      last.rows.last = c.firstRow + c.rows - 1;
      if (c.minTimeNs < last.minNs) last.minNs = c.minTimeNs;
      if (c.maxTimeNs > last.maxNs) last.maxNs = c.maxTimeNs;
    } else units.push({ path, columns, fileColumns, rows: { first: c.firstRow, last: c.firstRow + c.rows - 1 }, minNs: c.minTimeNs, maxNs: c.maxTimeNs });
  }
  return { units, skipped };
}

/** The units to read for a request, newest first. */
export async function planLogScan(input: LogSearchInput, req: Pick<LogSearchRequest, 'query' | 'startNs' | 'endNs'>, mode: ScanMode = 'all'): Promise<ScanPlan> {
  const services = servicesOf(req.query);
  const filter: ChunkFilter = { words: req.query.terms.filter((t) => !t.negate).flatMap((t) => t.words.map(wordKey)), services, req };
  const units: ScanUnit[] = [];
  let filesInRange = 0;
  let chunksSkipped = 0;
  const add = (planned: { units: ScanUnit[]; skipped: number }): void => {
    filesInRange++;
    units.push(...planned.units);
    chunksSkipped += planned.skipped;
  };
  for (const p of input.parts) {
    const minNs = BigInt(p.minStartNs);
    const maxNs = BigInt(p.maxStartNs);
    if (!overlaps(minNs, maxNs, req)) continue;
    if (services && !p.services.some((s) => services.has(s))) continue;
    add(fileUnits(join(input.dataDir, p.path), p.columns, minNs, maxNs, await input.chunksOf(p), filter, mode));
  }
  for (const f of input.staged) {
    if (!overlaps(f.minStartNs, f.maxStartNs, req)) continue;
    if (services && ![...f.services].some((s) => services.has(s))) continue;
    add(fileUnits(f.path, f.columns, f.minStartNs, f.maxStartNs, stagedTokenChunks(f), filter, mode));
  }
  units.sort((a, b) => (a.maxNs > b.maxNs ? -1 : a.maxNs < b.maxNs ? 1 : 0));
  return { units, filesInRange, chunksSkipped };
}

function timeBoundsSql(req: Pick<LogSearchRequest, 'startNs' | 'endNs'>): string[] {
  const out: string[] = [];
  if (req.startNs !== undefined) out.push(`${LOG_TIME_COLUMN} >= ${req.startNs}`);
  if (req.endNs !== undefined) out.push(`${LOG_TIME_COLUMN} <= ${req.endNs}`);
  return out;
}

/**
 * The file of a unit, with `file_row_number` and the time in ns; `reads`:
 * the SQL a query evaluates over it (its select list and conditions), so
 * only the unit columns it reads are joined back (src/parts/log-unit-join.ts).
 */
export function unitSourceSql(unit: ScanUnit, reads: readonly string[]): string {
  return logFileRelationSql(unit.path, unit.fileColumns, { keepStored: true, reads, ...(unit.rows ? { rows: unit.rows } : {}) });
}

/** The WHERE of one unit (over unitSourceSql): its rows, the request's time bounds, the query. */
export function unitWhereSql(unit: ScanUnit, req: Pick<LogSearchRequest, 'query' | 'startNs' | 'endNs'>, extra: readonly string[] = []): string {
  const parts: string[] = [];
  if (unit.rows) parts.push(`file_row_number BETWEEN ${unit.rows.first} AND ${unit.rows.last}`);
  parts.push(...timeBoundsSql(req), ...extra, logPredicateSql(req.query, unit.columns));
  return parts.join(' AND ');
}

/** Where the next page starts: after `given` rows of time `t`, in content order. */
interface Cursor {
  t: bigint;
  given: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify({ t: String(c.t), n: c.given })).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const o = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { t: string; n: number };
    if (!Number.isSafeInteger(o.n) || o.n < 0) throw new Error('bad count');
    return { t: BigInt(o.t), given: o.n };
  } catch {
    throw new BadQueryError('logs: cursor is not one this server gave out');
  }
}

/** A matching row found in step 1: its time, unit and row number in the unit's file. */
interface Hit {
  t: bigint;
  unit: number;
  row: number;
}

const newestFirst = (a: Hit, b: Hit): number => (a.t > b.t ? -1 : a.t < b.t ? 1 : 0);

/**
 * Most rows passing the cheap tests whose text findHits checks in this
 * process (a rare word: a few per chunk read); beyond it DuckDB checks them.
 */
const MOST_ROWS_CHECKED_HERE = 1000;

/** Whether findHits can check a query's text here: words and phrases that must occur, no RE2 expressions, no negated terms (which no cheap test narrows). */
function canCheckHere(query: LogQuery): boolean {
  return query.regexes.length === 0 && query.terms.every((t) => !t.negate);
}

/**
 * Time, unit and row of the rows of `unitIndexes` matching the query (and
 * `extra`), newest first, at most `limit`. Each unit reads the time, the row
 * number and the columns of the cheap tests. With `checkHere` (few rows
 * pass them: a rare word), the rows passing them are read whole, by row
 * (readRows, into `fetched`), and the terms checked on their text here;
 * else DuckDB materializes their text and runs the terms' patterns once
 * over all of them (not once per unit: each use of a pattern compiles it).
 */
async function findHits(engine: Engine, units: readonly ScanUnit[], unitIndexes: readonly number[], req: LogSearchRequest, extra: readonly string[], limit?: number, checkHere?: RowFetch): Promise<Hit[]> {
  if (unitIndexes.length === 0) return [];
  const exact = req.query.terms.length > 0 || req.query.regexes.length > 0;
  const here = exact && checkHere !== undefined && limit !== undefined && canCheckHere(req.query);
  // each unit's branch, planned once (a find step may read it without and with the text)
  const unitBranches = unitIndexes.map((i): ((withText: boolean) => string) => {
    const u = units[i]!;
    const p = logPredicate(req.query, u.columns);
    const bounds = [...(u.rows ? [`file_row_number BETWEEN ${u.rows.first} AND ${u.rows.last}`] : []), ...timeBoundsSql(req), ...extra];
    const rowOf = `${LOG_TIME_COLUMN} AS t, file_row_number AS r, ${i} AS u`;
    const split = splitBranch(u, req.query, p, bounds);
    if (split !== undefined) {
      return (withText) => {
        const { relation, text } = split(withText);
        return `SELECT ${rowOf}${text} FROM ${relation}`;
      };
    }
    const where = [...bounds, ...p.cheap];
    return (withText) => {
      const select = `${rowOf}${withText ? `, ${logTextSql(textColumnsOf(u))} AS __text` : ''}`;
      return `SELECT ${select} FROM ${unitSourceSql(u, [select, ...where])}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
    };
  });
  const branches = (withText: boolean): string[] => unitBranches.map((branch) => branch(withText));
  const order = limit === undefined ? '' : ` ORDER BY t DESC LIMIT ${limit}`;
  const hitOf = (r: Row): Hit => ({ t: r['t'] as bigint, unit: Number(r['u']), row: Number(r['r']) });
  if (here) {
    // The rows passing the cheap tests, when they are few, are read whole and their text checked here.
    const checked = async (candidates: Hit[]): Promise<Hit[]> => {
      await fetchRows(engine, units, candidates, checkHere);
      const patterns = req.query.terms.map(termRegExp);
      const textColumns = new Map(unitIndexes.map((i) => [i, textColumnsOf(units[i]!)]));
      return candidates
        .filter((h) => {
          const row = checkHere.rows.get(rowKey(units, h));
          return row !== undefined && patterns.every((p) => p.test(rowText(row, textColumns.get(h.unit)!)));
        })
        .slice(0, limit);
    };
    // First the cheap tests without DuckDB, from the pages; then, should they not do, with it.
    const scanned = extra.length === 0 ? await scanCandidates(engine, units, unitIndexes, req, checkHere) : undefined;
    if (scanned) return checked(scanned);
    const passed = await engine.all(`WITH c AS MATERIALIZED (${branches(false).join(' UNION ALL ')}) SELECT t, r, u, count(*) OVER () AS n FROM c ORDER BY t DESC LIMIT ${MOST_ROWS_CHECKED_HERE}`);
    if (passed.length === 0 || Number(passed[0]!['n']) <= MOST_ROWS_CHECKED_HERE) return checked(passed.map(hitOf));
  }
  const sql = exact
    ? `WITH c AS MATERIALIZED (${branches(true).join(' UNION ALL ')}) SELECT t, r, u FROM c WHERE ${logPredicate(req.query, new Set()).exact('__text').join(' AND ')}${order}`
    : `SELECT t, r, u FROM (${branches(false).join(' UNION ALL ')})${order}`;
  return (await engine.all(sql)).map(hitOf);
}

/**
 * A find step's branch over a file storing per-request fields once per unit
 * (src/parts/log-unit-columns.ts) that tests the lines and the unit rows
 * each by itself, with no join of every line to its unit: a term's word is
 * tested on the line columns, or the line's unit is one whose unit columns
 * hold it (`IN`, tested once per unit); the text the exact test reads is
 * the line's text plus its unit's where the unit holds a term's word (a
 * term cannot match in a column without its longest word). A join of every
 * line's unit values to test them costs 2–3 × the whole branch (docs/storage.md,
 * "Session 16"). Undefined where it does not apply: a file in line form or
 * with both forms of a column, negated terms or expressions (which need all
 * of the text), a field condition on a unit column.
 */
function splitBranch(u: ScanUnit, query: LogQuery, p: LogPredicate, bounds: readonly string[]): ((withText: boolean) => { relation: string; text: string }) | undefined {
  if (query.regexes.length > 0 || query.terms.some((t) => t.negate) || p.termTests.length === 0) return undefined;
  const split = splitLogFile(u.path, u.fileColumns, u.rows);
  if (split === undefined) return undefined;
  for (const c of p.conditions) for (const name of sqlIdentifiersIn(c)) if (split.unitColumns.has(name)) return undefined;
  const text = textColumnsOf(u);
  if (text.some((c) => !split.lineColumns.has(c) && !split.unitColumns.has(c))) return undefined;
  const unitTests = p.termTests.map((tests) => tests.filter((t) => split.unitColumns.has(t.column)).map((t) => t.sql));
  const tested = unitTests.flatMap((tests, k) => (tests.length > 0 ? [{ k, sql: tests.join(' OR ') }] : []));
  const matchOf = new Map(tested.map((t, m) => [t.k, `__unit_match_${m}`]));
  const terms = p.termTests.map((tests, k) => {
    const either = tests.filter((t) => !split.unitColumns.has(t.column)).map((t) => t.sql);
    const match = matchOf.get(k);
    if (match !== undefined) either.push(match);
    return either.length === 0 ? 'FALSE' : `(${either.join(' OR ')})`;
  });
  // the lines filtered before any join (DuckDB would join every line of the range first)
  const passed = `(SELECT * FROM ${split.lines(tested.map((t) => t.sql))} WHERE ${[...bounds, ...p.conditions, ...terms].join(' AND ')})`;
  const lineText = text.filter((c) => !split.unitColumns.has(c));
  if (tested.length === 0) return (withText) => ({ relation: passed, text: withText ? `, ${logTextSql(lineText)} AS __text` : '' });
  // the text of the units that hold a term's word, joined to the lines that passed
  const unitText = `SELECT __unit_at, ${logTextSql(text.filter((c) => split.unitColumns.has(c)))} AS __unit_text FROM ${split.units} WHERE ${tested.map((t) => t.sql).join(' OR ')}`;
  const withUnitText = {
    relation: `${passed} __lines LEFT JOIN (${unitText}) __units ON __lines.__unit_key = __units.__unit_at`,
    text: `, concat_ws(chr(30), ${[...lineText.map(sqlIdent), '__units.__unit_text'].join(', ')}) AS __text`,
  };
  return (withText) => (withText ? withUnitText : { relation: passed, text: '' });
}

/**
 * The rows of `unitIndexes` passing the cheap tests (the longest word of each
 * term as a substring of a text column, src/query/logs/log-sql.ts), found by
 * reading the text columns' pages here (scanRows) and newest first, with
 * their time, within the request's time bounds; undefined where DuckDB must
 * test them: field conditions, a word with non-ASCII letters (the byte
 * search folds ASCII case only), a file the page reader cannot read, or more
 * than MOST_ROWS_CHECKED_HERE rows. A chunk whose word the index only
 * seemed to hold (1 in 128) costs a few dictionaries and a byte search of
 * the plain pages, where DuckDB's query decompressed and lower-cased every
 * text column of its 16 Ki rows (~18 ms).
 */
async function scanCandidates(engine: Engine, units: readonly ScanUnit[], unitIndexes: readonly number[], req: LogSearchRequest, fetch: RowFetch): Promise<Hit[] | undefined> {
  if (req.query.conditions.length > 0) return undefined;
  const words = req.query.terms.map((t) => longestOf(t.words));
  if (words.length === 0 || words.some((w) => !/^[\x00-\x7f]+$/.test(w))) return undefined;
  const candidates: Hit[] = [];
  try {
    for (const i of unitIndexes) {
      const u = units[i]!;
      const fileColumns = new Set(lineFormColumns(u.fileColumns));
      const part = fetch.pages.get(u.path);
      let rows: number[] | undefined;
      for (const word of words) {
        const tests = textColumnsOf(u).flatMap((c) => wordValueTests(c, word, fileColumns));
        const found = await scanRows(part, u.rows?.first ?? 0, u.rows?.last ?? Number.MAX_SAFE_INTEGER, tests);
        rows = rows === undefined ? found : intersectSorted(rows, found);
        if (rows.length === 0) break;
      }
      for (const row of rows ?? []) candidates.push({ t: 0n, unit: i, row });
      if (candidates.length > MOST_ROWS_CHECKED_HERE) return undefined;
    }
    await fetchRows(engine, units, candidates, fetch);
  } catch (err) {
    if (err instanceof UnsupportedPartError) return undefined;
    throw err;
  }
  const out: Hit[] = [];
  for (const h of candidates) {
    const t = fetch.rows.get(rowKey(units, h))?.[LOG_TIME_COLUMN];
    if (typeof t !== 'bigint' || (req.startNs !== undefined && t < req.startNs) || (req.endNs !== undefined && t > req.endNs)) continue;
    out.push({ ...h, t });
  }
  return out.sort(newestFirst);
}

/** The searchable text columns of a unit, in the order logTextSql joins them. */
function textColumnsOf(unit: ScanUnit): string[] {
  return [...unit.columns].filter(isSearchableLogColumn).sort();
}

/** logTextSql's text of a row read whole: its text fields joined by U+001E, nulls left out (as concat_ws does). */
function rowText(row: Row, textColumns: readonly string[]): string {
  const parts: string[] = [];
  for (const c of textColumns) {
    const v = row[c];
    if (v !== null && v !== undefined) parts.push(String(v));
  }
  return parts.join('\x1e');
}

/** Rows read whole, keyed by rowKey, and the footers of their files. */
interface RowFetch {
  rows: Map<string, Row>;
  pages: PartPagesCache;
}

function rowKey(units: readonly ScanUnit[], h: Pick<Hit, 'unit' | 'row'>): string {
  return fileRowKey(units[h.unit]!.path, h.row);
}

/** Rows are keyed by file, not unit: hits of several units of a file share their rows. */
function fileRowKey(path: string, row: number): string {
  return `${path}\n${row}`;
}

/**
 * Every column of the hit rows not in `fetch` yet, into it. A file's rows are
 * read by row from its pages (src/query/part-pages.ts: only the pages
 * holding them decompressed, the projection's rebuilds done here); a file the
 * page reader cannot read goes to DuckDB, bounded to its rows' range
 * (`file_row_number IN (…)` alone reads every row group of the file).
 */
async function fetchRows(engine: Engine, units: readonly ScanUnit[], hits: readonly Hit[], fetch: RowFetch): Promise<void> {
  const { rows: into, pages } = fetch;
  const byFile = new Map<string, { unit: ScanUnit; rows: Set<number> }>();
  for (const h of hits) {
    if (into.has(rowKey(units, h))) continue;
    const unit = units[h.unit]!;
    let f = byFile.get(unit.path);
    if (!f) byFile.set(unit.path, (f = { unit, rows: new Set() }));
    f.rows.add(h.row);
  }
  const withDuckDb: { path: string; sql: string }[] = [];
  await Promise.all(
    [...byFile.values()].map(async ({ unit, rows }) => {
      const sorted = [...rows].sort((a, b) => a - b);
      try {
        const read = await readRowsAt(pages.get(unit.path), sorted);
        const project = logRowProjection(lineFormColumns(unit.fileColumns));
        read.forEach((stored, k) => into.set(fileRowKey(unit.path, sorted[k]!), project(stored)));
      } catch (err) {
        if (!(err instanceof UnsupportedPartError)) throw err;
        // every column; the unit side unbounded (the rows' range need not start at a row group)
        const source = logFileRelationSql(unit.path, unit.fileColumns);
        const sql = `SELECT *, ${withDuckDb.length} AS __file FROM ${source} WHERE file_row_number BETWEEN ${sorted[0]} AND ${sorted[sorted.length - 1]} AND file_row_number IN (${sorted.join(', ')})`;
        withDuckDb.push({ path: unit.path, sql });
      }
    }),
  );
  if (withDuckDb.length === 0) return;
  for (const r of await engine.all(withDuckDb.map((f) => f.sql).join(' UNION ALL BY NAME '))) {
    const { __file: file, ...row } = r;
    into.set(fileRowKey(withDuckDb[Number(file)]!.path, Number(row['file_row_number'])), row);
  }
}

/** JSON with object keys sorted: the same text for the same record whatever file or column order it came from. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

export async function searchLogs(engine: Engine, input: LogSearchInput, req: LogSearchRequest): Promise<LogSearchResult> {
  const plan = await planLogScan(input, req, 'newest');
  const cursor = req.cursor ? decodeCursor(req.cursor) : undefined;
  const skip = cursor?.given ?? 0;
  const extra = cursor ? [`${LOG_TIME_COLUMN} <= ${cursor.t}`] : [];
  const units = cursor ? plan.units.filter((u) => u.minNs <= cursor.t) : plan.units;
  // the rows given before at the cursor's time, this page, and one more to know whether there is a next page
  const want = skip + req.limit + 1;

  // 1. find
  let hits: Hit[] = [];
  let read = 0;
  let batch = firstBatch(units.length, plan.chunksSkipped);
  // The index kept few chunks, all read in one query: few rows pass the cheap tests, their text is checked here.
  const fewPass = fewChunksKept(units.length, plan.chunksSkipped);
  const fetch: RowFetch = { rows: new Map(), pages: input.pages ?? new PartPagesCache() };
  /** times of the first rows a LIMIT or the cut to `want` left out */
  const cutAt: bigint[] = [];
  while (read < units.length) {
    if (hits.length >= want && units[read]!.maxNs < hits[want - 1]!.t) break;
    const indexes = Array.from({ length: Math.min(batch, units.length - read) }, (_, k) => read + k);
    read += indexes.length;
    batch = Math.min(batch * 2, MOST_UNITS_PER_QUERY);
    // One more than wanted: whether rows of the last time kept were left out shows.
    const found = await findHits(engine, units, indexes, req, extra, want + 1, fewPass ? fetch : undefined);
    if (found.length === want + 1) cutAt.push(found[want]!.t);
    hits = hits.concat(found);
    hits.sort(newestFirst);
    if (hits.length > want) cutAt.push(hits[want]!.t);
    hits.length = Math.min(hits.length, want);
  }
  // Rows of the last time kept that a LIMIT left out: take them all, to order them by content.
  if (hits.length >= want && cutAt.includes(hits[want - 1]!.t)) {
    const boundary = hits[want - 1]!.t;
    const holding = units.slice(0, read).flatMap((u, i) => (u.minNs <= boundary && boundary <= u.maxNs ? [i] : []));
    const ties = await findHits(engine, units, holding, req, [`${LOG_TIME_COLUMN} = ${boundary}`]);
    hits = hits.filter((h) => h.t !== boundary).concat(ties);
  }

  // 2. fetch
  await fetchRows(engine, units, hits, fetch);
  const found = hits.map((h) => fetch.rows.get(rowKey(units, h))).filter((r): r is Row => r !== undefined);
  const roles = logColumnRoles(new Set(found.flatMap((r) => Object.keys(r))));
  const records = found.map((r) => ({ t: r[LOG_TIME_COLUMN] as bigint, record: logRecordOf(r, roles), key: '' }));
  for (const r of records) r.key = canonicalJson(r.record);
  records.sort((a, b) => (a.t > b.t ? -1 : a.t < b.t ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const page = records.slice(skip, skip + req.limit);
  const result: LogSearchResult = {
    records: page.map((r) => r.record),
    stats: { filesInRange: plan.filesInRange, unitsPlanned: plan.units.length, unitsRead: read, chunksSkipped: plan.chunksSkipped },
  };
  if (records.length > skip + req.limit) {
    const last = page[page.length - 1]!.t;
    let given = page.filter((r) => r.t === last).length;
    if (cursor && last === cursor.t) given += skip;
    result.nextCursor = encodeCursor({ t: last, given });
  }
  return result;
}

export interface HistogramRequest {
  query: LogQuery;
  startNs: bigint;
  endNs: bigint;
  /** bucket width, nanos */
  stepNs: bigint;
}

/** Severity levels of the histogram: OTLP severity number ranges. */
export const SEVERITY_LEVELS = ['unspecified', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

export interface HistogramResult {
  stepNs: string;
  /** every bucket from start to end: its start (unix nanos) and count per level (levels without records left out) */
  buckets: { startNs: string; counts: Record<string, number> }[];
}

export async function logHistogram(engine: Engine, input: LogSearchInput, req: HistogramRequest): Promise<HistogramResult> {
  if (req.stepNs <= 0n) throw new BadQueryError('logs: histogram step must be positive');
  if ((req.endNs - req.startNs) / req.stepNs > 10_000n) throw new BadQueryError('logs: histogram of more than 10000 buckets; use a larger step');
  const plan = await planLogScan(input, req);
  const buckets = new Map<bigint, Record<string, number>>();
  for (let i = 0; i < plan.units.length; i += 64) {
    const batch = plan.units.slice(i, i + 64);
    const inner = batch
      .map((u) => {
        const select = `${LOG_TIME_COLUMN}, severity_number`;
        const where = unitWhereSql(u, req);
        return `SELECT ${select} FROM ${unitSourceSql(u, [select, where])} WHERE ${where}`;
      })
      .join(' UNION ALL ');
    const sql =
      `SELECT (${LOG_TIME_COLUMN} - ${req.startNs}) // ${req.stepNs} AS b, ` +
      `CASE WHEN severity_number <= 0 THEN 0 ELSE least((severity_number - 1) // 4 + 1, 6) END AS level, count(*) AS n ` +
      `FROM (${inner}) GROUP BY ALL`;
    for (const r of await engine.all(sql)) {
      const start = req.startNs + (r['b'] as bigint) * req.stepNs;
      let counts = buckets.get(start);
      if (!counts) buckets.set(start, (counts = {}));
      const level = SEVERITY_LEVELS[Number(r['level'])]!;
      counts[level] = (counts[level] ?? 0) + Number(r['n']);
    }
  }
  // Every bucket of the range, empty ones included, so a chart of it has no gaps to bridge.
  const out: HistogramResult['buckets'] = [];
  for (let start = req.startNs; start <= req.endNs; start += req.stepNs) out.push({ startNs: String(start), counts: buckets.get(start) ?? {} });
  return { stepNs: String(req.stepNs), buckets: out };
}

