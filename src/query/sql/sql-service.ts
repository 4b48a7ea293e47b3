// Read-only user SQL (DuckDB dialect) over marquetry's views. Each request:
// check the statement (statement-guard.ts), open a fresh connection on an
// engine of its own (own memory limit, threads and spill cap, files only in
// the data folders the views read), create the views it names over a leased
// snapshot, stream at most `limit` rows, and interrupt it at the deadline.

import { join, resolve } from 'node:path';
import { Engine, type EngineOptions } from '../../engine/duckdb.js';
import { BadQueryError, MarquetryError, QueryTimeoutError } from '../../model/errors.js';
import type { AttributeColumnRef } from '../../parts/schema.js';
import { readRows, type ResultRows } from './result-rows.js';
import { SpanViews, type SpanFileSource } from './span-views.js';
import { LogViews, type LogFileSource } from './log-views.js';
import { checkUserSql } from './statement-guard.js';
import { TRACE_ID_SET_VIEW_PREFIX, TraceIdSets, traceIdSetViewSql, traceIdSetsDir } from './trace-id-sets.js';
import { RequestViewScope, SqlViewRegistry } from './view-registry.js';

export const DEFAULT_ROW_LIMIT = 10_000;
export const MAX_ROW_LIMIT = 1_000_000;

export interface SqlServiceOptions {
  threads: number;
  /** DuckDB memory limit of user SQL, apart from the API's own queries */
  memoryLimit: string;
  /** per request, statement check and view set-up included */
  timeoutMs: number;
  /** most bytes a query may spill to disk (default 2GB) */
  maxSpillSize?: string;
  /** columns of an empty store */
  dedicatedColumns: readonly AttributeColumnRef[];
  traceIdSetTtlMs?: number;
  /** the log store, for the `logs` and `logs_expand_<field>` views */
  logs?: LogFileSource;
}

export interface SqlRequest {
  sql: string;
  /** rows returned at most; default DEFAULT_ROW_LIMIT, at most MAX_ROW_LIMIT */
  limit?: number;
}

export interface SqlResult extends ResultRows {
  rowCount: number;
  limit: number;
  elapsedMs: number;
}

export interface SpanStoreLike extends SpanFileSource {
  dataDir: string;
}

/** The engine of user SQL: files only in the folders the views read. */
export function userSqlEngineOptions(dataDir: string, options: Pick<SqlServiceOptions, 'threads' | 'memoryLimit' | 'maxSpillSize'>): EngineOptions {
  return {
    dataDir,
    threads: options.threads,
    memoryLimit: options.memoryLimit,
    tempSubdir: 'duckdb-sql',
    maxTempDirectorySize: options.maxSpillSize ?? '2GB',
    // Not the catalog, the WAL or the other engines' spill files.
    allowedDirectories: [join(dataDir, 'parts'), join(dataDir, 'staging'), traceIdSetsDir(dataDir)],
  };
}

export class SqlService {
  private constructor(
    private readonly engine: Engine,
    readonly views: SqlViewRegistry,
    readonly traceIdSets: TraceIdSets,
    private readonly options: SqlServiceOptions,
  ) {}

  static async open(store: SpanStoreLike, options: SqlServiceOptions): Promise<SqlService> {
    const dataDir = resolve(store.dataDir);
    const engine = await Engine.create(userSqlEngineOptions(dataDir, options));
    try {
      const sets = await TraceIdSets.open(dataDir, engine, options.traceIdSetTtlMs === undefined ? {} : { ttlMs: options.traceIdSetTtlMs });
      const views = new SqlViewRegistry();
      for (const view of new SpanViews(store, options.dedicatedColumns).views()) views.add(view);
      if (options.logs) {
        const logViews = new LogViews(options.logs);
        for (const view of logViews.views()) views.add(view);
        views.addFamily(logViews.expandFamily());
      }
      views.addFamily({
        prefix: TRACE_ID_SET_VIEW_PREFIX,
        description: 'the trace ids of an uploaded set (POST /api/v1/trace-id-sets)',
        view: (name) => ({
          name,
          description: 'an uploaded trace-id set',
          selectSql: async () => traceIdSetViewSql(dataDir, name.slice(TRACE_ID_SET_VIEW_PREFIX.length)),
        }),
      });
      return new SqlService(engine, views, sets, options);
    } catch (err) {
      engine.close();
      throw err;
    }
  }

  async query(req: SqlRequest): Promise<SqlResult> {
    const limit = req.limit ?? DEFAULT_ROW_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ROW_LIMIT) {
      throw new BadQueryError(`sql: limit must be an integer from 1 to ${MAX_ROW_LIMIT}, got ${req.limit}`);
    }
    const started = performance.now();
    const timeoutMs = this.options.timeoutMs;
    return this.engine.withConnection(async (conn) => {
      let timedOut = false;
      const timer = timeoutMs > 0 ? setTimeout(() => { timedOut = true; conn.interrupt(); }, timeoutMs) : undefined;
      let scope: RequestViewScope | undefined;
      try {
        const checked = await checkUserSql(conn, req.sql, (name) => this.views.has(name));
        scope = new RequestViewScope(conn, checked.columns);
        await scope.createViews(this.views, checked.tables);
        const rows = await readRows(conn, req.sql, limit);
        return { ...rows, rowCount: rows.rows.length, limit, elapsedMs: Math.round(performance.now() - started) };
      } catch (err) {
        if (timedOut) throw new QueryTimeoutError(`sql: query interrupted after its time limit of ${timeoutMs} ms`);
        throw asQueryError(err, this.options.memoryLimit);
      } finally {
        clearTimeout(timer);
        scope?.release();
      }
    });
  }

  close(): void {
    this.traceIdSets.close();
    this.engine.close();
  }
}

/** DuckDB's errors about the statement are the user's (400); its internal errors stay 500. */
function asQueryError(err: unknown, memoryLimit: string): unknown {
  if (err instanceof MarquetryError || !(err instanceof Error)) return err;
  const line = err.message.split('\n')[0]!;
  const type = /^([A-Za-z ]+) Error:/.exec(line)?.[1];
  if (!type || /internal|fatal/i.test(type)) return err;
  if (/out of memory/i.test(type)) return new BadQueryError(`sql: the query needs more than its memory limit of ${memoryLimit}: ${line}`);
  return new BadQueryError(`sql: ${line}`);
}
