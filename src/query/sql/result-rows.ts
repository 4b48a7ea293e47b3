// Reads a query's result as JSON-safe rows, chunk by chunk, stopping after
// `limit` rows so a huge result is never materialized. Values follow the
// DuckDB node-api JSON conversion (BIGINT, HUGEINT, DECIMAL and timestamps as
// strings, so no precision is lost), except BLOBs, which become lower-case hex.

import {
  DuckDBBlobValue,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  type DuckDBConnection,
  type DuckDBValueConverter,
  type Json,
} from '@duckdb/node-api';
import { hexOf } from '../../model/hex.js';

export interface ResultColumn {
  name: string;
  /** DuckDB type, e.g. BIGINT, VARCHAR, TIMESTAMP_NS, STRUCT(…) */
  type: string;
}

export interface ResultRows {
  columns: ResultColumn[];
  rows: Json[][];
  /** true when the query had more rows than `limit` */
  truncated: boolean;
}

const toJson: DuckDBValueConverter<Json> = (value, type, converter) => {
  if (value === null) return null;
  if (type.typeId === DuckDBTypeId.BLOB && value instanceof DuckDBBlobValue) return hexOf(value.bytes, 0, value.bytes.length);
  return JsonDuckDBValueConverter(value, type, converter);
};

/** Runs `sql` streaming and keeps its first `limit` rows. */
export async function readRows(conn: DuckDBConnection, sql: string, limit: number): Promise<ResultRows> {
  const result = await conn.stream(sql);
  const names = result.columnNames();
  const types = result.columnTypes();
  const columns = names.map((name, i) => ({ name, type: types[i]!.toString() }));
  const rows: Json[][] = [];
  let truncated = false;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    if (rows.length >= limit) {
      truncated = true;
      break;
    }
    const take = Math.min(chunk.rowCount, limit - rows.length);
    const values = names.map((_, c) => chunk.convertColumnValues(c, toJson));
    for (let r = 0; r < take; r++) rows.push(values.map((column) => column[r] ?? null));
    if (take < chunk.rowCount) {
      truncated = true;
      break;
    }
  }
  return { columns, rows, truncated };
}

function csvField(v: Json): string {
  if (v === null) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** RFC 4180 CSV with a header line; nulls are empty fields, nested values JSON. */
export function toCsv(result: ResultRows): string {
  const lines = [result.columns.map((c) => csvField(c.name)).join(',')];
  for (const row of result.rows) lines.push(row.map(csvField).join(','));
  return lines.join('\r\n') + '\r\n';
}
