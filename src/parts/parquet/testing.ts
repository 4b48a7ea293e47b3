// Test support only (imported by *.test.ts): read written files back with a
// real DuckDB, temporary directories, a seeded random generator.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ParquetColumn } from './columns.js';

// Re-exported for the tests that take it from here.
export { seededRandom } from '../../model/seeded-random.js';

export async function withDuckDB<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return await fn(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'marquetry-parquet-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Rows as plain JS values: BIGINT → bigint, BLOB → Buffer, NULL → null. */
export async function queryRows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

/** All rows of a file in file order. */
export async function readParquetRows(connection: DuckDBConnection, path: string): Promise<Record<string, unknown>[]> {
  const rows = await queryRows(connection, `select * from read_parquet(${sqlString(path)}, file_row_number = true) order by file_row_number`);
  for (const row of rows) delete row['file_row_number'];
  return rows;
}

export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** What readParquetRows should return for a file written from `columns`. */
export function expectedRows(rowCount: number, columns: readonly ParquetColumn[]): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < rowCount; i++) {
    const row: Record<string, unknown> = {};
    for (const column of columns) row[column.name] = expectedValue(column, i);
    rows.push(row);
  }
  return rows;
}

function expectedValue(column: ParquetColumn, i: number): unknown {
  if (column.kind === 'string') return column.values[i] ?? null;
  if (column.nulls !== undefined && column.nulls[i] !== 0) return null;
  switch (column.kind) {
    case 'int64':
      return column.values[i];
    case 'int32':
    case 'double':
      return column.values[i];
    case 'boolean':
      return column.values[i] !== 0;
    case 'fixed16':
      return Buffer.from(column.values.subarray(i * 16, i * 16 + 16));
    case 'fixed8':
      return Buffer.from(column.values.subarray(i * 8, i * 8 + 8));
    case 'string-entries': {
      const at = column.entryStarts[column.indices[i]!]!;
      return Buffer.from(column.entries.subarray(at + 4, column.entryStarts[column.indices[i]! + 1])).toString('utf8');
    }
  }
}

/** `strings` as PLAIN byte arrays one after another (`u32 length, bytes`), entry e at entryStarts[e]. */
export function plainEntries(strings: readonly string[]): { entries: Uint8Array; entryStarts: Uint32Array } {
  const encoded = strings.map((v) => Buffer.from(v, 'utf8'));
  const entryStarts = new Uint32Array(encoded.length + 1);
  encoded.forEach((bytes, e) => (entryStarts[e + 1] = entryStarts[e]! + 4 + bytes.length));
  const entries = new Uint8Array(entryStarts[encoded.length]!);
  encoded.forEach((bytes, e) => {
    new DataView(entries.buffer).setUint32(entryStarts[e]!, bytes.length, true);
    entries.set(bytes, entryStarts[e]! + 4);
  });
  return { entries, entryStarts };
}

/** `values` as a 'string-entries' column: each distinct value one entry, rows in any order of entries. */
export function stringEntriesColumn(name: string, values: ReadonlyArray<string | undefined>): ParquetColumn {
  const distinct = [...new Set(values.filter((v): v is string => v !== undefined))];
  const at = new Map(distinct.map((v, e) => [v, e]));
  const indices = Uint32Array.from(values, (v) => (v === undefined ? 0 : at.get(v)!));
  const nulls = Uint8Array.from(values, (v) => (v === undefined ? 1 : 0));
  return { name, kind: 'string-entries', ...plainEntries(distinct), indices, nulls };
}

/** A string-entries column with an entry of its own for each row with a value, in row order (as a span's events). */
export function ownEntriesColumn(name: string, values: ReadonlyArray<string | undefined>): ParquetColumn {
  const present = values.filter((v): v is string => v !== undefined);
  const indices = new Uint32Array(values.length);
  let e = 0;
  values.forEach((v, i) => (indices[i] = v === undefined ? 0 : e++));
  const nulls = Uint8Array.from(values, (v) => (v === undefined ? 1 : 0));
  return { name, kind: 'string-entries', ...plainEntries(present), indices, nulls };
}
