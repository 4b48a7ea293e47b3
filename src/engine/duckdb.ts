// The boundary to DuckDB, the embedded SQL engine over Parquet. Everything
// that runs SQL goes through here, so the lock-down is applied in one place:
// files only inside the data folder, no extensions, configuration locked.

import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { mkdir } from 'node:fs/promises';
import { QueryTimeoutError } from '../model/errors.js';
import { sqlIdent, sqlString } from './sql-quote.js';

export { sqlIdent, sqlString };
import { join, resolve } from 'node:path';

export type Row = Record<string, unknown>;

export interface EngineOptions {
  dataDir: string;
  threads: number;
  memoryLimit: string;
  /** default time limit of all() in ms; 0 = none */
  timeoutMs?: number;
  /** folders SQL may read and write (default: the whole data folder) */
  allowedDirectories?: readonly string[];
  /** folder under <data>/tmp for spilled intermediates (default 'duckdb'); one per instance */
  tempSubdir?: string;
  /** most bytes spilled there, e.g. '4GB' (default: DuckDB's, 90 % of free disk) */
  maxTempDirectorySize?: string;
}

/**
 * `read_parquet([...])` over absolute paths, unioning differing schemas by
 * name. Not hive-partitioned: parts sit in `date=YYYY-MM-DD/` folders, and
 * DuckDB would otherwise add a `date` column to every result (and compaction
 * would copy it into merged parts). `filename` adds the column naming each
 * row's file, `fileRowNumber` the column `file_row_number` (its row in that file).
 */
export function readParquetSql(paths: readonly string[], options: { filename?: boolean; fileRowNumber?: boolean } = {}): string {
  const filename = options.filename ? ', filename = true' : '';
  const rowNumber = options.fileRowNumber ? ', file_row_number = true' : '';
  return `read_parquet([${paths.map(sqlString).join(', ')}], union_by_name = true, hive_partitioning = false${filename}${rowNumber})`;
}

export class Engine {
  private closed = false;
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly defaultTimeoutMs: number,
  ) {}

  static async create(options: EngineOptions): Promise<Engine> {
    const dataDir = resolve(options.dataDir);
    const tmp = join(dataDir, 'tmp', options.tempSubdir ?? 'duckdb');
    await mkdir(tmp, { recursive: true });
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(options.threads),
      memory_limit: options.memoryLimit,
      temp_directory: tmp,
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      // DuckDB's jemalloc purges freed pages in background threads: without
      // them memory a flush's COPY freed stayed resident (unseen by
      // duckdb_memory()) until later allocations on the same arena, and the
      // server's RSS grew by flush (traces bench, 4 M spans: peak 1,323 → 949
      // MiB; docs/storage.md, "Memory").
      allocator_background_threads: 'true',
      ...(options.maxTempDirectorySize ? { max_temp_directory_size: options.maxTempDirectorySize } : {}),
    });
    const allowed = (options.allowedDirectories ?? [dataDir]).map((d) => resolve(d).replace(/\/*$/, '/'));
    const conn = await instance.connect();
    try {
      await conn.run(`SET allowed_directories = [${allowed.map(sqlString).join(', ')}]`);
      await conn.run('SET enable_external_access = false');
      // Parts and staging files never change once written (new data = new file
      // names), so their footers can be cached: a trace lookup otherwise spends
      // most of its time re-reading footers (bench: 105 → 43 ms per lookup).
      await conn.run('SET parquet_metadata_cache = true');
      await conn.run('SET lock_configuration = true');
    } finally {
      conn.closeSync();
    }
    return new Engine(instance, options.timeoutMs ?? 0);
  }

  async withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('engine: closed');
    const conn = await this.instance.connect();
    try {
      return await fn(conn);
    } finally {
      conn.closeSync();
    }
  }

  /**
   * Runs a query and returns rows as plain JS values (BIGINT → bigint, BLOB →
   * Uint8Array). Interrupted after `timeoutMs` (0 = no limit) with QueryTimeoutError.
   */
  all(sql: string, params?: DuckDBValue[], timeoutMs = this.defaultTimeoutMs): Promise<Row[]> {
    return this.withConnection(async (conn) => {
      let timedOut = false;
      const timer = timeoutMs > 0 ? setTimeout(() => { timedOut = true; conn.interrupt(); }, timeoutMs) : undefined;
      try {
        const reader = await conn.runAndReadAll(sql, params);
        return reader.getRowObjectsJS() as Row[];
      } catch (err) {
        if (timedOut) throw new QueryTimeoutError(`query: interrupted after ${timeoutMs} ms`);
        throw err;
      } finally {
        clearTimeout(timer);
      }
    });
  }

  async run(sql: string): Promise<void> {
    await this.withConnection((conn) => conn.run(sql));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.instance.closeSync();
  }
}
