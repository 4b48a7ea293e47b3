// What the flush's marker forms of a log body field share (a field that is
// its record's severity text: log-severity-text.ts; another field's text
// before its last '-': log-dash-prefix.ts): the test that every row's value
// of the field stands in one relation to the same row's value of another
// text column, and the BOOLEAN marker column written instead of the field.

import type { ParquetColumn } from './parquet/columns.js';

/** Row indices of a string-entries column (narrowed to 16 bits where a copy is kept). */
export type EntryIndices = Uint32Array | Uint16Array;

/** What the test reads of a string-entries column: entries (a u32 length, then UTF-8), each row's entry, its nulls. */
export interface EntriesOfRows {
  entries: Uint8Array;
  entryStarts: Uint32Array;
  indices: EntryIndices;
  nulls?: Uint8Array | undefined;
}

/**
 * Whether in every row where `field` has a value, `other` has one too and
 * `related(field's entry, other's entry)` holds, and `field` has a value in
 * some row. Rows compare entry indices: `related` is asked once per pair of
 * entries met in a row (most fields that are not so: at the first row).
 */
export function everyRowRelated(field: EntriesOfRows, other: EntriesOfRows, related: (fieldEntry: number, otherEntry: number) => boolean): boolean {
  const rows = field.indices.length;
  // per entry of the field: the entry of `other` last found related to it (-1: none yet)
  const relatedTo = new Int32Array(field.entryStarts.length).fill(-1);
  let present = 0;
  for (let r = 0; r < rows; r++) {
    if (field.nulls?.[r]) continue;
    if (other.nulls?.[r]) return false;
    const f = field.indices[r]!;
    const o = other.indices[r]!;
    if (relatedTo[f] !== o) {
      if (!related(f, o)) return false;
      relatedTo[f] = o;
    }
    present++;
  }
  return present > 0;
}

/** The BOOLEAN marker column `name` standing for a field of `rows` rows: true where it has a value (`nulls`: where it has none). */
export function presenceMarker(name: string, rows: number, nulls: Uint8Array | undefined): ParquetColumn {
  return { name, kind: 'boolean', values: new Uint8Array(rows).fill(1), ...(nulls ? { nulls } : {}) };
}
