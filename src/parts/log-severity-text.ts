// A text field of a log body that is its record's severity text — the
// `level` of JSON lines, which ingest also reads into `severity_text` and
// `severity_number` (?severity_field=, docs/logs.md) — is stored once: where
// every value of the field in a part equals its row's `severity_text`, the
// flush writes the BOOLEAN column `body.<path>::severity` (true where the
// field is present) instead of the text, and the log projection
// (log-part-projection.ts) gives `body.<path>` back as the row's
// `severity_text` where it is true. Lossless, all or nothing per part: one
// row whose field differs from its severity text keeps the field as text.
//
// Likewise `severity_number`, where every row's is the number ingest derives
// from its severity text (DERIVED_SEVERITY_NUMBERS): the part holds the
// BOOLEAN `severity_number::text` instead, and the projection gives the
// number back from the text.

import type { ParquetColumn } from './parquet/columns.js';
import { splitTypedColumnName } from './schema.js';
import { ValueType } from '../model/span-batch.js';
import { LEVEL_SEVERITY_NUMBERS } from '../model/log-batch.js';
import { everyRowRelated, presenceMarker } from './log-entry-relation.js';

/** Column suffix of a body field stored as its record's severity text (keys escape their ':', so no key ends so). */
export const SEVERITY_TEXT_SUFFIX = '::severity';

/** The hot column the field is rebuilt from. */
export const SEVERITY_TEXT_COLUMN = 'severity_text';

type StringEntriesColumn = Extract<ParquetColumn, { kind: 'string-entries' }>;

/** `body.<path>` of a marker column, undefined for any other column. */
export function severityFieldOf(stored: string): string | undefined {
  return stored.startsWith('body.') && stored.endsWith(SEVERITY_TEXT_SUFFIX) ? stored.slice(0, -SEVERITY_TEXT_SUFFIX.length) : undefined;
}

/** Whether the flush tries the severity form on a column: string body fields. */
export function isSeverityCandidate(column: string): boolean {
  const { base, type } = splitTypedColumnName(column);
  return base.startsWith('body.') && type === ValueType.String;
}

/** Whether entry `a` of `x` and entry `b` of `y` hold the same bytes (u32 length and UTF-8). */
function sameEntry(x: StringEntriesColumn, a: number, y: StringEntriesColumn, b: number): boolean {
  const xs = x.entryStarts[a]!;
  const xe = x.entryStarts[a + 1]!;
  const ys = y.entryStarts[b]!;
  if (y.entryStarts[b + 1]! - ys !== xe - xs) return false;
  for (let k = 0; k < xe - xs; k++) if (x.entries[xs + k] !== y.entries[ys + k]) return false;
  return true;
}

/**
 * The marker column of `field` where each of its values equals the row's
 * severity text in `severity`; undefined where one does not (most fields:
 * the first row tells).
 */
export function severityMarkerColumn(field: StringEntriesColumn, severity: StringEntriesColumn): ParquetColumn | undefined {
  if (!everyRowRelated(field, severity, (e, s) => sameEntry(field, e, severity, s))) return undefined;
  return presenceMarker(`${field.name}${SEVERITY_TEXT_SUFFIX}`, field.indices.length, field.nulls);
}

/** SQL of the field `column` rebuilt from its marker (`ident` quotes a column name); the stored text too where a merged file has both. */
export function severityRebuildSql(column: string, columns: ReadonlySet<string>, ident: (c: string) => string): string {
  const rebuilt = `CASE WHEN ${ident(`${column}${SEVERITY_TEXT_SUFFIX}`)} THEN ${ident(SEVERITY_TEXT_COLUMN)} END`;
  return columns.has(column) ? `coalesce(${ident(column)}, ${rebuilt})` : rebuilt;
}

/** The hot column whose number may be derived from the severity text. */
export const SEVERITY_NUMBER_COLUMN = 'severity_number';

/** Marker of a part whose severity numbers are derived from the text. */
export const DERIVED_SEVERITY_NUMBER_COLUMN = `${SEVERITY_NUMBER_COLUMN}::text`;

/**
 * The severity texts whose number a part may leave to the reader: the level
 * names of LEVEL_SEVERITY_NUMBERS (src/model/log-batch.ts) in lower,
 * upper and capitalised case, exactly (no trimming, no other case: SQL's
 * CASE compares bytes, and a number the table does not give is stored).
 * Any other text, or none, derives 0.
 */
export const DERIVED_SEVERITY_NUMBERS: ReadonlyMap<string, number> = new Map(
  [...LEVEL_SEVERITY_NUMBERS].flatMap(([name, n]) => [name, name.toUpperCase(), name[0]!.toUpperCase() + name.slice(1)].map((text): [string, number] => [text, n])),
);

/**
 * The marker column where every row's number in `numbers` is the one
 * DERIVED_SEVERITY_NUMBERS gives its text in `texts` (0 for none); undefined
 * where one is not.
 */
export function derivedSeverityNumberMarker(numbers: Extract<ParquetColumn, { kind: 'int32' }>, texts: StringEntriesColumn): ParquetColumn | undefined {
  const rows = texts.indices.length;
  const decoder = new TextDecoder();
  // per text entry: its derived number (-1: not looked up yet)
  const derived = new Int32Array(texts.entryStarts.length).fill(-1);
  for (let r = 0; r < rows; r++) {
    if (numbers.nulls?.[r]) return undefined;
    let n = 0;
    if (!texts.nulls?.[r]) {
      const e = texts.indices[r]!;
      if (derived[e] === -1) derived[e] = DERIVED_SEVERITY_NUMBERS.get(decoder.decode(texts.entries.subarray(texts.entryStarts[e]! + 4, texts.entryStarts[e + 1]!))) ?? 0;
      n = derived[e]!;
    }
    if (numbers.values[r] !== n) return undefined;
  }
  return { name: DERIVED_SEVERITY_NUMBER_COLUMN, kind: 'boolean', values: new Uint8Array(rows).fill(1) };
}

/** SQL of `severity_number` in a relation holding the marker (`ident` quotes a column name); the stored numbers too where it has both. */
export function severityNumberRebuildSql(columns: ReadonlySet<string>, ident: (c: string) => string): string {
  const cases = [...DERIVED_SEVERITY_NUMBERS].map(([text, n]) => `WHEN '${text}' THEN ${n}`).join(' ');
  const rebuilt = `CASE WHEN ${ident(DERIVED_SEVERITY_NUMBER_COLUMN)} THEN CAST(CASE ${ident(SEVERITY_TEXT_COLUMN)} ${cases} ELSE 0 END AS INTEGER) END`;
  return columns.has(SEVERITY_NUMBER_COLUMN) ? `coalesce(${ident(SEVERITY_NUMBER_COLUMN)}, ${rebuilt})` : rebuilt;
}

/** severityNumberRebuildSql for a row read without DuckDB. */
export function derivedSeverityNumber(text: unknown): number {
  return typeof text === 'string' ? (DERIVED_SEVERITY_NUMBERS.get(text) ?? 0) : 0;
}
