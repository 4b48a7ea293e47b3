// Service health computed exactly from spans, for `exact=true` (to check the
// sketches) and for grouping by an attribute (rollups are keyed only by
// service, name, kind and status). One scan: GROUPING SETS give the per-step
// cells, the per-group totals and the per-operation totals together, each
// with DuckDB's quantile_disc (the rank the sketches estimate).

import { readParquetSql, sqlString, type Engine, type Row } from '../engine/duckdb.js';
import type { PartInfo } from '../parts/catalog.js';
import { searchFiles } from '../query/search.js';
import type { StagedFile } from '../head/head.js';
import { groupingSql } from './health-group-by.js';
import {
  HEALTH_QUANTILES,
  emptySeries,
  healthStats,
  kindName,
  setSeriesPoint,
  sortGroups,
  timestampsOf,
  topOperations,
  type HealthGroup,
  type HealthLabels,
  type HealthRequest,
  type HealthResponse,
  type HealthStats,
  type OperationHealth,
} from './health-types.js';

export interface SpanFilesInput {
  dataDir: string;
  parts: readonly PartInfo[];
  staged: readonly StagedFile[];
}

const NS_PER_MINUTE = 60_000_000_000n;

export async function healthFromSpans(engine: Engine, input: SpanFilesInput, req: HealthRequest): Promise<HealthResponse> {
  const startNs = BigInt(req.startMinute) * NS_PER_MINUTE;
  const endNs = BigInt(req.endMinute) * NS_PER_MINUTE;
  const stepNs = BigInt(req.stepMinutes) * NS_PER_MINUTE;
  const steps = (req.endMinute - req.startMinute) / req.stepMinutes;
  const { files, columns } = searchFiles(input, { query: '{}', limit: 1, spss: 1, startNs, endNs: endNs - 1n });
  const attr = req.groupBy !== undefined ? groupingSql(req.groupBy, { has: (c) => columns.has(c) }) : undefined;
  const byOperation = req.service !== undefined && attr === undefined;
  const groupBy = attr ? ['service', attr.label] : byOperation ? ['service', 'name', 'kind'] : ['service'];
  const response: HealthResponse = {
    startMs: req.startMinute * 60_000,
    endMs: req.endMinute * 60_000,
    stepSeconds: req.stepMinutes * 60,
    source: 'spans',
    groupBy,
    timestampsMs: timestampsOf(req),
    groups: [],
    topOperations: { byLatency: [], byErrors: [] },
  };
  if (files.length === 0) return response;

  const groupCols = attr ? 'service_name, attr_value' : byOperation ? 'service_name, name, kind' : 'service_name';
  const sets = [`(${groupCols}, step)`, `(${groupCols})`];
  if (!byOperation) sets.push('(service_name, name, kind)');
  const where = [`start_time_unix_nano >= ${startNs}`, `start_time_unix_nano < ${endNs}`];
  if (req.service !== undefined) where.push(`service_name = ${sqlString(req.service)}`);
  const sql =
    `WITH s AS (SELECT service_name, name, kind, status_code, duration_nano, ${attr?.valueSql ?? 'NULL::VARCHAR'} AS attr_value, ` +
    `(start_time_unix_nano - ${startNs}) // ${stepNs} AS step FROM ${readParquetSql(files)} WHERE ${where.join(' AND ')}) ` +
    `SELECT service_name, name, kind, ${attr ? 'attr_value' : 'NULL AS attr_value'}, step, GROUPING(step) AS no_step, GROUPING(name) AS no_name, ` +
    `count(*)::DOUBLE AS n, (count(*) FILTER (WHERE status_code = 2))::DOUBLE AS e, sum(duration_nano)::DOUBLE AS s, ` +
    `max(duration_nano)::DOUBLE AS mx, quantile_disc(duration_nano, [${HEALTH_QUANTILES.join(', ')}]) AS q ` +
    `FROM s GROUP BY GROUPING SETS (${sets.join(', ')})`;
  const rows = await engine.all(sql);

  const stepSeconds = req.stepMinutes * 60;
  const rangeSeconds = (req.endMinute - req.startMinute) * 60;
  const groups = new Map<string, HealthGroup>();
  const groupOf = (r: Row): HealthGroup => {
    const labels: HealthLabels = { service: String(r['service_name']) };
    if (attr) labels[attr.label] = r['attr_value'] === null ? null : String(r['attr_value']);
    else if (byOperation) Object.assign(labels, { name: String(r['name']), kind: kindName(Number(r['kind'])) });
    const id = JSON.stringify(labels);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { labels, totals: healthStats(0, 0, 0, NaN, [], rangeSeconds), series: emptySeries(steps) }));
    return g;
  };
  const operations: OperationHealth[] = [];
  for (const r of rows) {
    // sets: (groups…, step) per step; (groups…) totals; (service, name, kind) per operation
    const isStep = Number(r['no_step']) === 0;
    const isOperation = !isStep && Number(r['no_name']) === 0;
    const stats = rowStats(r, isStep ? stepSeconds : rangeSeconds);
    if (isOperation) {
      operations.push({ service: String(r['service_name']), name: String(r['name']), kind: kindName(Number(r['kind'])), ...stats });
      if (!byOperation) continue;
    }
    const g = groupOf(r);
    if (isStep) setSeriesPoint(g.series, Number(r['step']), stats);
    else g.totals = stats;
  }
  response.groups = sortGroups([...groups.values()]);
  response.topOperations = topOperations(operations, req.topN);
  return response;
}

function rowStats(r: Row, seconds: number): HealthStats {
  const q = (r['q'] as unknown[] | null) ?? [];
  return healthStats(Number(r['n']), Number(r['e']), Number(r['s']), Number(r['mx']), q.map(Number), seconds);
}
