// Tick marks for the waterfall's time axis: 1-2-5 steps, labelled in one unit
// with just enough decimals to tell neighbouring ticks apart.

import { asNanos, unitFor, type Nanos } from './units.js';

export interface Tick {
  readonly at: Nanos;
  readonly label: string;
}

/** Smallest 1, 2 or 5 × 10^k nanoseconds (k ≥ 0) that is at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 1)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * magnitude >= raw) return m * magnitude;
  return 10 * magnitude;
}

/** Ticks at multiples of a nice step inside [from, to], at most about `maxTicks` of them. */
export function timeTicks(from: Nanos, to: Nanos, maxTicks: number): Tick[] {
  if (!(to > from) || maxTicks < 1) return [];
  const step = niceStep((to - from) / maxTicks);
  const largest = Math.max(Math.abs(from), Math.abs(to));
  const unit = unitFor(largest);
  const decimals = Math.max(0, Math.ceil(-Math.log10(step / unit.ns) - 1e-9));
  const ticks: Tick[] = [];
  for (let k = Math.ceil(from / step); k * step <= to; k++) {
    const at = k * step;
    ticks.push({ at: asNanos(at), label: at === 0 ? '0' : `${(at / unit.ns).toFixed(decimals)}${unit.suffix}` });
  }
  return ticks;
}
