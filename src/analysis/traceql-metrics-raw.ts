// TraceQL metrics over spans: one scan of the files in range, the spanset
// filter compiled by the TraceQL compiler, grouped by interval and the `by`
// values, aggregated by DuckDB (quantiles exact, with quantile_disc).
// Filters on trace-level intrinsics (trace:duration, trace:rootService,
// trace:rootName) join each span row with its trace's values, as search does.

import { readParquetSql, type Engine, type Row } from '../engine/duckdb.js';
import { BadQueryError } from '../model/errors.js';
import { ValueType } from '../model/span-batch.js';
import { searchFiles } from '../query/search.js';
import { compileTraceQL, usesTraceLevel } from '../query/traceql/compile-sql.js';
import { traceLevelRelationSql, withTraceLevelSql } from '../query/search-trace-level.js';
import { groupingSql, numericSql } from './health-group-by.js';
import type { SpanFilesInput } from './health-raw.js';
import type { MetricsQuery } from './traceql-metrics-parse.js';
import { newGroupResult, type GroupResult, type Intervals, type TempoLabel } from './traceql-metrics-series.js';

export interface RawMetricsResult {
  groups: GroupResult[];
  spans: number;
  bytes: number;
  files: number;
}

const AGGREGATE: Partial<Record<MetricsQuery['fn'], string>> = {
  avg_over_time: 'avg',
  max_over_time: 'max',
  min_over_time: 'min',
  sum_over_time: 'sum',
};

function labelOf(key: string, value: unknown, type: unknown): TempoLabel | undefined {
  if (value === null || value === undefined) return undefined;
  const text = String(value);
  switch (Number(type)) {
    case ValueType.Int:
      return { key, value: { intValue: text } };
    case ValueType.Double:
      return { key, value: { doubleValue: Number(text) } };
    case ValueType.Bool:
      return { key, value: { boolValue: text === 'true' } };
    default:
      return { key, value: { stringValue: text } };
  }
}

/**
 * RE2 checks patterns when the query runs; its complaints ("missing ): (")
 * are the user's error when the filter has a regex match.
 */
export function regexError(err: unknown, filter: string): unknown {
  const msg = (err as Error).message ?? '';
  if (/regex|regular expression/i.test(msg) || (/^Invalid Input Error/.test(msg) && /[=!]~/.test(filter))) {
    return new BadQueryError(`traceql metrics: invalid regular expression: ${msg.split('\n')[0]}`);
  }
  return err;
}

export async function metricsFromSpans(engine: Engine, input: SpanFilesInput, q: MetricsQuery, iv: Intervals): Promise<RawMetricsResult> {
  const endNs = iv.startNs + BigInt(iv.count) * iv.stepNs;
  const { files, columns, bytes } = searchFiles(input, { query: '{}', limit: 1, spss: 1, startNs: iv.startNs, endNs: endNs - 1n });
  const catalog = { has: (c: string) => columns.has(c) };
  const plan = compileTraceQL(q.filter, { ...catalog, traceLevel: true });
  const by = q.by.map((b) => groupingSql(b, catalog));
  const value = q.attribute !== undefined ? numericSql(q.attribute, catalog) : undefined;
  if (files.length === 0) return { groups: [], spans: 0, bytes, files: 0 };

  const select = by.flatMap((b, i) => [`${b.valueSql} AS b${i}`, `${b.typeSql} AS t${i}`]);
  select.push(`(start_time_unix_nano - ${iv.startNs}) // ${iv.stepNs} AS step`, 'count(*)::DOUBLE AS n');
  if (q.fn === 'quantile_over_time') select.push(`quantile_disc(${value}, [${q.quantiles.join(', ')}]) AS q`);
  else if (AGGREGATE[q.fn]) select.push(`${AGGREGATE[q.fn]}(${value})::DOUBLE AS v`);
  const sql =
    `SELECT ${select.join(', ')} FROM ${usesTraceLevel(plan) ? withTraceLevelSql(readParquetSql(files), traceLevelRelationSql(input)) : readParquetSql(files)} ` +
    `WHERE start_time_unix_nano >= ${iv.startNs} AND start_time_unix_nano < ${endNs} AND (${plan.spansets[0]}) GROUP BY ALL`;
  const rows: Row[] = await engine.all(sql).catch((err: unknown) => {
    throw regexError(err, q.filter);
  });

  const groups = new Map<string, GroupResult>();
  let spans = 0;
  for (const r of rows) {
    const labels: TempoLabel[] = [];
    by.forEach((b, i) => {
      const l = labelOf(b.label, r[`b${i}`], r[`t${i}`]);
      if (l) labels.push(l);
    });
    const id = JSON.stringify(labels);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = newGroupResult(labels, iv.count, q.quantiles.length)));
    const step = Number(r['step']);
    const n = Number(r['n']);
    g.count[step]! += n;
    spans += n;
    if (r['v'] !== undefined && r['v'] !== null) g.value[step] = Number(r['v']);
    const qs = r['q'] as unknown[] | null | undefined;
    if (qs) qs.forEach((v, k) => (g.quantiles[k]![step] = v === null ? NaN : Number(v)));
  }
  return { groups: [...groups.values()], spans, bytes, files: files.length };
}
