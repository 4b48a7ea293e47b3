// The boundary between the PromQL evaluator and the storage that feeds it,
// and the shapes the evaluator answers in (those of Prometheus's HTTP API).
//
// Storage hands over decoded arrays per series for the asked time range:
// timestamps in ms ascending, values as float64. Staleness markers are kept
// as samples: a NaN whose bits are exactly 0x7ff0000000000002. Ordinary NaN
// values are data; only that bit pattern ends a series.

import { BadQueryError } from '../../model/errors.js';
import type { LabelMatcher } from './ast.js';

export interface Label {
  readonly name: string;
  readonly value: string;
}

/** Sorted by name, no duplicate names, no empty values; includes `__name__` when the series has one. */
export type Labels = readonly Label[];

export interface SeriesSamples {
  readonly labels: Labels;
  /** Sample timestamps, ms since the epoch, ascending. */
  readonly t: Float64Array;
  readonly v: Float64Array;
}

export interface Queryable {
  /**
   * Every series matching all matchers (an absent label matches as ""), with
   * its samples whose timestamps lie in [minTMs, maxTMs] (both inclusive);
   * series without such samples may be left out. Ideally sorted by labels;
   * the evaluator sorts if not.
   */
  select(matchers: readonly LabelMatcher[], minTMs: number, maxTMs: number): Promise<SeriesSamples[]>;
}

export interface EvaluateOptions {
  /** How far back an instant selector looks for the latest sample. Default 5 minutes. */
  readonly lookbackDeltaMs?: number;
  /** Upper bound on samples held at once, like Prometheus's --query.max-samples. Default 50,000,000. */
  readonly maxSamples?: number;
  /** Step of a subquery written without one (`x[1h:]`): Prometheus's global evaluation_interval. Default 1 minute. */
  readonly defaultSubqueryStepMs?: number;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export const DEFAULT_LOOKBACK_DELTA_MS = 5 * 60_000;
export const DEFAULT_MAX_SAMPLES = 50_000_000;
export const DEFAULT_SUBQUERY_STEP_MS = 60_000;

/** `[unix seconds with ms precision, value formatted like Go's FormatFloat(v, 'f', -1, 64)]`. */
export type PromPoint = [number, string];

export interface PromVectorSample {
  metric: Record<string, string>;
  value: PromPoint;
}

export interface PromMatrixSeries {
  metric: Record<string, string>;
  values: PromPoint[];
}

/** The `data` member of a Prometheus /api/v1/query or /api/v1/query_range answer. */
export type PromQueryData =
  | { resultType: 'vector'; result: PromVectorSample[] }
  | { resultType: 'matrix'; result: PromMatrixSeries[] }
  | { resultType: 'scalar'; result: PromPoint }
  | { resultType: 'string'; result: PromPoint };

/**
 * A query that parsed but failed while being evaluated (many-to-many
 * matching, too many samples, …). Prometheus answers these with HTTP 422 and
 * `errorType: "execution"`; `detail` is its message without our prefix.
 */
export class PromqlExecutionError extends BadQueryError {
  readonly prometheusErrorType = 'execution';

  constructor(readonly detail: string) {
    super(`promql: ${detail}`);
  }
}

const STALE_HI = 0x7ff00000;
const STALE_LO = 0x00000002;

/** Whether v[i] is a staleness marker, judged by its bits (ordinary NaNs are not). */
export function isStaleMarkerAt(v: Float64Array, i: number): boolean {
  const x = v[i]!;
  if (x === x) return false;
  const words = new Uint32Array(v.buffer, v.byteOffset + i * 8, 2);
  return words[0] === STALE_LO && words[1] === STALE_HI;
}

/** Writes a staleness marker into v[i] bit for bit (assigning a JS NaN would not keep the payload). */
export function setStaleMarkerAt(v: Float64Array, i: number): void {
  const words = new Uint32Array(v.buffer, v.byteOffset + i * 8, 2);
  words[0] = STALE_LO;
  words[1] = STALE_HI;
}
