// PromQL duration literals (`5m`, `1h30m`, `2w`, `1y`, `250ms`) ↔ milliseconds.
// Units must appear at most once each and from largest to smallest, as in
// Prometheus; a year is 365 days and a week 7 days. A duration must fit an
// int64 count of nanoseconds (≈ 292 years), like Go's time.Duration.

export type DurationParse = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly error: string };

const UNIT_MS: ReadonlyMap<string, bigint> = new Map([
  ['y', 365n * 24n * 3_600_000n],
  ['w', 7n * 24n * 3_600_000n],
  ['d', 24n * 3_600_000n],
  ['h', 3_600_000n],
  ['m', 60_000n],
  ['s', 1_000n],
  ['ms', 1n],
]);
const UNIT_ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

/** Largest duration Go's time.Duration can hold, in ms. */
export const MAX_DURATION_MS = Number((2n ** 63n - 1n) / 1_000_000n);

export function parseDuration(text: string): DurationParse {
  if (text === '') return { ok: false, error: 'empty duration string' };
  if (text === '0') return { ok: true, ms: 0 };
  let totalMs = 0n;
  let lastUnitIndex = -1;
  let i = 0;
  while (i < text.length) {
    const digitsStart = i;
    while (i < text.length && isDigit(text.charCodeAt(i))) i++;
    const unitStart = i;
    while (i < text.length && isLetter(text.charCodeAt(i))) i++;
    const digits = text.slice(digitsStart, unitStart);
    const unit = text.slice(unitStart, i);
    if (digits === '' || unit === '') return { ok: false, error: `not a valid duration string: ${JSON.stringify(text)}` };
    const unitMs = UNIT_MS.get(unit);
    if (unitMs === undefined) return { ok: false, error: `unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}` };
    const unitIndex = UNIT_ORDER.indexOf(unit);
    if (unitIndex <= lastUnitIndex) return { ok: false, error: `not a valid duration string: ${JSON.stringify(text)}` };
    lastUnitIndex = unitIndex;
    totalMs += BigInt(digits) * unitMs;
  }
  if (totalMs > BigInt(MAX_DURATION_MS)) return { ok: false, error: 'duration out of range' };
  return { ok: true, ms: Number(totalMs) };
}

const YEAR_MS = 365 * 24 * 3_600_000;
const WEEK_MS = 7 * 24 * 3_600_000;
const FORMAT_UNITS: ReadonlyArray<readonly [string, number, boolean]> = [
  // [unit, ms, only when it divides the whole duration]
  ['y', YEAR_MS, true],
  ['w', WEEK_MS, true],
  ['d', 24 * 3_600_000, false],
  ['h', 3_600_000, false],
  ['m', 60_000, false],
  ['s', 1_000, false],
  ['ms', 1, false],
];

/**
 * The canonical text of a non-negative duration, the way Prometheus prints it:
 * `1h30m`, `2w`, `8d` (years and weeks only when they divide exactly), `0s`.
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, unitMs, exactOnly] of FORMAT_UNITS) {
    if (exactOnly && rest % unitMs !== 0) continue;
    const count = Math.floor(rest / unitMs);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * unitMs;
    }
  }
  return out;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}
