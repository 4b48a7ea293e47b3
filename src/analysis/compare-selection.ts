// Target and baseline of a comparison as SQL over span rows. Conditions that
// need more than the row itself (the operation's percentile, "does this
// operation / trace have a target span?") come from small aggregates over the
// few columns they read, joined back to the rows (compare-plan.ts), never from
// window functions over the wide rows (3.5× slower: docs/analysis.md).

import { BadQueryError } from '../model/errors.js';
import { compileTraceQL, type ColumnCatalog } from '../query/traceql/compile-sql.js';
import type { CompareBaseline, CompareLevel, CompareTarget } from './compare-types.js';

export const DEFAULT_PERCENTILE = 90;

export interface SelectionSql {
  /** slow above this quantile (0..1) of the operation: the plan joins `_thr` per operation */
  quantile?: number;
  /** `expr AS name` over a span row (with `_thr` when `quantile` is set) */
  rowFlags: string[];
  /** span level, baseline "rest": the plan joins `_opt`, whether the row's operation has a target span */
  operationHasTarget: boolean;
  /** trace level: `bool_or(flag) AS name`, grouped by trace_id and joined back */
  traceFlags: string[];
  /** final booleans over the joined row */
  inTarget: string;
  inBaseline: string;
  /** SQL text of target and baseline, to find the columns they are defined by */
  definedBy: string[];
}

/** TraceQL's per-trace condition over m0, m1, … renamed to our columns. */
function renameSpansetFlags(condition: string, prefix: string): string {
  return condition.replace(/\bm(\d+)\b/g, `${prefix}$1`);
}

interface CompiledFilter {
  spansets: string[];
  traceCondition: string;
}

function compile(query: string | undefined, what: string, columns: ColumnCatalog): CompiledFilter {
  if (query === undefined || query.trim() === '') throw new BadQueryError(`compare: ${what}.query is required when ${what}.kind is "traceql"`);
  return compileTraceQL(query, columns);
}

function singleSpanset(f: CompiledFilter, what: string): string {
  if (f.spansets.length !== 1) {
    throw new BadQueryError(`compare: ${what}.query must be one spanset filter like { … } at span level; use level "trace" to combine spansets`);
  }
  return f.spansets[0]!;
}

/** `trace_id IN (…)` of an uploaded trace-id set, by its id. */
export type TraceIdSetSql = (setId: string) => string;

/** The span-level target condition; undefined for a TraceQL target of several spansets. */
function targetSpanSql(target: CompareTarget, compiled: CompiledFilter | undefined, traceIdSetSql: TraceIdSetSql): string | undefined {
  switch (target.kind) {
    case 'errors':
      return 'status_code = 2';
    case 'exceptions':
      return 'has_exception';
    case 'slow':
      if (target.thresholdMs !== undefined) return `duration_nano > ${BigInt(Math.round(target.thresholdMs * 1e6))}`;
      return 'duration_nano > _thr';
    case 'traceql':
      return compiled!.spansets.length === 1 ? compiled!.spansets[0]! : undefined;
    case 'traceIdSet':
      if (target.set === undefined) throw new BadQueryError('compare: target.set is required when target.kind is "traceIdSet"');
      return traceIdSetSql(target.set);
  }
}

export function selectionSql(
  target: CompareTarget,
  baseline: CompareBaseline,
  level: CompareLevel,
  columns: ColumnCatalog,
  traceIdSetSql: TraceIdSetSql = () => {
    throw new BadQueryError('compare: trace-id sets are not available here');
  },
): SelectionSql {
  const compiledTarget = target.kind === 'traceql' ? compile(target.query, 'target', columns) : undefined;
  const compiledBaseline = baseline.kind === 'traceql' ? compile(baseline.query, 'baseline', columns) : undefined;
  const percentileTarget = target.kind === 'slow' && target.thresholdMs === undefined;
  const s: SelectionSql = { rowFlags: [], operationHasTarget: false, traceFlags: [], inTarget: '', inBaseline: '', definedBy: [] };
  if (percentileTarget) s.quantile = (target.percentile ?? DEFAULT_PERCENTILE) / 100;

  const spanTarget = targetSpanSql(target, compiledTarget, traceIdSetSql);
  if (spanTarget !== undefined) {
    s.rowFlags.push(`coalesce(${spanTarget}, false) AS _t`);
    s.definedBy.push(spanTarget);
  } else {
    if (level === 'span') singleSpanset(compiledTarget!, 'target');
    compiledTarget!.spansets.forEach((sql, i) => s.rowFlags.push(`coalesce(${sql}, false) AS _ts${i}`));
    s.definedBy.push(...compiledTarget!.spansets);
  }
  if (compiledBaseline) s.definedBy.push(...compiledBaseline.spansets);

  if (level === 'span') {
    s.inTarget = '_t';
    if (compiledBaseline) {
      s.rowFlags.push(`coalesce(${singleSpanset(compiledBaseline, 'baseline')}, false) AS _bs`);
      s.inBaseline = 'NOT _t AND _bs';
    } else if (percentileTarget) {
      // every operation has spans above its own percentile: nothing to restrict
      s.inBaseline = 'NOT _t';
    } else {
      s.operationHasTarget = true;
      s.inBaseline = 'NOT _t AND _opt';
    }
    return s;
  }

  let traceTarget: string;
  if (spanTarget !== undefined) {
    s.traceFlags.push('bool_or(_t) AS _tt');
    traceTarget = '_tt';
  } else {
    compiledTarget!.spansets.forEach((_, i) => s.traceFlags.push(`bool_or(_ts${i}) AS _tm${i}`));
    traceTarget = `coalesce(${renameSpansetFlags(compiledTarget!.traceCondition, '_tm')}, false)`;
  }
  s.inTarget = traceTarget;
  if (compiledBaseline) {
    compiledBaseline.spansets.forEach((sql, i) => {
      s.rowFlags.push(`coalesce(${sql}, false) AS _bs${i}`);
      s.traceFlags.push(`bool_or(_bs${i}) AS _bm${i}`);
    });
    s.inBaseline = `NOT (${traceTarget}) AND coalesce(${renameSpansetFlags(compiledBaseline.traceCondition, '_bm')}, false)`;
  } else {
    s.inBaseline = `NOT (${traceTarget})`;
  }
  return s;
}
