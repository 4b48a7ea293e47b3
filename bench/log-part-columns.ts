// The columns of a log part as our writer takes them (one array a column, in
// the part's row order), read back with DuckDB: for the benches that rewrite a
// part under other encodings (logs-part-encodings.ts, logs-part-levels.ts,
// logs-part-rowgroups.ts, logs-part-gaps.ts).

import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../src/engine/sql-quote.js';
import type { ParquetColumn } from '../src/parts/parquet/writer.js';

/** Every row of the part at `path`, read by a DuckDB of one thread. */
export async function allColumnsOf(path: string): Promise<{ columns: ParquetColumn[]; rows: number }> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  return columnsOf(await instance.connect(), path, 1 << 30);
}

/** The first `rows` rows of the part at `path`. CLUSTER=<column> orders each 16 Ki-row group by it. */
export async function columnsOf(conn: DuckDBConnection, path: string, rows: number): Promise<{ columns: ParquetColumn[]; rows: number }> {
  const types = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`)).getRowObjectsJS();
  // CLUSTER=<column>: rows of each 16 Ki-row group ordered by that column, then as they were (what clustering would save)
  const cluster = process.env['CLUSTER'];
  const order = cluster ? `ORDER BY file_row_number // 16384, ${JSON.stringify(cluster)}, file_row_number` : 'ORDER BY file_row_number';
  const reader = await conn.runAndReadAll(
    `SELECT * EXCLUDE (file_row_number) FROM (SELECT * FROM read_parquet(${sqlString(path)}, file_row_number = true) WHERE file_row_number < ${rows}) ${order}`,
  );
  const n = reader.currentRowCount;
  const all = reader.getColumnsJS();
  const columns: ParquetColumn[] = [];
  types.forEach((t, c) => {
    const name = String(t['column_name']);
    const type = String(t['column_type']);
    const values = all[c] as unknown[];
    const nulls = new Uint8Array(n);
    values.forEach((v, i) => (nulls[i] = v === null ? 1 : 0));
    switch (type) {
      case 'BIGINT': {
        const ints = BigInt64Array.from(values, (v) => (v === null ? 0n : (v as bigint)));
        if (process.env['TIME_US'] === '1' && name.endsWith('time_unix_nano')) {
          for (let i = 0; i < n; i++) {
            if (ints[i]! % 1000n !== 0n) throw new Error(`${name} row ${i} is not whole µs`);
            ints[i] = ints[i]! / 1000n;
          }
        }
        columns.push({ name, kind: 'int64', values: ints, nulls });
        break;
      }
      case 'INTEGER':
        columns.push({ name, kind: 'int32', values: Int32Array.from(values, (v) => (v === null ? 0 : (v as number))), nulls });
        break;
      case 'DOUBLE':
        columns.push({ name, kind: 'double', values: Float64Array.from(values, (v) => (v === null ? 0 : (v as number))), nulls });
        break;
      case 'BOOLEAN':
        columns.push({ name, kind: 'boolean', values: Uint8Array.from(values, (v) => (v === true ? 1 : 0)), nulls });
        break;
      case 'VARCHAR':
        columns.push({ name, kind: 'string', values: values.map((v) => (v === null ? undefined : String(v))) });
        break;
      default:
        if (values.every((v) => v === null)) columns.push({ name, kind: 'string', values: values.map(() => undefined) });
        else console.error(`skipped ${name} (${type})`);
    }
  });
  return { columns, rows: n };
}
