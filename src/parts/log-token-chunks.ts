// Builds the token index of log parts (token-index.ts). Every record's words
// are hashed — by the JSON-lines decoder as it reads them, else at seal time —
// and kept with the staged file in row order (LogTokens). A
// flush writes a part's rows in an order this module computes — service,
// unit of work (rows sharing a correlation key, log-correlation.ts), time,
// then staging file and row — and cuts them
// into chunks of TOKEN_CHUNK_ROWS rows, the part's row groups, whose words
// one filter holds (token-index.ts). The text fields hashed are those the SQL check reads
// (isSearchableLogColumn). A flush's part order and token index are
// computed in its worker (sorted-run.ts: logPartRows, partTokenChunks), from
// each staged file's LogRowsOfFile. Staged files get chunks too, in their own
// row order, built when a search first asks (stagedTokenChunks).

import type { LogBatch, RecordTokens } from '../model/log-batch.js';
import { ValueType, type AttributeColumns } from '../model/span-batch.js';
import type { StagedFile } from '../head/head.js';
import { maxTokenCount, tokenHashesInto } from './log-tokens.js';
import { correlationKeysOf } from './log-correlation.js';
import { TOKEN_CHUNK_ROWS, buildTokenChunks, distinctHashes, type ChunkPlace, type TokenChunk } from './token-index.js';

/**
 * Token hashes of a staged file's rows, in row order. `offsets` and `hashes`
 * (~60 MB per million records) live in SharedArrayBuffers: the ingest thread
 * that makes them, the main thread that searches them and the flush worker
 * that builds a part's token index from them share one copy.
 */
export interface LogTokens {
  /** row r's hashes are hashes[offsets[r], offsets[r + 1]) */
  offsets: Uint32Array;
  hashes: Uint32Array;
  /** distinct service names, and each row's index into them */
  services: string[];
  serviceOfRow: Uint32Array;
  /** each row's correlation key hash, 0 for none (log-correlation.ts): a part puts a key's rows together */
  correlation: Uint32Array;
}

/** (row, token hash) pairs, in the order the text values were visited. */
class TokenPairs {
  rows = new Uint32Array(1024);
  hashes = new Uint32Array(1024);
  length = 0;

  /** Adds the hashes of the tokens of `text` as row `row`'s. */
  addText(row: number, text: string): void {
    const need = this.length + maxTokenCount(text);
    if (need > this.hashes.length) {
      const cap = Math.max(need, this.hashes.length * 2);
      const rows = new Uint32Array(cap);
      rows.set(this.rows.subarray(0, this.length));
      this.rows = rows;
      const hashes = new Uint32Array(cap);
      hashes.set(this.hashes.subarray(0, this.length));
      this.hashes = hashes;
    }
    const end = tokenHashesInto(text, this.hashes, this.length);
    this.rows.fill(row, this.length, end);
    this.length = end;
  }
}

function isTextType(type: number): boolean {
  return type === ValueType.String || type === ValueType.Array;
}

function addTextValues(a: AttributeColumns, pairs: TokenPairs): void {
  for (let i = 0; i < a.length; i++) if (isTextType(a.type[i]!)) pairs.addText(a.owner[i]!, a.str[i]!);
}

/**
 * The word hashes of a batch whose decoder did not make them (OTLP): of the
 * event names, bodies, attributes and body fields (a body field holding the
 * record's time as text is not stored as text, so not indexed either),
 * sorted by record.
 */
function recordTokensOf(b: LogBatch): RecordTokens {
  const pairs = new TokenPairs();
  for (let i = 0; i < b.length; i++) if (b.eventName[i]) pairs.addText(i, b.eventName[i]!);
  addTextValues(b.body, pairs);
  addTextValues(b.attributes, pairs);
  for (const f of b.bodyFields) {
    if (f.timeText || !isTextType(f.type)) continue;
    for (let i = 0; i < f.length; i++) pairs.addText(f.rows[i]!, f.str[i]!);
  }
  // counting sort of the (record, hash) pairs by record
  const offsets = new Uint32Array(b.length + 1);
  for (let i = 0; i < pairs.length; i++) offsets[pairs.rows[i]! + 1]!++;
  for (let r = 0; r < b.length; r++) offsets[r + 1]! += offsets[r]!;
  const fill = offsets.slice(0, b.length);
  const hashes = new Uint32Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) hashes[fill[pairs.rows[i]!]!++] = pairs.hashes[i]!;
  return { offsets, hashes };
}

/** Hashes the words of every record's text fields (StagingSchema.sidecar of logs). */
export function logTokensOf(batches: readonly LogBatch[]): LogTokens {
  let rows = 0;
  let hashCount = 0;
  const perBatch = batches.map((b) => {
    const tokens = b.tokens ?? recordTokensOf(b);
    rows += b.length;
    hashCount += tokens.hashes.length;
    return tokens;
  });
  const offsets = sharedUint32Array(rows + 1);
  const hashes = sharedUint32Array(hashCount);
  const serviceIndex = new Map<string, number>();
  const serviceOfRow = new Uint32Array(rows);
  let row0 = 0;
  let at = 0;
  for (let k = 0; k < batches.length; k++) {
    const b = batches[k]!;
    // services by resource, then each row's by its resource: one lookup per resource, not per row
    const serviceOfResource = b.resources.serviceName.map((name) => {
      let s = serviceIndex.get(name);
      if (s === undefined) {
        s = serviceIndex.size;
        serviceIndex.set(name, s);
      }
      return s;
    });
    const tokens = perBatch[k]!;
    hashes.set(tokens.hashes, at);
    for (let i = 0; i < b.length; i++) {
      serviceOfRow[row0 + i] = serviceOfResource[b.resource[i]!]!;
      offsets[row0 + i + 1] = at + tokens.offsets[i + 1]!;
    }
    at += tokens.hashes.length;
    row0 += b.length;
  }
  return { offsets, hashes, services: [...serviceIndex.keys()], serviceOfRow, correlation: correlationKeysOf(batches) };
}

function sharedUint32Array(length: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(length * 4));
}

/** What a log part's order and token index read of a staged file: on the main thread (a search) or in a flush's worker. */
export interface LogRowsOfFile {
  path: string;
  rows: number;
  startNs: BigInt64Array;
  tokens: LogTokens;
}

/** The staged files as a flush's worker gets them (their word hashes shared, not copied: LogTokens). */
export function logRowsOf(staged: readonly StagedFile[]): LogRowsOfFile[] {
  return staged.map((f) => ({ path: f.path, rows: f.rows, startNs: f.startNs, tokens: f.sidecar as LogTokens }));
}

/** Strings in UTF-8 byte order, as DuckDB sorts VARCHAR. */
export function compareUtf8(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Rows of one or more staged files, each as (file, row), with their service and time. */
interface RowSet {
  files: readonly LogRowsOfFile[];
  file: Uint32Array;
  row: Uint32Array;
  length: number;
}

/** Cuts `order` (indexes into `set`) into chunks of TOKEN_CHUNK_ROWS rows, numbered from row 0. */
function chunksInOrder(set: RowSet, order: Uint32Array): TokenChunk[] {
  const places: ChunkPlace[] = [];
  for (let start = 0; start < order.length; start += TOKEN_CHUNK_ROWS) {
    const end = Math.min(order.length, start + TOKEN_CHUNK_ROWS);
    let minTimeNs = 0n;
    let maxTimeNs = 0n;
    const distinctServices = new Set<string>();
    for (let k = start; k < end; k++) {
      const i = order[k]!;
      const f = set.files[set.file[i]!]!;
      const r = set.row[i]!;
      const t = f.startNs[r]!;
      if (k === start || t < minTimeNs) minTimeNs = t;
      if (k === start || t > maxTimeNs) maxTimeNs = t;
      distinctServices.add(f.tokens.services[f.tokens.serviceOfRow[r]!]!);
    }
    const services = [...distinctServices].sort(compareUtf8);
    places.push({ firstRow: start, rows: end - start, minTimeNs, maxTimeNs, minService: services[0]!, maxService: services[services.length - 1]! });
  }
  return buildTokenChunks(places, (c) => distinctHashes(chunkHashes(set, order, places[c]!)));
}

/** The word keys of a chunk's rows, repeats included. */
function chunkHashes(set: RowSet, order: Uint32Array, place: ChunkPlace): Uint32Array {
  const end = place.firstRow + place.rows;
  let count = 0;
  for (let k = place.firstRow; k < end; k++) {
    const i = order[k]!;
    const tokens = set.files[set.file[i]!]!.tokens;
    count += tokens.offsets[set.row[i]! + 1]! - tokens.offsets[set.row[i]!]!;
  }
  const hashes = new Uint32Array(count);
  let p = 0;
  for (let k = place.firstRow; k < end; k++) {
    const i = order[k]!;
    const tokens = set.files[set.file[i]!]!.tokens;
    const from = tokens.offsets[set.row[i]!]!;
    const to = tokens.offsets[set.row[i]! + 1]!;
    hashes.set(tokens.hashes.subarray(from, to), p);
    p += to - from;
  }
  return hashes;
}

/**
 * The rows of `staged` within [fromNs, toNs) in a log part's order — service
 * (UTF-8 bytes), unit of work (groupedByKey), time, staging file path, row in
 * that file — as (file, row) pairs over the files sorted by path.
 */
function partOrder(staged: readonly LogRowsOfFile[], fromNs: bigint, toNs: bigint): { set: RowSet } & UnitsInOrder {
  const files = [...staged].sort((a, b) => compareUtf8(a.path, b.path));
  let total = 0;
  for (const f of files) total += f.rows;
  const set: RowSet = { files, file: new Uint32Array(total), row: new Uint32Array(total), length: 0 };
  // Service ranks in byte order, and times as offsets within the day (exact in a double: < 2^53).
  const serviceNames = new Set<string>();
  for (const f of files) for (const s of f.tokens.services) serviceNames.add(s);
  const rankOf = new Map([...serviceNames].sort(compareUtf8).map((s, i) => [s, i]));
  const serviceRank = new Uint32Array(total);
  const time = new Float64Array(total);
  const correlation = new Uint32Array(total);
  files.forEach((f, fi) => {
    const tokens = f.tokens;
    const ranks = tokens.services.map((s) => rankOf.get(s)!);
    for (let r = 0; r < f.rows; r++) {
      const t = f.startNs[r]!;
      if (t < fromNs || t >= toNs) continue;
      const k = set.length++;
      set.file[k] = fi;
      set.row[k] = r;
      serviceRank[k] = ranks[tokens.serviceOfRow[r]!]!;
      time[k] = Number(t - fromNs);
      correlation[k] = tokens.correlation[r]!;
    }
  });
  // Rows were enumerated file by file in path order, row by row: the index breaks ties exactly as (file, row) does.
  const byTime = new Uint32Array(set.length);
  for (let k = 0; k < byTime.length; k++) byTime[k] = k;
  byTime.sort((a, b) => serviceRank[a]! - serviceRank[b]! || time[a]! - time[b]! || a - b);
  return { set, ...groupedByKey(byTime, serviceRank, time, correlation) };
}

/**
 * How long after its first row a unit of work's rows still join it: a row
 * group's rows then end at most this much after its last unit's start, so
 * row groups stay as narrow in time as in time order, nearly.
 */
export const LONGEST_UNIT_NS = 10e9;

/** Rows in part order, and where each unit of work starts among them. */
interface UnitsInOrder {
  order: Uint32Array;
  /** per unit, in order: the position in `order` of its first row (ascending, the first 0) */
  unitStarts: Uint32Array;
}

/**
 * `byTime` (service, time, row) reordered so that each unit of work — the
 * rows of one service with one correlation key, within LONGEST_UNIT_NS of
 * the unit's first row — is together: units in order of their first row,
 * each unit's rows in time order. A row without a key is a unit by itself.
 */
function groupedByKey(byTime: Uint32Array, serviceRank: Uint32Array, time: Float64Array, correlation: Uint32Array): UnitsInOrder {
  const n = byTime.length;
  const unitOf = new Uint32Array(n);
  const unitStart: number[] = [];
  const openUnit = new Map<number, number>();
  let units = 0;
  for (let p = 0; p < n; p++) {
    const k = byTime[p]!;
    if (p > 0 && serviceRank[k] !== serviceRank[byTime[p - 1]!]) openUnit.clear();
    const key = correlation[k]!;
    let unit = key === 0 ? undefined : openUnit.get(key);
    if (unit === undefined || time[k]! - unitStart[unit]! > LONGEST_UNIT_NS) {
      unit = units++;
      unitStart.push(time[k]!);
      if (key !== 0) openUnit.set(key, unit);
    }
    unitOf[k] = unit;
  }
  // units are numbered in order of their first row: a counting sort by unit keeps each unit's rows in time order
  const at = new Uint32Array(units + 1);
  for (let k = 0; k < n; k++) at[unitOf[k]! + 1]!++;
  for (let u = 0; u < units; u++) at[u + 1]! += at[u]!;
  const unitStarts = at.slice(0, units);
  const order = new Uint32Array(n);
  for (let p = 0; p < n; p++) {
    const k = byTime[p]!;
    order[at[unitOf[k]!]!++] = k;
  }
  return { order, unitStarts };
}

/**
 * The part's rows for the UTC day [fromNs, toNs) of `staged`, in part order,
 * each numbered across the files as given (file after file, row by row):
 * what a flush's worker writes (src/parts/sorted-run.ts), and builds the
 * part's token index for (partTokenChunks).
 */
export function logPartRows(staged: readonly LogRowsOfFile[], fromNs: bigint, toNs: bigint): Uint32Array {
  return logPartRowsAndUnits(staged, fromNs, toNs).rows;
}

/**
 * logPartRows, and where each unit of work starts among them (positions in
 * `rows`, ascending, the first 0): the units a flush stores per-request
 * fields once for (src/parts/log-unit-form.ts).
 */
export function logPartRowsAndUnits(staged: readonly LogRowsOfFile[], fromNs: bigint, toNs: bigint): { rows: Uint32Array; unitStarts: Uint32Array } {
  const { set, order, unitStarts } = partOrder(staged, fromNs, toNs);
  const firstRowOf = new Map<LogRowsOfFile, number>();
  let rows = 0;
  for (const f of staged) {
    firstRowOf.set(f, rows);
    rows += f.rows;
  }
  const firstRow = set.files.map((f) => firstRowOf.get(f)!);
  const out = new Uint32Array(order.length);
  for (let k = 0; k < order.length; k++) out[k] = firstRow[set.file[order[k]!]!]! + set.row[order[k]!]!;
  return { rows: out, unitStarts };
}

/**
 * The token index chunks of a part whose row k is row rows[k] of `staged`,
 * numbered across the files as given (logPartRows): cut every
 * TOKEN_CHUNK_ROWS rows. What a flush's worker writes beside the part.
 */
export function partTokenChunks(staged: readonly LogRowsOfFile[], rows: Uint32Array): TokenChunk[] {
  const set: RowSet = { files: staged, file: new Uint32Array(rows.length), row: new Uint32Array(rows.length), length: rows.length };
  // rows are numbered file after file: each number's file and first row by table, not by search
  let total = 0;
  for (const f of staged) total += f.rows;
  const fileOf = new Uint32Array(total);
  const firstRow = new Uint32Array(staged.length);
  for (let i = 0, at = 0; i < staged.length; at += staged[i]!.rows, i++) {
    firstRow[i] = at;
    fileOf.fill(i, at, at + staged[i]!.rows);
  }
  for (let k = 0; k < rows.length; k++) {
    const f = fileOf[rows[k]!]!;
    set.file[k] = f;
    set.row[k] = rows[k]! - firstRow[f]!;
  }
  const order = new Uint32Array(rows.length);
  for (let k = 0; k < order.length; k++) order[k] = k;
  return chunksInOrder(set, order);
}

/**
 * The chunks of the part of `staged` for the UTC day [fromNs, toNs), from
 * the part order as computed (no round trip through row numbers): the
 * reference partTokenChunks is tested against, and what
 * bench/logs-ingest-profile.ts times.
 */
export function tokenChunksOf(staged: readonly LogRowsOfFile[], fromNs: bigint, toNs: bigint): TokenChunk[] {
  const { set, order } = partOrder(staged, fromNs, toNs);
  return chunksInOrder(set, order);
}

const stagedChunks = new WeakMap<StagedFile, TokenChunk[]>();

/** The chunks of a staged file in its own row order (computed once per file, when a search first needs them). */
export function stagedTokenChunks(file: StagedFile): TokenChunk[] {
  if (!file.sidecar) return [];
  let chunks = stagedChunks.get(file);
  if (!chunks) {
    const set: RowSet = { files: logRowsOf([file]), file: new Uint32Array(file.rows), row: new Uint32Array(file.rows), length: file.rows };
    const order = new Uint32Array(file.rows);
    for (let r = 0; r < file.rows; r++) order[r] = set.row[r] = r;
    chunks = chunksInOrder(set, order);
    stagedChunks.set(file, chunks);
  }
  return chunks;
}
