// A text field of a log body that is the record's own time, written the
// canonical way (RFC 3339 in UTC: `2026-11-19T00:00:00.123456Z`, 0-9 fraction
// digits), is stored as the number of its fraction digits in the column
// `body.<path>::time`, not as text: the time is in `time_unix_nano` already,
// and the text is rebuilt from the two when the record is read (lossless:
// only a text that the rebuild reproduces exactly is stored this way). The
// time field of JSON lines (`?time_field=ts`) usually is one; a field in any
// other form stays text.

import { civilSecondsAt, digitsAt } from '../model/civil-time.js';

/** Column suffix of a body field stored as its record's time (the key's own ':' are escaped, so no key ends so). */
export const TIME_TEXT_SUFFIX = '::time';

/** The canonical text of `timeNs` with `digits` fraction digits; undefined outside years 0000-9999 or before 1970. */
export function timeText(timeNs: bigint, digits: number): string | undefined {
  if (timeNs < 0n || digits < 0 || digits > 9) return undefined;
  const iso = new Date(Number(timeNs / 1_000_000n)).toISOString();
  if (iso.length !== 24) return undefined;
  const fraction = digits === 0 ? '' : `.${String(timeNs % 1_000_000_000n).padStart(9, '0').slice(0, digits)}`;
  return `${iso.slice(0, 19)}${fraction}Z`;
}

const NS_PER_SECOND = 1_000_000_000n;

/**
 * Whether `text` has the canonical time text's shape: the cheap test callers
 * make before reading the record's time (a bigint) for timeTextDigits, as
 * most text fields are not times.
 */
export function mayBeTimeText(text: string): boolean {
  const n = text.length;
  if (n < 20 || n > 30 || text.charCodeAt(10) !== 0x54 /* T */ || text.charCodeAt(n - 1) !== 0x5a /* Z */ || text.charCodeAt(4) !== 0x2d /* - */) return false;
  return n === 20 || (n >= 22 && text.charCodeAt(19) === 0x2e) /* . */;
}

/**
 * How many fraction digits `text` has if it is `timeNs` in the canonical
 * form; -1 if it is not.
 */
export function timeTextDigits(text: string, timeNs: bigint): number {
  if (!mayBeTimeText(text) || timeNs < 0n) return -1;
  const wholeSeconds = timeNs / NS_PER_SECOND;
  return timeTextDigitsAt(text, Number(wholeSeconds), Number(timeNs - wholeSeconds * NS_PER_SECOND));
}

/**
 * timeTextDigits of the time `seconds` + `nanos` (nanos in [0, 10^9)), as
 * numbers. Runs for every text field of every JSON-lines record, so the text
 * is read by character codes and compared with the time as numbers; the
 * canonical text is never built.
 */
export function timeTextDigitsAt(text: string, seconds: number, nanos: number): number {
  if (seconds < 0 || !mayBeTimeText(text)) return -1;
  const n = text.length;
  const digits = n === 20 ? 0 : n - 21;
  const textSeconds = civilSecondsAt(text);
  const fraction = digits === 0 ? 0 : digitsAt(text, 20, digits);
  if (textSeconds === undefined || fraction < 0) return -1;
  // timeText writes the whole seconds, then the first `digits` digits of the nanoseconds
  if (textSeconds !== seconds) return -1;
  return Math.floor(nanos / 10 ** (9 - digits)) === fraction ? digits : -1;
}
