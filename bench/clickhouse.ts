// The peer: ClickHouse (embedded, chdb) with seed 001's `otel_traces` schema
// and its trace-id → (start, end) materialized view, loaded with the same
// spans we stored (otel-insert.ts). It answers in process, without HTTP or
// OTLP JSON assembly, so its latencies are a lower bound of a real deployment.

import type { Session } from 'chdb';
import { otelInsertSql } from './otel-insert.js';
import { latencyStats, type LookupStats, type SearchStats } from './queries.js';
import { median } from './report.js';
import type { KnownTrace } from './part-reader.js';

// Seed 001, verbatim apart from layout.
const OTEL_TRACES_DDL = `
CREATE TABLE otel_traces (
  \`Timestamp\` DateTime64(9) CODEC(Delta(8), ZSTD(1)),
  \`TraceId\` String CODEC(ZSTD(1)),
  \`SpanId\` String CODEC(ZSTD(1)),
  \`ParentSpanId\` String CODEC(ZSTD(1)),
  \`TraceState\` String CODEC(ZSTD(1)),
  \`SpanName\` LowCardinality(String) CODEC(ZSTD(1)),
  \`SpanKind\` LowCardinality(String) CODEC(ZSTD(1)),
  \`ServiceName\` LowCardinality(String) CODEC(ZSTD(1)),
  \`ResourceAttributes\` Map(LowCardinality(String), String) CODEC(ZSTD(1)),
  \`SpanAttributes\` Map(LowCardinality(String), String) CODEC(ZSTD(1)),
  \`Duration\` Int64 CODEC(ZSTD(1)),
  \`StatusCode\` LowCardinality(String) CODEC(ZSTD(1)),
  \`StatusMessage\` String CODEC(ZSTD(1)),
  \`Events.Timestamp\` Array(DateTime64(9)) CODEC(ZSTD(1)),
  \`Events.Name\` Array(LowCardinality(String)) CODEC(ZSTD(1)),
  \`Events.Attributes\` Array(Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
  \`Links.TraceId\` Array(String) CODEC(ZSTD(1)),
  \`Links.SpanId\` Array(String) CODEC(ZSTD(1)),
  \`Links.TraceState\` Array(String) CODEC(ZSTD(1)),
  \`Links.Attributes\` Array(Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
  INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
  INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
  INDEX idx_duration Duration TYPE minmax GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toDate(Timestamp)
ORDER BY (ServiceName, SpanName, toUnixTimestamp(Timestamp), TraceId)
TTL toDateTime(Timestamp) + toIntervalDay(3)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`;

const TRACE_ID_TS_DDL = `
CREATE TABLE otel_traces_trace_id_ts (
  \`TraceId\` String CODEC(ZSTD(1)),
  \`Start\` DateTime64(9) CODEC(Delta(8), ZSTD(1)),
  \`End\` DateTime64(9) CODEC(Delta(8), ZSTD(1)),
  INDEX idx_trace_id TraceId TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = MergeTree
ORDER BY (TraceId, toUnixTimestamp(Start))
TTL toDateTime(Start) + toIntervalDay(3)`;

const TRACE_ID_TS_MV_DDL = `
CREATE MATERIALIZED VIEW otel_traces_trace_id_ts_mv TO otel_traces_trace_id_ts (
  \`TraceId\` String, \`Start\` DateTime64(9), \`End\` DateTime64(9)
) AS SELECT TraceId, min(Timestamp) AS Start, max(Timestamp) AS End FROM otel_traces WHERE TraceId != '' GROUP BY TraceId`;

export interface TableSize {
  rows: number;
  parts: number;
  compressedBytes: number;
  uncompressedBytes: number;
  bytesOnDisk: number;
  skipIndexBytes: number;
}

export class ClickHousePeer {
  private constructor(private readonly session: Session, readonly version: string) {}

  /** A chdb session whose tables live in `dir`. chdb is loaded only when the peer runs. */
  static async open(dir: string): Promise<ClickHousePeer> {
    const { Session } = await import('chdb');
    const session = new Session(dir);
    const version = session.query('SELECT version()', 'TSV').trim();
    return new ClickHousePeer(session, version);
  }

  /** Rows of a query, as JSON objects. */
  rows(sql: string): Record<string, unknown>[] {
    return this.session
      .query(sql, 'JSONEachRow')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  createSchema(): void {
    for (const ddl of [OTEL_TRACES_DDL, TRACE_ID_TS_DDL, TRACE_ID_TS_MV_DDL]) this.session.query(ddl);
  }

  /** One INSERT … SELECT per part file (the view fills trace_id_ts on the way), then OPTIMIZE FINAL. */
  load(partFiles: readonly string[]): { insertMs: number; optimizeMs: number } {
    const t0 = performance.now();
    for (const path of partFiles) {
      const columns = this.rows(`DESCRIBE file('${path.replaceAll("'", "\\'")}', Parquet)`).map((r) => String(r['name']));
      this.session.query(otelInsertSql(path, columns));
    }
    const t1 = performance.now();
    this.session.query('OPTIMIZE TABLE otel_traces FINAL');
    this.session.query('OPTIMIZE TABLE otel_traces_trace_id_ts FINAL');
    return { insertMs: t1 - t0, optimizeMs: performance.now() - t1 };
  }

  tableSize(table: string): TableSize {
    const r = this.rows(
      `SELECT sum(rows) AS rows, count() AS parts, sum(data_compressed_bytes) AS c, sum(data_uncompressed_bytes) AS u, ` +
        `sum(bytes_on_disk) AS d, sum(secondary_indices_compressed_bytes) AS s ` +
        `FROM system.parts WHERE database = currentDatabase() AND table = '${table}' AND active`,
    )[0]!;
    return {
      rows: Number(r['rows']),
      parts: Number(r['parts']),
      compressedBytes: Number(r['c']),
      uncompressedBytes: Number(r['u']),
      bytesOnDisk: Number(r['d']),
      skipIndexBytes: Number(r['s']),
    };
  }

  columnBytes(): { column: string; bytes: number }[] {
    return this.rows(
      `SELECT name, data_compressed_bytes AS bytes FROM system.columns WHERE database = currentDatabase() AND table = 'otel_traces' ORDER BY bytes DESC`,
    ).map((r) => ({ column: String(r['name']), bytes: Number(r['bytes']) }));
  }

  /** Seed 001's lookup: the trace's time range from the view's table, then a time-bounded select of every column. */
  lookup(id: string): number {
    const text = this.session.query(
      `WITH '${id}' AS trace_id, ` +
        `(SELECT min(Start) FROM otel_traces_trace_id_ts WHERE TraceId = trace_id) AS start, ` +
        `(SELECT max(End) + 1 FROM otel_traces_trace_id_ts WHERE TraceId = trace_id) AS end ` +
        `SELECT * FROM otel_traces WHERE (TraceId = trace_id) AND (Timestamp >= start) AND (Timestamp <= end) ORDER BY Timestamp ASC`,
      'JSONEachRow',
    );
    let lines = 0;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
    return lines;
  }

  lookupTraces(traces: readonly KnownTrace[]): LookupStats {
    const ms: number[] = [];
    let wrong = 0;
    for (const t of traces) {
      const t0 = performance.now();
      const spans = this.lookup(t.id);
      ms.push(performance.now() - t0);
      if (spans !== t.spans) wrong++;
    }
    return latencyStats(ms, wrong);
  }

  /** The bench's TraceQL searches written for otel_traces: matching spans, grouped per trace, newest 20. */
  searches(spanName: string, warmRuns: number): SearchStats[] {
    const cases = [
      { key: 'service-errors', where: `ServiceName = 'cart' AND StatusCode = 'STATUS_CODE_ERROR'` },
      { key: 'route-slow', where: `SpanAttributes['http.route'] = '/api/cart' AND Duration > 200000000` },
      { key: 'span-name', where: `SpanName = '${spanName.replaceAll("'", "\\'")}'` },
      { key: 'all-traces', where: '1' },
    ];
    return cases.map((c) => {
      const sql = `SELECT TraceId, max(Timestamp) AS last FROM otel_traces WHERE ${c.where} GROUP BY TraceId ORDER BY last DESC LIMIT 20`;
      const ms: number[] = [];
      let traces = 0;
      const once = (): void => {
        const t0 = performance.now();
        traces = this.rows(sql).length;
        ms.push(performance.now() - t0);
      };
      once();
      const before = process.cpuUsage();
      for (let run = 0; run < warmRuns; run++) once();
      const cpu = process.cpuUsage(before);
      return { key: c.key, traceql: sql, firstMs: ms[0]!, warmMs: median(ms.slice(1)), traces, cpuMsPerSearch: (cpu.user + cpu.system) / 1000 / Math.max(1, warmRuns) };
    });
  }

  close(): void {
    this.session.close();
  }
}
