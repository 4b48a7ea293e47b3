// Turns the Compare page's URL (what to explain, within which filter) into the
// /api/v1/compare request, and a ranked dimension=value back into a TraceQL
// condition for Search. Pure.

import { addConditions, durationConditions, durationLiteral, equalsCondition, operationFilter, spansetBody, traceqlString } from '../../traceql-build.js';
import { hrefOf } from '../../route-match.js';
import type { CompareQuery } from '../../api/endpoints.js';

export type CompareMode = 'errors' | 'slow' | 'traceql';

export interface ComparePageState {
  mode: CompareMode;
  /** the scope both sides are drawn from ('' or '{}' = everything) */
  filter: string;
  /** slow: the brushed duration region */
  minMs?: number;
  maxMs?: number;
  level: 'span' | 'trace';
}

function hasFilter(q: string): boolean {
  return spansetBody(q) !== '';
}

export function compareStateOf(q: URLSearchParams): ComparePageState {
  const target = q.get('target');
  const mode: CompareMode = target === 'slow' || target === 'traceql' ? target : 'errors';
  const state: ComparePageState = { mode, filter: q.get('q') ?? '', level: q.get('level') === 'trace' ? 'trace' : 'span' };
  const min = Number(q.get('minMs'));
  const max = Number(q.get('maxMs'));
  if (q.get('minMs') && Number.isFinite(min) && min >= 0) state.minMs = min;
  if (q.get('maxMs') && Number.isFinite(max) && max > 0) state.maxMs = max;
  return state;
}

/** The comparison request; target and baseline both stay within the filter. */
export function compareRequestOf(s: ComparePageState, limit = 30): CompareQuery {
  const scoped = hasFilter(s.filter);
  const base = { level: s.level, limit };
  if (s.mode === 'errors') {
    return scoped
      ? { ...base, target: { kind: 'traceql', query: addConditions(s.filter, ['status = error']) }, baseline: { kind: 'traceql', query: s.filter } }
      : { ...base, target: { kind: 'errors' }, baseline: { kind: 'rest' } };
  }
  if (s.mode === 'slow') {
    if (s.minMs !== undefined || s.maxMs !== undefined) {
      const target = addConditions(scoped ? s.filter : '{}', durationConditions(s.minMs, s.maxMs));
      return { ...base, target: { kind: 'traceql', query: target }, baseline: scoped ? { kind: 'traceql', query: s.filter } : { kind: 'rest' } };
    }
    return { ...base, target: { kind: 'slow', percentile: 90 }, baseline: { kind: 'rest' } };
  }
  return { ...base, target: { kind: 'traceql', query: scoped ? s.filter : '{}' }, baseline: { kind: 'rest' } };
}

/** In words, for the page's heading. */
export function describeTarget(s: ComparePageState): string {
  if (s.mode === 'errors') return 'spans with status error';
  if (s.mode === 'slow') {
    if (s.minMs !== undefined && s.maxMs !== undefined) return `spans lasting ${durationLiteral(s.minMs)} to ${durationLiteral(s.maxMs)}`;
    if (s.minMs !== undefined) return `spans lasting ${durationLiteral(s.minMs)} or more`;
    if (s.maxMs !== undefined) return `spans shorter than ${durationLiteral(s.maxMs)}`;
    return 'spans slower than the 90th percentile of their operation';
  }
  return 'spans matching the filter';
}

/** Compare's names for span columns, in TraceQL's spelling; columns TraceQL cannot filter on are absent. */
const INTRINSICS: Readonly<Record<string, string>> = {
  name: 'name',
  kind: 'kind',
  status: 'status',
  statusMessage: 'statusMessage',
  'resource.service.name': 'resource.service.name',
  'instrumentation.name': 'instrumentation:name',
  'instrumentation.version': 'instrumentation:version',
};

const UNFILTERABLE = /^(hasException|traceState|flags|resource\.schemaUrl|instrumentation\.schemaUrl|droppedAttributesCount|droppedEventsCount|droppedLinksCount|resource\.droppedAttributesCount|instrumentation\.droppedAttributesCount)$/;

const RANGE = /^([[(])(-?[\d.e+]+)(ms)?, (-?[\d.e+]+)(ms)?([\])])$/;

/**
 * The TraceQL conditions selecting `dimension = value` as the comparison
 * shows it, or undefined when TraceQL cannot express it. Ranges such as
 * `[100, 200)` or `[2000ms, 5000ms)` become two bounds; a numeric- or
 * boolean-looking value of an attribute matches the typed and the string
 * column (the answer does not say which it came from).
 */
export function conditionsFor(dimension: string, value: string): string[] | undefined {
  if (UNFILTERABLE.test(dimension)) return undefined;
  const range = RANGE.exec(value);
  if (range) {
    const [, open, lo, loUnit, hi, hiUnit, close] = range;
    const isDuration = dimension === 'duration';
    if (isDuration && loUnit === 'ms' && hiUnit === 'ms' && open === '[' && close === ')') return durationConditions(Number(lo), Number(hi));
    if (isDuration) return undefined;
    const attr = dimension.replace(/::\w+$/, '');
    return [`${attr} ${open === '[' ? '>=' : '>'} ${lo}`, `${attr} ${close === ']' ? '<=' : '<'} ${hi}`];
  }
  if (dimension === 'duration') return undefined;
  const intrinsic = INTRINSICS[dimension];
  if (intrinsic !== undefined) return [equalsCondition(intrinsic, value)];
  const typed = /::(\w+)$/.exec(dimension);
  const attr = dimension.replace(/::\w+$/, '');
  if (typed) return [`${attr} = ${typed[1] === 'string' ? traceqlString(value) : value}`];
  if (/^-?\d+(\.\d+)?$/.test(value) || value === 'true' || value === 'false') return [`(${attr} = ${value} || ${attr} = ${traceqlString(value)})`];
  return [`${attr} = ${traceqlString(value)}`];
}

/** The Search filter narrowed to `dimension = value` (within the comparison's target). */
export function searchFilterFor(s: ComparePageState, dimension: string, value: string): string | undefined {
  const conds = conditionsFor(dimension, value);
  if (!conds) return undefined;
  const req = compareRequestOf(s);
  const scope = req.target.kind === 'traceql' ? (req.target.query ?? '{}') : req.target.kind === 'errors' ? '{ status = error }' : s.filter || '{}';
  return addConditions(scope, conds);
}

const HOUR_MS = 3_600_000;

/**
 * Links from one span to the comparisons that explain it: spans of its
 * operation at least as slow against the rest of the operation, and (when it
 * failed) the operation's errors against the rest; over the hour either side
 * of the span.
 */
export function compareLinksForSpan(span: { service: string; name: string; durationMs: number; isError: boolean; startMs: number }): { slow: string; errors?: string } {
  const q = operationFilter(span.service, span.name);
  const range = { from: String(Math.floor(span.startMs - HOUR_MS)), to: String(Math.ceil(span.startMs + HOUR_MS)) };
  const slow = hrefOf('/compare', { target: 'slow', q, minMs: roundDownMs(span.durationMs), ...range });
  return span.isError ? { slow, errors: hrefOf('/compare', { target: 'errors', q, ...range }) } : { slow };
}

/** Three significant digits, rounded down so the span itself is in the selection. */
function roundDownMs(ms: number): number {
  if (ms <= 0) return 0;
  const mag = 10 ** (Math.floor(Math.log10(ms)) - 2);
  return Number((Math.floor(ms / mag) * mag).toPrecision(3));
}
