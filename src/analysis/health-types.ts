// The service-health (RED) question and answer, shared by the rollup and the
// raw-span evaluators so both answer in one shape (docs/analysis.md, section
// "Service health"). Times are unix minutes inside, milliseconds in JSON;
// durations are nanoseconds inside, milliseconds in JSON.

import { BadQueryError } from '../model/errors.js';

export interface HealthRequest {
  /** unix minutes, aligned to the step; end exclusive */
  startMinute: number;
  endMinute: number;
  stepMinutes: number;
  /** only this service, grouped per operation (span name, kind) */
  service?: string;
  /** group by this attribute (TraceQL spelling, e.g. span.http.route); answered from spans */
  groupBy?: string;
  /** answer from spans even when rollups could */
  exact: boolean;
  /** length of each top-operations list */
  topN: number;
}

/** RED figures of one group over one step or the whole range. */
export interface HealthStats {
  requests: number;
  errors: number;
  ratePerSecond: number;
  /** errors / requests; null without requests */
  errorRatio: number | null;
  avgMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

/** One value per step, in the order of HealthResponse.timestampsMs. */
export interface HealthSeries {
  requests: number[];
  errors: number[];
  ratePerSecond: number[];
  errorRatio: (number | null)[];
  p50Ms: (number | null)[];
  p90Ms: (number | null)[];
  p95Ms: (number | null)[];
  p99Ms: (number | null)[];
  maxMs: (number | null)[];
}

export type HealthLabels = Record<string, string | null>;

export interface HealthGroup {
  labels: HealthLabels;
  totals: HealthStats;
  series: HealthSeries;
}

export interface OperationHealth extends HealthStats {
  service: string;
  name: string;
  kind: string;
}

export interface HealthResponse {
  startMs: number;
  endMs: number;
  stepSeconds: number;
  /** 'rollups': counts exact, quantiles within 1%; 'spans': exact */
  source: 'rollups' | 'spans';
  /** label names of each group, in order */
  groupBy: string[];
  /** start of each step */
  timestampsMs: number[];
  groups: HealthGroup[];
  topOperations: { byLatency: OperationHealth[]; byErrors: OperationHealth[] };
}

/** Quantiles every answer carries, in HealthStats order. */
export const HEALTH_QUANTILES = [0.5, 0.9, 0.95, 0.99] as const;

const KIND_NAMES = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_NAMES = ['unset', 'ok', 'error'];

export function kindName(code: number): string {
  return KIND_NAMES[code] ?? String(code);
}

export function statusName(code: number): string {
  return STATUS_NAMES[code] ?? String(code);
}

export const MS_PER_MINUTE = 60_000;
export const NS_PER_MS = 1_000_000;

/** Figures of one cell; `quantilesNs` in HEALTH_QUANTILES order (NaN when unknown). */
export function healthStats(requests: number, errors: number, sumNs: number, maxNs: number, quantilesNs: ArrayLike<number>, seconds: number): HealthStats {
  const ms = (ns: number): number | null => (requests > 0 && Number.isFinite(ns) ? ns / NS_PER_MS : null);
  return {
    requests,
    errors,
    ratePerSecond: requests / seconds,
    errorRatio: requests > 0 ? errors / requests : null,
    avgMs: requests > 0 ? sumNs / requests / NS_PER_MS : null,
    p50Ms: ms(quantilesNs[0]!),
    p90Ms: ms(quantilesNs[1]!),
    p95Ms: ms(quantilesNs[2]!),
    p99Ms: ms(quantilesNs[3]!),
    maxMs: ms(maxNs),
  };
}

export function emptySeries(steps: number): HealthSeries {
  const zeros = (): number[] => new Array<number>(steps).fill(0);
  const nulls = (): (number | null)[] => new Array<number | null>(steps).fill(null);
  return {
    requests: zeros(),
    errors: zeros(),
    ratePerSecond: zeros(),
    errorRatio: nulls(),
    p50Ms: nulls(),
    p90Ms: nulls(),
    p95Ms: nulls(),
    p99Ms: nulls(),
    maxMs: nulls(),
  };
}

export function setSeriesPoint(series: HealthSeries, step: number, s: HealthStats): void {
  series.requests[step] = s.requests;
  series.errors[step] = s.errors;
  series.ratePerSecond[step] = s.ratePerSecond;
  series.errorRatio[step] = s.errorRatio;
  series.p50Ms[step] = s.p50Ms;
  series.p90Ms[step] = s.p90Ms;
  series.p95Ms[step] = s.p95Ms;
  series.p99Ms[step] = s.p99Ms;
  series.maxMs[step] = s.maxMs;
}

/** Top operations by p99 latency, and by error count (only those with errors). */
export function topOperations(ops: readonly OperationHealth[], n: number): HealthResponse['topOperations'] {
  const byName = (a: OperationHealth, b: OperationHealth): number =>
    a.service.localeCompare(b.service) || a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind);
  const byLatency = ops
    .filter((o) => o.requests > 0)
    .sort((a, b) => (b.p99Ms ?? 0) - (a.p99Ms ?? 0) || b.requests - a.requests || byName(a, b))
    .slice(0, n);
  const byErrors = ops
    .filter((o) => o.errors > 0)
    .sort((a, b) => b.errors - a.errors || (b.errorRatio ?? 0) - (a.errorRatio ?? 0) || byName(a, b))
    .slice(0, n);
  return { byLatency, byErrors };
}

/** Groups with requests, busiest first. */
export function sortGroups(groups: HealthGroup[]): HealthGroup[] {
  return groups
    .filter((g) => g.totals.requests > 0)
    .sort((a, b) => b.totals.requests - a.totals.requests || JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
}

export function timestampsOf(req: HealthRequest): number[] {
  const out: number[] = [];
  for (let m = req.startMinute; m < req.endMinute; m += req.stepMinutes) out.push(m * MS_PER_MINUTE);
  return out;
}

/** Most steps one answer may hold. */
export const MAX_HEALTH_STEPS = 11_000;

export function checkHealthRequest(req: HealthRequest): void {
  if (!Number.isInteger(req.stepMinutes) || req.stepMinutes < 1) throw new BadQueryError(`health: step must be a positive multiple of 1m`);
  if (req.startMinute % req.stepMinutes !== 0 || req.endMinute % req.stepMinutes !== 0) {
    throw new BadQueryError('health: start and end must be aligned to the step');
  }
  if (req.endMinute <= req.startMinute) throw new BadQueryError('health: end must be after start');
  const steps = (req.endMinute - req.startMinute) / req.stepMinutes;
  if (steps > MAX_HEALTH_STEPS) throw new BadQueryError(`health: ${steps} steps asked, at most ${MAX_HEALTH_STEPS}; use a larger step`);
  if (!(req.topN >= 0)) throw new BadQueryError('health: top must be a non-negative integer');
}
