// Log search, newest first, with cursor pagination, and the volume histogram.
//
// Plan (pure, planLogScan): the files of a store snapshot whose time range
// meets the request's; for parts with a token index and a query with words,
// only the chunks whose bloom filter may hold every word, each read as
// `service_name = s AND time BETWEEN min AND max` (a few row groups of the
// part, which is sorted by service then time). Scan units are ordered by
// their newest possible row.
//
// Execute: units are read a few at a time, newest first, each with the
// predicate compiled for that file's columns (log-sql.ts), until `limit` rows
// are found and no unit left can hold a newer one.

import { join } from 'node:path';
import { BadQueryError } from '../../model/errors.js';
import { sqlString, type Engine, type Row } from '../../engine/duckdb.js';
import type { PartInfo } from '../../parts/catalog.js';
import type { StagedFile } from '../../head/head.js';
import { chunkMayContain, type TokenChunk } from '../../parts/token-index.js';
import { columnHash, inColumn, tokenHash } from '../../parts/log-tokens.js';
import { LOG_TIME_COLUMN } from '../../parts/log-columns.js';
import { isSearchableLogColumn, logPredicateSql, servicesOf } from './log-sql.js';
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
}

/** One read: a file, optionally only a service's rows in a time range. */
export interface ScanUnit {
  path: string;
  columns: ReadonlySet<string>;
  range?: { service: string; minNs: bigint; maxNs: bigint };
  /** per word term of the query (in order), the only columns that may hold it; absent = every text column */
  termColumns?: string[][];
  /** newest row time the unit may hold */
  maxNs: bigint;
}

export interface ScanPlan {
  units: ScanUnit[];
  filesInRange: number;
  chunksSkipped: number;
}

/** Reading every match, beyond this many chunks of one part the part is read whole. */
const MAX_CHUNKS_PER_PART = 64;
/** Units per query while searching newest first. */
const UNITS_PER_QUERY = 8;

function overlaps(minNs: bigint, maxNs: bigint, req: Pick<LogSearchRequest, 'startNs' | 'endNs'>): boolean {
  return (req.endNs === undefined || minNs <= req.endNs) && (req.startNs === undefined || maxNs >= req.startNs);
}

/** The units to read for a request, newest first. */
/**
 * `newest`: the search reads units newest first and stops early, so parts are
 * read chunk by chunk whenever they have an index; `all` (histogram, expand)
 * reads every match, so a part whose chunks mostly match is read whole.
 */
export type ScanMode = 'newest' | 'all';

export async function planLogScan(input: LogSearchInput, req: Pick<LogSearchRequest, 'query' | 'startNs' | 'endNs'>, mode: ScanMode = 'all'): Promise<ScanPlan> {
  const services = servicesOf(req.query);
  const terms = req.query.terms.filter((t) => !t.negate).map((t) => t.words.map(tokenHash));
  const columnHashes = new Map<string, number>();
  const hashOf = (c: string): number => {
    let h = columnHashes.get(c);
    if (h === undefined) columnHashes.set(c, (h = columnHash(c)));
    return h;
  };
  const units: ScanUnit[] = [];
  let filesInRange = 0;
  let chunksSkipped = 0;
  for (const p of input.parts) {
    const minNs = BigInt(p.minStartNs);
    const maxNs = BigInt(p.maxStartNs);
    if (!overlaps(minNs, maxNs, req)) continue;
    if (services && !p.services.some((s) => services.has(s))) continue;
    filesInRange++;
    const path = join(input.dataDir, p.path);
    const columns = new Set(p.columns);
    const chunks = mode === 'newest' || terms.length > 0 || services ? await input.chunksOf(p) : [];
    if (chunks.length === 0) {
      units.push({ path, columns, maxNs });
      continue;
    }
    const textColumns = p.columns.filter(isSearchableLogColumn);
    const hits: ChunkHit[] = [];
    for (const c of chunks) {
      if (!overlaps(c.minTimeNs, c.maxTimeNs, req) || (services && !services.has(c.service))) continue;
      // Per term, the columns of the chunk that may hold all its words.
      const termColumns: string[][] = [];
      for (const hashes of terms) {
        const cols = textColumns.filter((col) => hashes.every((h) => chunkMayContain(c, inColumn(h, hashOf(col)))));
        if (cols.length === 0) break;
        termColumns.push(cols);
      }
      if (termColumns.length === terms.length) hits.push({ service: c.service, minNs: c.minTimeNs, maxNs: c.maxTimeNs, termColumns });
    }
    chunksSkipped += chunks.length - hits.length;
    if (mode === 'all' && hits.length > MAX_CHUNKS_PER_PART) units.push({ path, columns, maxNs });
    else {
      for (const h of disjointRanges(hits)) {
        units.push({ path, columns, range: { service: h.service, minNs: h.minNs, maxNs: h.maxNs }, termColumns: h.termColumns, maxNs: h.maxNs });
      }
    }
  }
  for (const f of input.staged) {
    if (!overlaps(f.minStartNs, f.maxStartNs, req)) continue;
    if (services && ![...f.services].some((s) => services.has(s))) continue;
    filesInRange++;
    units.push({ path: f.path, columns: new Set(f.columns), maxNs: f.maxStartNs });
  }
  units.sort((a, b) => (a.maxNs > b.maxNs ? -1 : a.maxNs < b.maxNs ? 1 : 0));
  return { units, filesInRange, chunksSkipped };
}

/** A chunk that may hold the query's words, and in which columns. */
export interface ChunkHit {
  service: string;
  minNs: bigint;
  maxNs: bigint;
  termColumns: string[][];
}

/**
 * The hits with overlapping or touching time ranges of a service joined (their
 * term columns united): chunks cut at a time several rows share meet at that
 * time, and two units must never read the same row (it would be returned or
 * counted twice).
 */
export function disjointRanges(hits: readonly ChunkHit[]): ChunkHit[] {
  const sorted = [...hits].sort((a, b) => (a.service !== b.service ? (a.service < b.service ? -1 : 1) : a.minNs < b.minNs ? -1 : a.minNs > b.minNs ? 1 : 0));
  const out: ChunkHit[] = [];
  for (const h of sorted) {
    const last = out[out.length - 1];
    if (last && last.service === h.service && h.minNs <= last.maxNs) {
      if (h.maxNs > last.maxNs) last.maxNs = h.maxNs;
      last.termColumns = last.termColumns.map((cols, k) => [...new Set([...cols, ...h.termColumns[k]!])]);
    } else out.push({ ...h, termColumns: h.termColumns.map((cols) => [...cols]) });
  }
  return out;
}

function timeBoundsSql(req: Pick<LogSearchRequest, 'startNs' | 'endNs'>): string[] {
  const out: string[] = [];
  if (req.startNs !== undefined) out.push(`${LOG_TIME_COLUMN} >= ${req.startNs}`);
  if (req.endNs !== undefined) out.push(`${LOG_TIME_COLUMN} <= ${req.endNs}`);
  return out;
}

/** The WHERE of one unit: its range, the request's time bounds, the query. */
export function unitWhereSql(unit: ScanUnit, req: Pick<LogSearchRequest, 'query' | 'startNs' | 'endNs'>, extra: readonly string[] = []): string {
  const parts: string[] = [];
  if (unit.range) {
    parts.push(`service_name = ${sqlString(unit.range.service)}`, `${LOG_TIME_COLUMN} BETWEEN ${unit.range.minNs} AND ${unit.range.maxNs}`);
  }
  parts.push(...timeBoundsSql(req), ...extra, logPredicateSql(req.query, unit.columns, unit.termColumns));
  return parts.join(' AND ');
}

interface Cursor {
  t: bigint;
  f: string;
  r: bigint;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify({ t: String(c.t), f: c.f, r: String(c.r) })).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const o = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { t: string; f: string; r: string };
    return { t: BigInt(o.t), f: String(o.f), r: BigInt(o.r) };
  } catch {
    throw new BadQueryError('logs: cursor is not one this server gave out');
  }
}

/** Rows strictly after the cursor in (time desc, file, row) order. */
function afterCursorSql(c: Cursor): string[] {
  return [
    `${LOG_TIME_COLUMN} <= ${c.t}`,
    `(${LOG_TIME_COLUMN} < ${c.t} OR filename > ${sqlString(c.f)} OR (filename = ${sqlString(c.f)} AND file_row_number > ${c.r}))`,
  ];
}

function unitSelectSql(unit: ScanUnit, where: string, columns: string): string {
  return `SELECT ${columns} FROM read_parquet(${sqlString(unit.path)}, filename = true, file_row_number = true) WHERE ${where}`;
}

function compareRows(a: Row, b: Row): number {
  const ta = a[LOG_TIME_COLUMN] as bigint;
  const tb = b[LOG_TIME_COLUMN] as bigint;
  if (ta !== tb) return ta > tb ? -1 : 1;
  const fa = a['filename'] as string;
  const fb = b['filename'] as string;
  if (fa !== fb) return fa < fb ? -1 : 1;
  return Number((a['file_row_number'] as bigint) - (b['file_row_number'] as bigint));
}

export async function searchLogs(engine: Engine, input: LogSearchInput, req: LogSearchRequest): Promise<LogSearchResult> {
  const plan = await planLogScan(input, req, 'newest');
  const cursor = req.cursor ? decodeCursor(req.cursor) : undefined;
  const extra = cursor ? afterCursorSql(cursor) : [];
  const units = cursor ? plan.units.filter((u) => !u.range || u.range.minNs <= cursor.t) : plan.units;
  // one more than asked, to know whether there is a next page
  const want = req.limit + 1;
  let rows: Row[] = [];
  let read = 0;
  while (read < units.length) {
    if (rows.length >= want && units[read]!.maxNs < (rows[want - 1]![LOG_TIME_COLUMN] as bigint)) break;
    const batch = units.slice(read, read + UNITS_PER_QUERY);
    read += batch.length;
    const sql =
      batch.map((u) => unitSelectSql(u, unitWhereSql(u, req, extra), '*')).join(' UNION ALL BY NAME ') +
      ` ORDER BY ${LOG_TIME_COLUMN} DESC, filename, file_row_number LIMIT ${want}`;
    rows = rows.concat(await engine.all(sql));
    rows.sort(compareRows);
    rows.length = Math.min(rows.length, want);
  }
  const more = rows.length > req.limit;
  if (more) rows.length = req.limit;
  const roles = logColumnRoles(new Set(rows.flatMap((r) => Object.keys(r))));
  const records = rows.map((r) => logRecordOf(r, roles));
  const last = rows[rows.length - 1];
  const result: LogSearchResult = {
    records,
    stats: { filesInRange: plan.filesInRange, unitsPlanned: plan.units.length, unitsRead: read, chunksSkipped: plan.chunksSkipped },
  };
  if (more && last) result.nextCursor = encodeCursor({ t: last[LOG_TIME_COLUMN] as bigint, f: last['filename'] as string, r: last['file_row_number'] as bigint });
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
      .map((u) => unitSelectSql(u, unitWhereSql(u, req), `${LOG_TIME_COLUMN}, severity_number`))
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

