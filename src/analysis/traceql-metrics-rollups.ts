// TraceQL metrics from rollups, when the query only looks at what rollups
// are keyed by: the filter compares service name, span name, kind and status;
// grouping uses only those; the function is rate/count or aggregates
// duration; intervals are whole minutes. The filter is decided per rollup key
// by running the compiled filter over the keys themselves (the TraceQL
// compiler's semantics, no second implementation).

import { sqlString, type Engine } from '../engine/duckdb.js';
import { everyFieldLeaf, type FieldLeaf, type SpansetExpr } from '../query/traceql/ast.js';
import { Cells, accumulate, grainFor } from './rollup-cells.js';
import type { RollupSource } from './rollup-store.js';
import type { RollupKeys } from './rollup-table.js';
import { kindName, statusName } from './health-types.js';
import type { MetricsQuery } from './traceql-metrics-parse.js';
import { newGroupResult, type GroupResult, type Intervals, type TempoLabel } from './traceql-metrics-series.js';

const NS_PER_MINUTE = 60_000_000_000n;

type KeyField = 'service' | 'name' | 'kind' | 'status';

const BY_FIELDS: Readonly<Record<string, KeyField>> = {
  'resource.service.name': 'service',
  name: 'name',
  'span:name': 'name',
  kind: 'kind',
  'span:kind': 'kind',
  status: 'status',
  'span:status': 'status',
};

/** Whether a filter reads only what rollup keys hold: service, span name, kind, status (no durations). */
function keyOnlyLeaf(leaf: FieldLeaf): boolean {
  switch (leaf.kind) {
    case 'intrinsic':
      return leaf.name === 'span:name' || leaf.name === 'span:kind' || leaf.name === 'span:status';
    case 'attribute':
      return leaf.scope === 'resource' && leaf.name === 'service.name';
    case 'duration':
      return false;
    default:
      return true; // other literals
  }
}

/** Whether rollups can answer `q` exactly in counts (and within 1% in quantiles). */
export function rollupsCanAnswer(q: MetricsQuery, ast: SpansetExpr, iv: Intervals): boolean {
  if (ast.kind !== 'spansetFilter' || !everyFieldLeaf(ast.expr, keyOnlyLeaf)) return false;
  if (!q.by.every((b) => BY_FIELDS[b] !== undefined)) return false;
  if (q.fn === 'min_over_time') return false;
  if (q.attribute !== undefined && q.attribute !== 'duration' && q.attribute !== 'span:duration') return false;
  return iv.stepNs % NS_PER_MINUTE === 0n && iv.startNs % NS_PER_MINUTE === 0n;
}

/** Status-level keys for which `condition` (SQL over service_name, name, kind, status_code) holds. */
async function matchingKeys(engine: Engine, keys: RollupKeys, condition: string): Promise<Uint8Array> {
  const match = new Uint8Array(keys.size);
  const rows: string[] = [];
  for (let k = 0; k < keys.size; k++) {
    if (keys.level[k] === 'status') rows.push(`(${k}, ${sqlString(keys.service[k]!)}, ${sqlString(keys.name[k]!)}, ${keys.kind[k]}, ${keys.status[k]})`);
  }
  if (rows.length === 0) return match;
  const found = await engine.all(
    `SELECT id FROM (VALUES ${rows.join(', ')}) AS t(id, service_name, name, kind, status_code) WHERE ${condition}`,
  );
  for (const r of found) match[Number(r['id'])] = 1;
  return match;
}

function keyLabel(keys: RollupKeys, k: number, label: string, field: KeyField): TempoLabel {
  switch (field) {
    case 'service':
      return { key: label, value: { stringValue: keys.service[k]! } };
    case 'name':
      return { key: label, value: { stringValue: keys.name[k]! } };
    case 'kind':
      return { key: label, value: { stringValue: kindName(keys.kind[k]!) } };
    case 'status':
      return { key: label, value: { stringValue: statusName(keys.status[k]!) } };
  }
}

export async function metricsFromRollups(
  engine: Engine,
  sources: readonly RollupSource[],
  keys: RollupKeys,
  q: MetricsQuery,
  condition: string,
  iv: Intervals,
): Promise<{ groups: GroupResult[]; spans: number }> {
  const stepMinutes = Number(iv.stepNs / NS_PER_MINUTE);
  const startMinute = Number(iv.startNs / NS_PER_MINUTE);
  const endMinute = startMinute + iv.count * stepMinutes;
  const tables = sources.map((s) => s.table('status', grainFor(stepMinutes)));
  const match = await matchingKeys(engine, keys, condition);

  const groupOf = new Int32Array(keys.size).fill(-1);
  const groups: GroupResult[] = [];
  const ids = new Map<string, number>();
  for (let k = 0; k < match.length; k++) {
    if (!match[k]) continue;
    const labels = q.by.map((b) => keyLabel(keys, k, b, BY_FIELDS[b]!));
    const id = JSON.stringify(labels);
    let g = ids.get(id);
    if (g === undefined) {
      ids.set(id, (g = groups.length));
      groups.push(newGroupResult(labels, iv.count, q.quantiles.length));
    }
    groupOf[k] = g;
  }
  const cells = new Cells(groups.length * iv.count);
  for (const t of tables) {
    accumulate(t, startMinute, endMinute, groupOf, cells, (g, minute) => g * iv.count + Math.floor((minute - startMinute) / stepMinutes));
  }

  let spans = 0;
  groups.forEach((g, gi) => {
    for (let i = 0; i < iv.count; i++) {
      const cell = gi * iv.count + i;
      const n = cells.count[cell]!;
      g.count[i] = n;
      spans += n;
      if (n === 0) continue;
      if (q.fn === 'avg_over_time') g.value[i] = cells.sumNs[cell]! / n / 1e9;
      else if (q.fn === 'max_over_time') g.value[i] = cells.maxNs[cell]! / 1e9;
      else if (q.fn === 'sum_over_time') g.value[i] = cells.sumNs[cell]! / 1e9;
      q.quantiles.forEach((p, k) => (g.quantiles[k]![i] = cells.sketches[cell]!.quantile(p) / 1e9));
    }
  });
  return { groups, spans };
}
