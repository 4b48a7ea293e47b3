// Service health from rollups: the series merge, step by step, rows of the
// coarsest table whose bucket divides the step (per day, hour, 5 minutes or
// minute); totals and top operations merge rows of the coarsest tables that
// tile the range (whole days inside it, then hours, 5 minutes and minutes at
// the edges). Counts, sums and maxima are exact; quantiles come from the
// merged sketches (within 1%).

import { DDSketch } from './sketch.js';
import { lowerBound, type KeyLevel, type RollupKeys, type RollupTable } from './rollup-table.js';
import type { RollupSource } from './rollup-store.js';
import { Cells, accumulate, grainFor, numberKeys, tileRange } from './rollup-cells.js';
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
  type HealthRequest,
  type HealthResponse,
  type HealthSeries,
  type HealthStats,
  type OperationHealth,
} from './health-types.js';

function operationOf(keys: RollupKeys, k: number, stats: HealthStats): OperationHealth {
  return { service: keys.service[k]!, name: keys.name[k]!, kind: kindName(keys.kind[k]!), ...stats };
}

/** Totals per key of `level` over the range, merging rows of the coarsest tables that tile it. */
function rangeTotals(sources: readonly RollupSource[], level: KeyLevel, keys: { indexOf: Int32Array; keysOf: number[] }, from: number, to: number): Cells {
  const cells = new Cells(keys.keysOf.length);
  for (const seg of tileRange(from, to)) {
    for (const s of sources) accumulate(s.table(level, seg.grain), seg.fromMinute, seg.toMinute, keys.indexOf, cells, (index) => index);
  }
  return cells;
}

/**
 * Fills each group's series step by step: the rows of one step (contiguous
 * in every table, which is sorted by minute) are merged into one scratch
 * sketch per group, whose quantiles become the step's point; so only one
 * sketch per group is alive, whatever the number of steps.
 */
function fillSeries(tables: readonly RollupTable[], indexOf: Int32Array, series: HealthSeries[], req: HealthRequest): void {
  const groups = series.length;
  const steps = (req.endMinute - req.startMinute) / req.stepMinutes;
  const stepSeconds = req.stepMinutes * 60;
  const count = new Float64Array(groups);
  const errors = new Float64Array(groups);
  const sumNs = new Float64Array(groups);
  const maxNs = new Float64Array(groups).fill(-Infinity);
  const sketches = new Array<DDSketch | undefined>(groups);
  const touched: number[] = [];
  const quantiles = new Float64Array(HEALTH_QUANTILES.length);
  const cursors = tables.map((t) => lowerBound(t, req.startMinute));
  for (let step = 0; step < steps; step++) {
    const stepEnd = req.startMinute + (step + 1) * req.stepMinutes;
    tables.forEach((t, ti) => {
      let i = cursors[ti]!;
      for (; i < t.length && t.minute[i]! < stepEnd; i++) {
        const k = t.key[i]!;
        const g = k < indexOf.length ? indexOf[k]! : -1;
        if (g < 0) continue;
        if (count[g] === 0) touched.push(g);
        count[g]! += t.count[i]!;
        errors[g]! += t.errors[i]!;
        sumNs[g]! += t.sumNs[i]!;
        if (t.maxNs[i]! > maxNs[g]!) maxNs[g] = t.maxNs[i]!;
        (sketches[g] ??= new DDSketch()).mergeEncoded(t.sketchBytes, t.sketchStart[i]!, t.sketchStart[i + 1]!);
      }
      cursors[ti] = i;
    });
    for (const g of touched) {
      sketches[g]!.quantiles(HEALTH_QUANTILES, quantiles);
      setSeriesPoint(series[g]!, step, healthStats(count[g]!, errors[g]!, sumNs[g]!, maxNs[g]!, quantiles, stepSeconds));
      sketches[g]!.clear();
      count[g] = 0;
      errors[g] = 0;
      sumNs[g] = 0;
      maxNs[g] = -Infinity;
    }
    touched.length = 0;
  }
}

export function healthFromRollups(sources: readonly RollupSource[], keys: RollupKeys, req: HealthRequest): HealthResponse {
  const level: KeyLevel = req.service !== undefined ? 'operation' : 'service';
  const steps = (req.endMinute - req.startMinute) / req.stepMinutes;
  const rangeSeconds = (req.endMinute - req.startMinute) * 60;
  const seriesTables = sources.map((s) => s.table(level, grainFor(req.stepMinutes)));

  const groupKeys = numberKeys(keys, level, req.service);
  const totals = rangeTotals(sources, level, groupKeys, req.startMinute, req.endMinute);
  const series = groupKeys.keysOf.map(() => emptySeries(steps));
  fillSeries(seriesTables, groupKeys.indexOf, series, req);

  const groups: HealthGroup[] = [];
  let operations: OperationHealth[] = [];
  groupKeys.keysOf.forEach((k, g) => {
    if (totals.count[g] === 0) return;
    const stats = totals.stats(g, rangeSeconds);
    if (level === 'service') groups.push({ labels: { service: keys.service[k]! }, totals: stats, series: series[g]! });
    else {
      groups.push({ labels: { service: keys.service[k]!, name: keys.name[k]!, kind: kindName(keys.kind[k]!) }, totals: stats, series: series[g]! });
      operations.push(operationOf(keys, k, stats));
    }
  });
  if (level === 'service') {
    const ops = numberKeys(keys, 'operation', undefined);
    const opTotals = rangeTotals(sources, 'operation', ops, req.startMinute, req.endMinute);
    operations = ops.keysOf.filter((_, i) => opTotals.count[i]! > 0).map((k) => operationOf(keys, k, opTotals.stats(ops.indexOf[k]!, rangeSeconds)));
  }

  return {
    startMs: req.startMinute * 60_000,
    endMs: req.endMinute * 60_000,
    stepSeconds: req.stepMinutes * 60,
    source: 'rollups',
    groupBy: level === 'service' ? ['service'] : ['service', 'name', 'kind'],
    timestampsMs: timestampsOf(req),
    groups: sortGroups(groups),
    topOperations: topOperations(operations, req.topN),
  };
}
