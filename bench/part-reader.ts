// The bench's own DuckDB over the part files (outside the server): a random
// sample of known trace ids with their span counts, and per-column sizes.

import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../src/engine/sql-quote.js';

export interface KnownTrace {
  id: string;
  spans: number;
}

export function sqlList(paths: readonly string[]): string {
  return `[${paths.map(sqlString).join(', ')}]`;
}

export class PartReader {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
  ) {}

  static async open(threads = 2): Promise<PartReader> {
    const instance = await DuckDBInstance.create(':memory:', { threads: String(threads), memory_limit: '4GB' });
    return new PartReader(instance, await instance.connect());
  }

  async rows(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  }

  /**
   * `count` random traces (sampled by root span, so small traces are as likely
   * as big ones) and how many spans each has; deterministic for a given seed.
   */
  async sampleTraces(files: readonly string[], count: number, seed: number): Promise<KnownTrace[]> {
    const src = `read_parquet(${sqlList(files)}, union_by_name = true, hive_partitioning = false)`;
    const rows = await this.rows(
      `WITH picked AS (SELECT trace_id FROM (SELECT trace_id FROM ${src} WHERE parent_span_id IS NULL) ` +
        `USING SAMPLE reservoir(${Math.floor(count)} ROWS) REPEATABLE (${Math.floor(seed)})) ` +
        `SELECT lower(hex(trace_id)) AS id, count(*) AS spans FROM ${src} WHERE trace_id IN (SELECT trace_id FROM picked) GROUP BY trace_id`,
    );
    // Ordered by id, i.e. randomly, not by position in the files.
    return rows.map((r) => ({ id: String(r['id']), spans: Number(r['spans']) })).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /**
   * A lookup as one plain DuckDB query over every part (`trace_id BETWEEN`,
   * row groups skipped by min/max only), without the server's trace indexes,
   * column split, HTTP or OTLP assembly: what DuckDB alone answers in.
   */
  async lookupMs(files: readonly string[], traces: readonly KnownTrace[]): Promise<number[]> {
    const ms: number[] = [];
    for (const t of traces) {
      const t0 = performance.now();
      await this.rows(`SELECT * FROM read_parquet(${sqlList(files)}, union_by_name = true) WHERE trace_id BETWEEN from_hex('${t.id}') AND from_hex('${t.id}')`);
      ms.push(performance.now() - t0);
    }
    return ms;
  }

  /** Compressed bytes per top-level column over `files`, largest first. */
  async columnBytes(files: readonly string[]): Promise<{ column: string; bytes: number }[]> {
    const rows = await this.rows(
      `SELECT split_part(path_in_schema, ', ', 1) AS col, sum(total_compressed_size) AS bytes ` +
        `FROM parquet_metadata(${sqlList(files)}) GROUP BY 1 ORDER BY 2 DESC`,
    );
    return rows.map((r) => ({ column: String(r['col']), bytes: Number(r['bytes']) }));
  }

  /** One span name of medium frequency (≈0.5 % of spans), for a `{ name = … }` search. */
  async mediumSpanName(files: readonly string[]): Promise<string> {
    const rows = await this.rows(
      `SELECT name, count(*) AS n FROM read_parquet(${sqlList(files)}, union_by_name = true, hive_partitioning = false) ` +
        `GROUP BY name ORDER BY abs(n / (SELECT count(*) FROM read_parquet(${sqlList(files)}, union_by_name = true, hive_partitioning = false)) - 0.005), name LIMIT 1`,
    );
    return String(rows[0]?.['name'] ?? '');
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
