// Query parameters of the health and TraceQL-metrics endpoints → requests.
// Instants: unix seconds, milliseconds or nanoseconds (by magnitude, as
// Tempo), or RFC 3339. Durations: `90s`, `5m`, `1h`, `1d`, `250ms`, or plain
// seconds.

import { BadQueryError } from '../model/errors.js';
import { MAX_HEALTH_STEPS, type HealthRequest } from './health-types.js';

const NS_PER_MS = 1_000_000n;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An instant in unix nanoseconds; undefined when absent. */
export function parseInstantNs(name: string, value: string | undefined): bigint | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) {
    const n = Number(value);
    if (n < 1e11) return BigInt(Math.round(n * 1000)) * NS_PER_MS; // seconds
    if (n < 1e14) return BigInt(Math.round(n)) * NS_PER_MS; // milliseconds
    return BigInt(value.split('.')[0]!); // nanoseconds
  }
  const ms = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}T/.test(value) && Number.isFinite(ms)) return BigInt(ms) * NS_PER_MS;
  throw new BadQueryError(`${name}="${value}" must be unix seconds, milliseconds, nanoseconds or RFC 3339`);
}

/** A duration in milliseconds; undefined when absent. */
export function parseDurationMs(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  let total = 0;
  if (/^\d+(\.\d+)?$/.test(value)) total = Number(value) * 1000;
  else {
    const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
    let at = 0;
    while (at < value.length) {
      re.lastIndex = at;
      const m = re.exec(value);
      if (!m) throw new BadQueryError(`${name}="${value}" must be a duration such as 30s, 5m, 1h or 1d`);
      total += Number(m[1]) * UNIT_MS[m[2]!]!;
      at = re.lastIndex;
    }
  }
  if (!(total > 0) || !Number.isFinite(total)) throw new BadQueryError(`${name}="${value}" must be a positive duration`);
  return total;
}

/** Steps that read well on a chart, in minutes. */
const NICE_STEPS_MINUTES = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080];
const TARGET_POINTS = 240;

/** Smallest nice step giving at most TARGET_POINTS points. */
export function defaultStepMinutes(rangeMinutes: number): number {
  for (const s of NICE_STEPS_MINUTES) if (rangeMinutes / s <= TARGET_POINTS) return s;
  return Math.ceil(rangeMinutes / TARGET_POINTS / 1440) * 1440;
}

export interface HealthParams {
  start?: string | undefined;
  end?: string | undefined;
  step?: string | undefined;
  service?: string | undefined;
  groupBy?: string | undefined;
  exact?: string | undefined;
  top?: string | undefined;
}

/** Builds a HealthRequest; the range is widened to whole steps (aligned to the epoch). */
export function healthRequestOf(p: HealthParams, nowMs = Date.now()): HealthRequest {
  const endNs = parseInstantNs('end', p.end) ?? BigInt(nowMs) * NS_PER_MS;
  const startNs = parseInstantNs('start', p.start) ?? endNs - 3_600_000n * NS_PER_MS;
  if (endNs <= startNs) throw new BadQueryError('health: end must be after start');
  const startMinuteRaw = Number(startNs / 60_000_000_000n);
  const endMinuteRaw = Number((endNs + 59_999_999_999n) / 60_000_000_000n);
  const stepMs = parseDurationMs('step', p.step);
  let stepMinutes: number;
  if (stepMs === undefined) stepMinutes = defaultStepMinutes(endMinuteRaw - startMinuteRaw);
  else {
    if (stepMs % 60_000 !== 0) throw new BadQueryError(`health: step="${p.step}" must be a whole number of minutes (rollups are per minute)`);
    stepMinutes = stepMs / 60_000;
  }
  const startMinute = Math.floor(startMinuteRaw / stepMinutes) * stepMinutes;
  const endMinute = Math.ceil(endMinuteRaw / stepMinutes) * stepMinutes;
  if ((endMinute - startMinute) / stepMinutes > MAX_HEALTH_STEPS) {
    throw new BadQueryError(`health: ${(endMinute - startMinute) / stepMinutes} steps asked, at most ${MAX_HEALTH_STEPS}; use a larger step`);
  }
  let topN = 10;
  if (p.top !== undefined && p.top !== '') {
    topN = Number(p.top);
    if (!Number.isInteger(topN) || topN < 0 || topN > 1000) throw new BadQueryError(`health: top="${p.top}" must be an integer in 0..1000`);
  }
  if (p.exact !== undefined && !['', 'true', 'false', '1', '0'].includes(p.exact)) {
    throw new BadQueryError(`health: exact="${p.exact}" must be true or false`);
  }
  const req: HealthRequest = { startMinute, endMinute, stepMinutes, exact: p.exact === 'true' || p.exact === '1' || p.exact === '', topN };
  if (p.service !== undefined && p.service !== '') req.service = p.service;
  if (p.groupBy !== undefined && p.groupBy !== '') req.groupBy = p.groupBy;
  return req;
}
