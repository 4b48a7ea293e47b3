// A text field of a log body that another text field of the record gives —
// the bench's `service` is its `host` before the last `-` (`cart` of
// `cart-3`, as pod names are `<deployment>-<hash>`) — is stored once: where
// every value of a string body field B in a part is the text of another
// string body field A before A's last `-`, the flush writes the BOOLEAN
// column `B::dash-prefix.A` (true where B is present) instead of B's text,
// and the log projection (log-part-projection.ts) gives B back from A where
// it is true. A function dependency found per part, not a rule of the bench:
// one row where it does not hold keeps B as text in that part
// (docs/format/log-dash-prefix.md).

import type { ParquetColumn } from './parquet/columns.js';
import { splitTypedColumnName } from './schema.js';
import { ValueType } from '../model/span-batch.js';
import { everyRowRelated, presenceMarker, type EntriesOfRows } from './log-entry-relation.js';

/** Between the derived field and the field it is derived from in a marker's name (keys escape their ':', so no plain field holds `::`). */
export const DASH_PREFIX_INFIX = '::dash-prefix.';

/** Dictionaries of at most this many entries are compared: a field with more values is no part-wide function of another worth a marker. */
export const MAX_DASH_PREFIX_ENTRIES = 4096;

const DASH = 0x2d;

type StringEntriesColumn = Extract<ParquetColumn, { kind: 'string-entries' }>;

/** The marker column of `field` derived from `source`. */
export function dashPrefixMarkerName(field: string, source: string): string {
  return `${field}${DASH_PREFIX_INFIX}${source}`;
}

/** The derived field and its source of a marker column; undefined for any other column. */
export function dashPrefixFieldsOf(stored: string): { field: string; source: string } | undefined {
  if (!stored.startsWith('body.')) return undefined;
  const at = stored.indexOf(DASH_PREFIX_INFIX);
  if (at < 0) return undefined;
  const source = stored.slice(at + DASH_PREFIX_INFIX.length);
  return source.startsWith('body.') ? { field: stored.slice(0, at), source } : undefined;
}

/** Whether a stored column is a plain string body field (no type suffix, no stored piece): the fields a marker may relate. */
export function isDashPrefixCandidate(column: ParquetColumn): column is StringEntriesColumn {
  if (column.kind !== 'string-entries' || column.binary || !column.name.startsWith('body.') || column.name.includes('::')) return false;
  return splitTypedColumnName(column.name).type === ValueType.String && column.entryStarts.length - 1 <= MAX_DASH_PREFIX_ENTRIES;
}

/** Byte length of entry `e`'s text before its last `-`; -1 where it has none. Entries are a u32 length, then UTF-8. */
function dashPrefixLength(c: EntriesOfRows, e: number): number {
  const from = c.entryStarts[e]! + 4;
  for (let k = c.entryStarts[e + 1]! - 1; k >= from; k--) if (c.entries[k] === DASH) return k - from;
  return -1;
}

/** Whether entry `f` of `field` holds the text of entry `s` of `source` before its last `-`. */
function isDashPrefix(field: EntriesOfRows, f: number, source: EntriesOfRows, s: number): boolean {
  const length = dashPrefixLength(source, s);
  const fs = field.entryStarts[f]! + 4;
  if (length < 0 || field.entryStarts[f + 1]! - fs !== length) return false;
  const ss = source.entryStarts[s]! + 4;
  for (let k = 0; k < length; k++) if (field.entries[fs + k] !== source.entries[ss + k]) return false;
  return true;
}

/**
 * Whether every value of `field` is its row's `source` text before the last
 * `-` (a present source in every row with the field), and `field` has a
 * value: the first differing row stops it (most pairs: the first row).
 */
export function holdsDashPrefix(field: EntriesOfRows, source: EntriesOfRows): boolean {
  return everyRowRelated(field, source, (f, s) => isDashPrefix(field, f, source, s));
}

/** The marker column standing for `field` (true where it has a value), derived from the column `source`. */
export function dashPrefixMarker(field: string, nulls: Uint8Array | undefined, rows: number, source: string): ParquetColumn {
  return presenceMarker(dashPrefixMarkerName(field, source), rows, nulls);
}

/**
 * SQL of `field` rebuilt from its markers' sources (`ident` quotes a column
 * name): a merged file may hold several (parts deriving it from different
 * fields), and the stored text too.
 */
export function dashPrefixRebuildSql(field: string, sources: readonly string[], columns: ReadonlySet<string>, ident: (c: string) => string): string {
  // greedy `.*` up to the last '-'; (?s): a '\n' in the text is matched too
  const rebuilt = sources.map((source) => `CASE WHEN ${ident(dashPrefixMarkerName(field, source))} THEN regexp_extract(${ident(source)}, '(?s)^(.*)-', 1) END`);
  const all = columns.has(field) ? [ident(field), ...rebuilt] : rebuilt;
  return all.length === 1 ? all[0]! : `coalesce(${all.join(', ')})`;
}

/** The fields `columns` hold as dash-prefix markers, each with the fields it is derived from. */
export function dashPrefixFields(columns: Iterable<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of columns) {
    const marker = dashPrefixFieldsOf(c);
    if (marker === undefined) continue;
    const sources = out.get(marker.field);
    if (sources) sources.push(marker.source);
    else out.set(marker.field, [marker.source]);
  }
  for (const sources of out.values()) sources.sort();
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** dashPrefixRebuildSql for a value read without DuckDB. */
export function dashPrefixOf(text: unknown): string | null {
  if (typeof text !== 'string') return null;
  const at = text.lastIndexOf('-');
  return at < 0 ? null : text.slice(0, at);
}

/** A copy of entry numbers below MAX_DASH_PREFIX_ENTRIES in 16 bits (set() converts natively; from() iterates). */
function narrowed(indices: Uint32Array): Uint16Array {
  const out = new Uint16Array(indices.length);
  out.set(indices);
  return out;
}

/** A plain string body field of a run, seen by DashPrefixFields: a copy of its rows kept until the run's last column. */
interface KeptField {
  /** the column as it came, indices left out (they are `rows`) */
  column: StringEntriesColumn;
  rows: Uint16Array;
  nulls: Uint8Array | undefined;
  /** held: not written yet, may still become a marker; source: written as text, some field is derived from it; marker: written as a marker */
  state: 'held' | 'source' | 'marker';
}

/**
 * The flush's column step for dash-prefix markers (src/parts/sorted-run.ts),
 * for each run seeing its columns one by one in the part's column order: a
 * field may come before the field it is derived from (the bench's `service`
 * before `host`), so each plain string body field of a few values is held
 * back — a copy of its rows, 2 bytes a row — until a later field gives it
 * or the run's columns end (finish: written then as text). A field found
 * derived is never a source, nor a source derived (no chains to rebuild).
 */
export class DashPrefixFields {
  private readonly runs: KeptField[][];

  constructor(runCount: number) {
    this.runs = Array.from({ length: runCount }, () => []);
  }

  /** The columns to write for `column` of run `r` now (none while it is held); undefined: as it is. */
  step(r: number, column: ParquetColumn): ParquetColumn[] | undefined {
    if (!isDashPrefixCandidate(column)) return undefined;
    const kept = this.runs[r]!;
    const view = (k: KeptField): EntriesOfRows => ({ entries: k.column.entries, entryStarts: k.column.entryStarts, indices: k.rows, nulls: k.nulls });
    const rows = column.indices.length;
    // derived from a field seen before
    for (const k of kept) {
      if (k.state === 'marker' || !holdsDashPrefix(column, view(k))) continue;
      const out = [dashPrefixMarker(column.name, column.nulls, rows, k.column.name)];
      if (k.state === 'held') out.push(this.written(k));
      k.state = 'source';
      return out;
    }
    // a held field derived from this one
    const out: ParquetColumn[] = [];
    for (const k of kept) {
      if (k.state !== 'held' || !holdsDashPrefix(view(k), column)) continue;
      out.push(dashPrefixMarker(k.column.name, k.nulls, rows, column.name));
      k.state = 'marker';
    }
    const copy: KeptField = { column: { ...column, indices: new Uint32Array(0) }, rows: narrowed(column.indices), nulls: column.nulls?.slice(), state: out.length > 0 ? 'source' : 'held' };
    kept.push(copy);
    return out.length > 0 ? [column, ...out] : [];
  }

  /** Run `r`'s held fields, written as text at the end of its columns; lets go of its copies. */
  finish(r: number): ParquetColumn[] {
    const held = this.runs[r]!.filter((k) => k.state === 'held').map((k) => this.written(k));
    this.runs[r] = [];
    return held;
  }

  /** A kept field as the writer takes it. */
  private written(k: KeptField): ParquetColumn {
    const { nulls: _nulls, ...column } = k.column;
    const indices = new Uint32Array(k.rows.length);
    indices.set(k.rows);
    return { ...column, indices, ...(k.nulls ? { nulls: k.nulls } : {}) };
  }
}
