// Time ranges as the URL holds them: `from`/`to` are either relative to now
// (`now`, `now-15m`, `now-7d`) or absolute unix milliseconds. Pure.

export interface TimeRangeParams {
  from: string;
  to: string;
}

export interface ResolvedRange {
  startMs: number;
  endMs: number;
}

export const DEFAULT_RANGE: TimeRangeParams = { from: 'now-1h', to: 'now' };

export const RANGE_PRESETS: readonly { label: string; from: string }[] = [
  { label: 'Last 5 minutes', from: 'now-5m' },
  { label: 'Last 15 minutes', from: 'now-15m' },
  { label: 'Last 1 hour', from: 'now-1h' },
  { label: 'Last 6 hours', from: 'now-6h' },
  { label: 'Last 24 hours', from: 'now-24h' },
  { label: 'Last 7 days', from: 'now-7d' },
];

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds since the epoch of one bound, or undefined when it is not understood. */
export function resolveBound(value: string, nowMs: number): number | undefined {
  const v = value.trim();
  if (v === 'now') return nowMs;
  const rel = /^now-(\d+)([smhdw])$/.exec(v);
  if (rel) return nowMs - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  if (/^\d{10,16}$/.test(v)) return Number(v);
  return undefined;
}

/** The range of `params` at `nowMs`; bad or reversed bounds fall back to the default range. */
export function resolveRange(params: Partial<TimeRangeParams>, nowMs: number): ResolvedRange {
  const start = resolveBound(params.from ?? DEFAULT_RANGE.from, nowMs);
  const end = resolveBound(params.to ?? DEFAULT_RANGE.to, nowMs);
  if (start === undefined || end === undefined || start >= end) {
    return { startMs: resolveBound(DEFAULT_RANGE.from, nowMs)!, endMs: nowMs };
  }
  return { startMs: start, endMs: end };
}

/** A label for the picker's button: the preset's name, or the two absolute times. */
export function describeRange(params: TimeRangeParams, formatTime: (ms: number) => string): string {
  if (params.to === 'now') {
    const preset = RANGE_PRESETS.find((p) => p.from === params.from);
    if (preset) return preset.label;
    const rel = /^now-(\d+)([smhdw])$/.exec(params.from);
    if (rel) return `Last ${rel[1]}${rel[2]}`;
  }
  const now = Date.now();
  const r = resolveRange(params, now);
  return `${formatTime(r.startMs)} → ${formatTime(r.endMs)}`;
}

/** A step (seconds, whole minutes) giving about `points` points over the range. */
export function stepSecondsFor(range: ResolvedRange, points = 120): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 360, 720, 1440];
  const minutes = (range.endMs - range.startMs) / 60_000 / points;
  const pick = steps.find((s) => s >= minutes) ?? 1440;
  return pick * 60;
}
