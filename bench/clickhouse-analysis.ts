// The analysis suite's questions asked of ClickHouse in SQL over seed 001's
// `otel_traces` (loaded by clickhouse.ts from our own parts): the RED
// overview per service and step with exact quantiles, and the root-cause
// comparison as target-vs-baseline counts per attribute value, every
// attribute unpacked from the Map columns with ARRAY JOIN.

import type { ClickHousePeer } from './clickhouse.js';

export interface OverviewSql {
  startMs: number;
  endMs: number;
  stepSeconds: number;
  /** quantile function: quantilesExact (what `exact=true` computes) or quantiles (ClickHouse's sampling default) */
  quantiles: 'quantilesExact' | 'quantiles';
  /** only this service, per operation */
  service?: string;
  /** ClickHouse expression of a group-by attribute, e.g. SpanAttributes['http.route'] */
  groupBy?: string;
}

function quote(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function rangeSql(startMs: number, endMs: number): string {
  return `Timestamp >= fromUnixTimestamp64Milli(${startMs}) AND Timestamp < fromUnixTimestamp64Milli(${endMs})`;
}

const ERROR = `StatusCode = 'STATUS_CODE_ERROR'`;

/**
 * The overview in one statement: per group and step, per group over the
 * range, and per operation over the range (the top-operations lists), as
 * GROUPING SETS — the same figures /api/v1/health answers.
 */
export function overviewSql(o: OverviewSql): string {
  const group = o.service !== undefined ? ['ServiceName', 'SpanName', 'SpanKind'] : o.groupBy !== undefined ? ['ServiceName', `${o.groupBy} AS g`] : ['ServiceName'];
  const groupKeys = group.map((g) => (/ AS (\w+)$/.exec(g)?.[1] ?? g));
  const where = [rangeSql(o.startMs, o.endMs)];
  if (o.service !== undefined) where.push(`ServiceName = ${quote(o.service)}`);
  return (
    `SELECT ${group.join(', ')}, SpanName AS op, SpanKind AS opKind, toStartOfInterval(Timestamp, INTERVAL ${o.stepSeconds} SECOND) AS t, ` +
    `count() AS requests, countIf(${ERROR}) AS errors, avg(Duration) AS avgNs, ` +
    `${o.quantiles}(0.5, 0.9, 0.95, 0.99)(Duration) AS q, max(Duration) AS maxNs ` +
    `FROM otel_traces WHERE ${where.join(' AND ')} ` +
    `GROUP BY GROUPING SETS ((${[...groupKeys, 't'].join(', ')}), (${groupKeys.join(', ')}), (ServiceName, op, opKind))`
  );
}

export interface ComparisonSql {
  startMs: number;
  endMs: number;
  target: 'errors' | 'slow-p90';
  /** values kept per dimension (ours keeps 25 per ranking criterion) */
  perDimension: number;
}

/**
 * Target and baseline counts per dimension = value, in one statement: the
 * baseline is the other spans of the operations (service, span name) that
 * have target spans, as ours; for slow-p90 the target is the spans above
 * their operation's exact p90. Values are ranked by share difference and
 * the top `perDimension` kept per dimension. No latency view.
 */
export function comparisonSql(o: ComparisonSql): string {
  const range = rangeSql(o.startMs, o.endMs);
  const ops =
    o.target === 'errors'
      ? `SELECT ServiceName, SpanName, 0 AS thr FROM otel_traces WHERE ${range} GROUP BY ServiceName, SpanName HAVING countIf(${ERROR}) > 0`
      : `SELECT ServiceName, SpanName, quantileExact(0.9)(Duration) AS thr FROM otel_traces WHERE ${range} GROUP BY ServiceName, SpanName`;
  const inTarget = o.target === 'errors' ? ERROR : 'Duration > thr';
  const dims =
    // service.name is a key of ResourceAttributes (as the Collector's exporter writes it): not listed twice
    `arrayConcat([('name', SpanName), ('kind', SpanKind), ('status', StatusCode), ('statusMessage', StatusMessage)], ` +
    `arrayMap((k, v) -> ('resource.' || k, v), mapKeys(ResourceAttributes), mapValues(ResourceAttributes)), ` +
    `arrayMap((k, v) -> ('span.' || k, v), mapKeys(SpanAttributes), mapValues(SpanAttributes)))`;
  // every span has a name: the totals are the sums over the name dimension's values
  return (
    `SELECT dimension, value, nt, nb, tnt, tnb FROM (` +
    `SELECT dimension, value, nt, nb, sum(if(dimension = 'name', nt, 0)) OVER () AS tnt, sum(if(dimension = 'name', nb, 0)) OVER () AS tnb FROM (` +
    `SELECT kv.1 AS dimension, kv.2 AS value, countIf(is_t) AS nt, countIf(NOT is_t) AS nb FROM (` +
    `SELECT (${inTarget}) AS is_t, ${dims} AS kvs FROM otel_traces INNER JOIN (${ops}) AS o USING (ServiceName, SpanName) WHERE ${range}` +
    `) ARRAY JOIN kvs AS kv GROUP BY dimension, value)) ` +
    `WHERE nt > 0 ORDER BY dimension, nt * tnb - nb * tnt DESC LIMIT ${o.perDimension} BY dimension`
  );
}

/** Runs `sql` once cold and `runs` more times; the first and the median of the rest, ms. */
export function timeQuery(ch: ClickHousePeer, sql: string, runs: number): { firstMs: number; warmMs: number; rows: Record<string, unknown>[] } {
  const ms: number[] = [];
  let rows: Record<string, unknown>[] = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    rows = ch.rows(sql);
    ms.push(performance.now() - t0);
  }
  const warm = ms.slice(1).sort((a, b) => a - b);
  return { firstMs: ms[0]!, warmMs: warm.length ? warm[Math.floor((warm.length - 1) / 2)]! : ms[0]!, rows };
}
