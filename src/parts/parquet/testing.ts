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
  }
}
