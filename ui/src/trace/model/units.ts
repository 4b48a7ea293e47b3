// Time units of the trace view. Absolute instants stay BigInt nanoseconds as
// OTLP sends them (a double holds only ~µs precision at today's epoch); all
// drawing and arithmetic uses nanoseconds relative to the trace start, which
// fit a double exactly for 104 days.

/** An absolute instant, nanoseconds since the Unix epoch. */
export type UnixNano = bigint & { readonly __unit: 'unix-ns' };
/** A duration, or an offset from the trace start, in nanoseconds. */
export type Nanos = number & { readonly __unit: 'ns' };

export const asNanos = (n: number): Nanos => n as Nanos;

/** Parses OTLP JSON's decimal-string nanoseconds; undefined when not a decimal integer. */
export function parseUnixNano(value: unknown): UnixNano | undefined {
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value) as UnixNano;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value) as UnixNano;
  return undefined;
}

/** `later − earlier` in nanoseconds (exact for spans shorter than 104 days). */
export function nanosBetween(earlier: UnixNano, later: UnixNano): Nanos {
  return Number(later - earlier) as Nanos;
}

export function addNanos(at: UnixNano, offset: Nanos): UnixNano {
  return (at + BigInt(Math.round(offset))) as UnixNano;
}

/** Display units, largest first. */
export const TIME_UNITS: readonly { ns: number; suffix: string }[] = [
  { ns: 1e9, suffix: 's' },
  { ns: 1e6, suffix: 'ms' },
  { ns: 1e3, suffix: 'µs' },
  { ns: 1, suffix: 'ns' },
];

/** Three significant digits in the largest unit that keeps the number ≥ 1: 12.3ms, 850µs, 1m 05s. */
export function formatNanos(ns: Nanos): string {
  const sign = ns < 0 ? '-' : '';
  const abs = Math.abs(ns);
  if (abs === 0) return '0';
  if (abs >= 60e9) {
    const totalSeconds = Math.round(abs / 1e9);
    const hours = Math.floor(totalSeconds / 3600);
    const minutes = Math.floor((totalSeconds % 3600) / 60);
    const seconds = totalSeconds % 60;
    const ss = String(seconds).padStart(2, '0');
    return hours > 0 ? `${sign}${hours}h ${String(minutes).padStart(2, '0')}m ${ss}s` : `${sign}${minutes}m ${ss}s`;
  }
  const unit = unitFor(abs);
  const value = abs / unit.ns;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${sign}${trimZeros(value.toFixed(digits))}${unit.suffix}`;
}

/** The largest unit not above `ns` (nanoseconds for anything under 1). */
export function unitFor(ns: number): { ns: number; suffix: string } {
  return TIME_UNITS.find((u) => ns >= u.ns) ?? TIME_UNITS[TIME_UNITS.length - 1]!;
}

function trimZeros(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** ISO-8601 UTC with nanoseconds: 2026-11-21T09:18:25.693838904Z. */
export function formatUnixNano(at: UnixNano): string {
  const ms = Number(at / 1_000_000n);
  const subMs = Number(at % 1_000_000n);
  const iso = new Date(ms).toISOString(); // …T09:18:25.693Z
  return `${iso.slice(0, -1)}${String(subMs).padStart(6, '0')}Z`;
}
