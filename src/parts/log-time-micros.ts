// Log parts whose record times are all whole microseconds store them as
// `time_unix_us` (INT64 µs) instead of `time_unix_nano` (INT64 ns): the ns
// deltas of such times carry ~10 bits of the ×1000 that DELTA_BINARY_PACKED
// cannot drop (docs/storage.md, "Log parts"). Readers put the ns column back
// with one projection (logTimeProjectionSql), so every query, view and API
// sees `time_unix_nano` in ns as before. docs/format/log-time.md has the
// rules for other readers of the files.

import { LOG_TIME_COLUMN } from './log-columns.js';

/** The record time in µs, in parts whose times are all whole µs (instead of LOG_TIME_COLUMN). */
export const LOG_TIME_US_COLUMN = 'time_unix_us';

const TWO_POW_32 = 2 ** 32;
/** 2^32 mod 1000 */
const TWO_POW_32_MOD_1000 = 296;

/**
 * The values of `ns` (rows [0, rows), `nulls` rows skipped) in µs when every
 * one is a whole µs in [0, 2^62); otherwise undefined. No BigInt per row.
 */
export function wholeMicros(ns: BigInt64Array, rows: number, nulls?: Uint8Array): BigInt64Array | undefined {
  const words = new Uint32Array(ns.buffer, ns.byteOffset, rows * 2);
  const out = new BigInt64Array(rows);
  const outWords = new Uint32Array(out.buffer);
  for (let i = 0; i < rows; i++) {
    if (nulls !== undefined && nulls[i] !== 0) continue;
    const lo = words[2 * i]!;
    const hi = words[2 * i + 1]!;
    // hi ≥ 2^30: a negative value or one of 2^62 ns (year 2116) or more. Below, the
    // value's double is within 2^8 ns of it, so /1000 rounds to the exact µs.
    if (hi >= 0x40000000) return undefined;
    if (((hi % 1000) * TWO_POW_32_MOD_1000 + (lo % 1000)) % 1000 !== 0) return undefined;
    const us = Math.round((hi * TWO_POW_32 + lo) / 1000);
    outWords[2 * i] = us >>> 0;
    outWords[2 * i + 1] = Math.floor(us / TWO_POW_32);
  }
  return out;
}

/**
 * The select list that gives a relation holding `columns` the ns time column
 * and not the µs one: `*` when it has no µs column; the µs × 1000 when it has
 * no ns column; else (parts of both kinds merged, or a union of files) the
 * ns value where there is one, else the µs × 1000.
 */
export function logTimeProjectionSql(columns: Iterable<string>): string {
  let ns = false;
  let us = false;
  for (const c of columns) {
    if (c === LOG_TIME_COLUMN) ns = true;
    else if (c === LOG_TIME_US_COLUMN) us = true;
  }
  if (!us) return '*';
  const fromUs = `${LOG_TIME_US_COLUMN} * 1000`;
  if (!ns) return `${fromUs} AS ${LOG_TIME_COLUMN}, * EXCLUDE (${LOG_TIME_US_COLUMN})`;
  return `* EXCLUDE (${LOG_TIME_US_COLUMN}) REPLACE (coalesce(${LOG_TIME_COLUMN}, ${fromUs}) AS ${LOG_TIME_COLUMN})`;
}

/** `relation` (a read_parquet(…) of files holding `columns`) with the ns time column; itself when it needs no projection. */
export function withLogTimeSql(relation: string, columns: Iterable<string>): string {
  const projection = logTimeProjectionSql(columns);
  return projection === '*' ? relation : `(SELECT ${projection} FROM ${relation})`;
}

/** A part's columns as queries see them: the µs time column named as the ns one. */
export function logicalLogColumns(columns: readonly string[]): string[] {
  if (!columns.includes(LOG_TIME_US_COLUMN)) return [...columns];
  const out = columns.filter((c) => c !== LOG_TIME_US_COLUMN);
  if (!out.includes(LOG_TIME_COLUMN)) out.push(LOG_TIME_COLUMN);
  return out.sort();
}
