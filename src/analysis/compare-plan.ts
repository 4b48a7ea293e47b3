// The comparison as one SQL statement over one read of the span files
// (seed 000: conditional aggregation — target and baseline are flags on the
// same rows, never a UNION of two scans). The layers (compare-sql.ts):
//
//   s, oq, fl, ob, orank, tr, q
//        spans in the range (and the trace-id sample); per-operation and
//        per-trace figures as small aggregates over a few columns, joined
//        back (window functions over the wide rows were 3.5× slower)
//   agg / u, l1
//        span level: GROUP BY GROUPING SETS, one set per dimension;
//        trace level: UNPIVOT, dedupe (trace, column, value), count
//   flat, cand
//        one (column, value) row per group; only candidates that can rank
//
// Measured alternatives and figures: docs/analysis.md, "Root-cause comparison".

import { readsTraceLevel, type ColumnCatalog } from '../query/traceql/compile-sql.js';
import { sqlIdent } from '../engine/sql-quote.js';
import { readParquetSql } from '../engine/duckdb.js';
import { dimensionsOf, sharesTuple, type Dimension } from './compare-dimensions.js';
import { selectionSql, type TraceIdSetSql } from './compare-selection.js';
import { candidatesSql, rowLayers, spanCountLayers, traceCountLayers, type KeyedDimensions } from './compare-sql.js';
import type { CompareRequest } from './compare-types.js';

export interface PlanInput {
  files: readonly string[];
  columns: ReadonlySet<string>;
  /** spans in the range before sampling, from the catalog */
  estimatedSpans: number;
  /** the semi-join on an uploaded trace-id set (target kind traceIdSet, request traceIdSet) */
  traceIdSetSql?: TraceIdSetSql;
  /** span level: a grouping set per dimension, no shared tuple (the earlier plan, to check the tuple against and to measure it) */
  setPerDimension?: boolean;
  /**
   * Each trace's trace-level values (search-trace-level.ts, a FROM item):
   * TraceQL selections may then use trace:duration, trace:rootService and
   * trace:rootName, joined to the span rows only when they do.
   */
  traceLevelSql?: string;
}

export interface ComparePlan {
  sql: string;
  /** column index `col` in the result ↔ dimensions[col]; −1 is the totals row */
  dimensions: Dimension[];
  /** labels of dimensions left out because target or baseline is defined by them */
  excluded: string[];
  /** share of traces read: 1, or the trace-id range's share of the id space */
  sampleFraction: number;
}

/** `trace_id < x` keeping about `fraction` of uniformly random trace ids; prunes row groups of parts sorted by trace id. */
export function traceSampleSql(fraction: number): string {
  const prefix = Math.max(1, Math.min(0xffffffff, Math.floor(fraction * 2 ** 32)));
  return `trace_id < from_hex('${prefix.toString(16).padStart(8, '0')}${'0'.repeat(24)}')`;
}

function stripStringLiterals(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'/g, "''");
}

/** Does `sql` read `column`? Attribute columns are always quoted; hot columns appear bare. */
function references(sql: string, column: string): boolean {
  if (sql.includes(sqlIdent(column))) return true;
  return new RegExp(`(?<![\\w."])${column}(?![\\w."])`).test(sql);
}

/** Dimensions of the columns, less those the target or baseline is defined by. */
export function chooseDimensions(columns: ReadonlySet<string>, req: CompareRequest, definedBySql: readonly string[]): { dimensions: Dimension[]; excluded: string[] } {
  const definedBy = definedBySql.map(stripStringLiterals).join('\n');
  const durationDefined = req.target.kind === 'slow' || references(definedBy, 'duration_nano');
  const dimensions: Dimension[] = [];
  const excluded = new Set<string>();
  for (const d of dimensionsOf(columns, !durationDefined)) {
    if (d.column !== 'duration_nano' && references(definedBy, d.column)) excluded.add(d.label);
    else dimensions.push(d);
  }
  if (durationDefined) excluded.add('duration');
  return { dimensions, excluded: [...excluded].sort() };
}

/**
 * Each trace-id set the comparison uses, as a small MATERIALIZED layer: the
 * set's traces present in the range, found once with one semi-join over the
 * trace_id column. The rest of the plan tests membership against it, so a
 * million-id set is hashed once, not once per use of the span rows.
 */
class SetLayers {
  private readonly names = new Map<string, string>();

  constructor(private readonly traceIdSetSql: PlanInput['traceIdSetSql']) {}

  membership = (id: string): string => {
    let name = this.names.get(id);
    if (name === undefined) {
      name = `_set${this.names.size}`;
      this.names.set(id, name);
    }
    return `trace_id IN (SELECT trace_id FROM ${name})`;
  };

  /** The layers of the sets used, over the span files restricted by `where` (range and sample). */
  layers(files: readonly string[], where: readonly string[]): string[] {
    return [...this.names].map(([id, name]) => {
      if (!this.traceIdSetSql) throw new Error('compare: trace-id sets need PlanInput.traceIdSetSql');
      return `${name} AS MATERIALIZED (SELECT DISTINCT trace_id FROM ${readParquetSql(files)} WHERE ${[...where, this.traceIdSetSql(id)].join(' AND ')})`;
    });
  }
}

export function planComparison(input: PlanInput, req: CompareRequest): ComparePlan {
  const has: ColumnCatalog = { has: (c) => input.columns.has(c), traceLevel: input.traceLevelSql !== undefined };
  const sets = new SetLayers(input.traceIdSetSql);
  const sel = selectionSql(req.target, req.baseline, req.level, has, sets.membership);
  const { dimensions, excluded } = chooseDimensions(input.columns, req, sel.definedBy);

  // a trace-id set is itself the selection asked for: compared whole, never sampled
  const sampled = req.maxSpans > 0 && input.estimatedSpans > req.maxSpans && req.traceIdSet === undefined;
  const sampleFraction = sampled ? req.maxSpans / input.estimatedSpans : 1;
  const where = [`start_time_unix_nano >= ${req.startNs}`, `start_time_unix_nano <= ${req.endNs}`];
  if (sampleFraction < 1) where.push(traceSampleSql(sampleFraction));
  const rangeWhere = [...where];
  if (req.traceIdSet !== undefined) where.push(sets.membership(req.traceIdSet));

  // span level: numeric ranges come from the exact values' groups (range dimension → exact-value dimension)
  const derived = new Map<number, number>();
  if (req.level === 'span') {
    dimensions.forEach((d, k) => {
      if (d.mode === 'bucket' && d.column !== 'duration_nano') derived.set(k, dimensions.findIndex((v) => v.column === d.column && v.mode === 'value'));
    });
  }
  const keyed: KeyedDimensions = { dimensions, indexes: dimensions.map((_, k) => k).filter((k) => !derived.has(k)) };
  const tupled = new Set(input.setPerDimension ? [] : keyed.indexes.filter((k) => sharesTuple(dimensions[k]!)));
  const counts = req.level === 'span' ? spanCountLayers(keyed, derived, tupled) : traceCountLayers(keyed);
  const sql = candidatesSql([...sets.layers(input.files, rangeWhere), ...rowLayers(input.files, where, sel, keyed, sel.definedBy.some(readsTraceLevel) ? input.traceLevelSql : undefined), ...counts]);
  return { sql, dimensions, excluded, sampleFraction };
}
