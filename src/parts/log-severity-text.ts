// A text field of a log body that is its record's severity text — the
// `level` of JSON lines, which ingest also reads into `severity_text` and
// `severity_number` (?severity_field=, docs/logs.md) — is stored once: where
// every value of the field in a part equals its row's `severity_text`, the
// flush writes the BOOLEAN column `body.<path>::severity` (true where the
// field is present) instead of the text, and the log projection
// (log-part-projection.ts) gives `body.<path>` back as the row's
// `severity_text` where it is true. Lossless, all or nothing per part: one
// row whose field differs from its severity text keeps the field as text.

import type { ParquetColumn } from './parquet/columns.js';
import { splitTypedColumnName } from './schema.js';
import { ValueType } from '../model/span-batch.js';

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
 * the first row tells). Rows compare entry indices, bytes once per pair.
 */
export function severityMarkerColumn(field: StringEntriesColumn, severity: StringEntriesColumn): ParquetColumn | undefined {
  const rows = field.indices.length;
  // per entry of the field: the severity entry last found equal to it (-1: none yet)
  const equalTo = new Int32Array(field.entryStarts.length).fill(-1);
  let present = 0;
  for (let r = 0; r < rows; r++) {
    if (field.nulls?.[r]) continue;
    if (severity.nulls?.[r]) return undefined;
    const e = field.indices[r]!;
    const s = severity.indices[r]!;
    if (equalTo[e] !== s) {
      if (!sameEntry(field, e, severity, s)) return undefined;
      equalTo[e] = s;
    }
    present++;
  }
  if (present === 0) return undefined;
  return { name: `${field.name}${SEVERITY_TEXT_SUFFIX}`, kind: 'boolean', values: new Uint8Array(rows).fill(1), ...(field.nulls ? { nulls: field.nulls } : {}) };
}

/** SQL of the field `column` rebuilt from its marker (`ident` quotes a column name); the stored text too where a merged file has both. */
export function severityRebuildSql(column: string, columns: ReadonlySet<string>, ident: (c: string) => string): string {
  const rebuilt = `CASE WHEN ${ident(`${column}${SEVERITY_TEXT_SUFFIX}`)} THEN ${ident(SEVERITY_TEXT_COLUMN)} END`;
  return columns.has(column) ? `coalesce(${ident(column)}, ${rebuilt})` : rebuilt;
}
