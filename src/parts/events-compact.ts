// A span's events in trace parts: `events_compact`, the `events` column's
// OTLP JSON with each event's envelope as an array and its time relative to
// the span's start (docs/format/events-compact.md):
//
//   events          [{"timeUnixNano":"1795292124954051704","name":"message","attributes":[…],"droppedAttributesCount":0},…]
//   events_compact  [[5510,"message",[…]],…]
//
// (a 4th element only when droppedAttributesCount ≠ 0; an offset beyond
// ±2^53 as a string of digits, so JavaScript reads it exactly).
//
// The attributes stay OTLP JSON, byte for byte. Why: the events JSON is
// ~45 % of a trace part's bytes before compression; an event's absolute time
// as 19 decimal digits and its repeated keys cost zstd a match per field,
// and the offset from the span's start is 5–7 digits (docs/storage.md).
// The flush's regrouping worker rewrites the column (sorted-run.ts); staging
// files, and parts DuckDB sorted, keep `events`; readers take either.

/** The column of events in compact form. */
export const EVENTS_COMPACT_COLUMN = 'events_compact';
/** The column of events as OTLP JSON (staging files, older parts). */
export const EVENTS_JSON_COLUMN = 'events';
/** The span's start, which offsets count from. */
export const EVENTS_START_COLUMN = 'start_time_unix_nano';

/** One event of OTLP JSON as the API returns it. */
export interface OtlpJsonEvent {
  timeUnixNano: string;
  name: string;
  attributes: unknown[];
  droppedAttributesCount: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const ZERO = 0x30;
const NINE = 0x39;
const MINUS = 0x2d;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const E15 = 1e15;
const E15_BIG = 10n ** 15n;
const TWO_TO_32 = 2 ** 32;

const encoder = new TextEncoder();
const TIME_KEY = encoder.encode('{"timeUnixNano":"');
const NAME_KEY = encoder.encode('","name":');
const ATTRIBUTES_KEY = encoder.encode(',"attributes":');
/** what follows an event's attributes: the `]` closing them, then the dropped count's key */
const ATTRIBUTES_END = encoder.encode('],"droppedAttributesCount":');

/**
 * Rewrites the canonical events JSON of one span (`json[from, to)`, as
 * src/parts/otlp-json-bytes.ts writes it) into `out` at `at`; returns the end.
 * `out` needs room for to − from bytes (the compact form is shorter: an
 * offset has at most a sign and two quotes more than the time, and the
 * keys it drops are longer).
 * Throws on anything else: the flush then keeps the rows as they are.
 */
export function compactEventsJson(json: Uint8Array, from: number, to: number, startNs: bigint, out: Uint8Array, at: number): number {
  // the start as startHigh × 10^15 + startLow, 0 ≤ startLow < 10^15
  let startHigh = Number(startNs / E15_BIG);
  let startLow = Number(startNs - BigInt(startHigh) * E15_BIG);
  if (startLow < 0) {
    startHigh--;
    startLow += E15;
  }
  return compactSpanEvents(json, from, to, startHigh, startLow, out, at);
}

/**
 * compactEventsJson() with the span's start as high × 10^15 + low (0 ≤ low <
 * 10^15): numbers, so a row costs no BigInt. No closure and no string per
 * event: this is ~5 % of the flush worker's CPU (docs/storage.md, session 13).
 */
function compactSpanEvents(json: Uint8Array, from: number, to: number, startHigh: number, startLow: number, out: Uint8Array, at: number): number {
  let p = from;
  if (json[p++] !== OPEN_ARRAY) notCanonical(json, from, to, p, 'no array');
  out[at++] = OPEN_ARRAY;
  if (json[p] === CLOSE_ARRAY) {
    out[at++] = CLOSE_ARRAY;
    return p + 1 === to ? at : notCanonical(json, from, to, p, 'trailing bytes');
  }
  for (;;) {
    if (!startsWithAt(json, p, to, TIME_KEY)) notCanonical(json, from, to, p, 'not canonical events JSON');
    p += TIME_KEY.length;
    const digitsFrom = p;
    while (p < to && json[p]! >= ZERO && json[p]! <= NINE) p++;
    if (p === digitsFrom || p - digitsFrom > 20) notCanonical(json, from, to, p, 'no time');
    // ≤ 20 digits: two exact halves, each below 2^53 (no BigInt, no string on the common path)
    const split = Math.max(digitsFrom, p - 15);
    let high = 0;
    for (let k = digitsFrom; k < split; k++) high = high * 10 + (json[k]! - ZERO);
    let low = 0;
    for (let k = split; k < p; k++) low = low * 10 + (json[k]! - ZERO);
    out[at++] = OPEN_ARRAY;
    // |high − startHigh| ≤ 9: its product with 1e15 is exact, and so is a sum that is a safe integer
    const near = Math.abs(high - startHigh) <= 9 ? (high - startHigh) * E15 + (low - startLow) : NaN;
    if (Number.isSafeInteger(near)) at = writeSafeInteger(out, at, near);
    else at = writeFarOffset(out, at, BigInt(high) * E15_BIG + BigInt(low) - (BigInt(startHigh) * E15_BIG + BigInt(startLow)));
    if (!startsWithAt(json, p, to, NAME_KEY)) notCanonical(json, from, to, p, 'not canonical events JSON');
    p += NAME_KEY.length;
    out[at++] = COMMA;
    // the name: a JSON string, copied as it is
    if (json[p] !== QUOTE) notCanonical(json, from, to, p, 'no name');
    const nameFrom = p;
    p = stringEnd(json, p, to);
    if (p < 0) notCanonical(json, from, to, nameFrom, 'name not closed');
    at = copyBytes(json, nameFrom, p, out, at);
    if (!startsWithAt(json, p, to, ATTRIBUTES_KEY)) notCanonical(json, from, to, p, 'not canonical events JSON');
    p += ATTRIBUTES_KEY.length;
    out[at++] = COMMA;
    // the attributes: a JSON array, copied as it is
    if (json[p] !== OPEN_ARRAY) notCanonical(json, from, to, p, 'no attributes');
    const attributesFrom = p;
    p = attributesEnd(json, p, to);
    if (p < 0) notCanonical(json, from, to, attributesFrom, 'attributes not closed');
    at = copyBytes(json, attributesFrom, p, out, at);
    p += ATTRIBUTES_END.length - 1;
    const droppedFrom = p;
    while (p < to && json[p]! >= ZERO && json[p]! <= NINE) p++;
    if (p === droppedFrom) notCanonical(json, from, to, p, 'no dropped count');
    if (p - droppedFrom !== 1 || json[droppedFrom] !== ZERO) {
      out[at++] = COMMA;
      at = copyBytes(json, droppedFrom, p, out, at);
    }
    if (json[p++] !== CLOSE_OBJECT) notCanonical(json, from, to, p, 'event not closed');
    out[at++] = CLOSE_ARRAY;
    const next = json[p++];
    if (next === CLOSE_ARRAY) break;
    if (next !== COMMA) notCanonical(json, from, to, p, 'no comma between events');
    out[at++] = COMMA;
  }
  if (p !== to) notCanonical(json, from, to, p, 'trailing bytes');
  out[at++] = CLOSE_ARRAY;
  return at;
}

/**
 * The end (after its `]`) of the attributes array that opens at json[p],
 * or -1. Canonical JSON has `],"droppedAttributesCount":` nowhere else: in
 * a string a quote is escaped, and after a string's closing quote comes
 * `,`, `:`, `}` or `]`, not a letter; no OTLP JSON key inside the
 * attributes is that one. So the first of them ends the array, and the
 * bytes between need no parsing (stack traces: most of the events' bytes).
 */
function attributesEnd(json: Uint8Array, p: number, to: number): number {
  // Buffer's indexOf: a native search, ~10 × a JavaScript loop over the bytes
  const at = indexOfBytes.call(json, ATTRIBUTES_END, p + 1);
  return at < 0 || at + ATTRIBUTES_END.length > to ? -1 : at + 1;
}

const indexOfBytes = Buffer.prototype.indexOf as (this: Uint8Array, value: Uint8Array, byteOffset: number) => number;

/** Copies shorter than this are a loop: set() would cost a view of the bytes. */
const SHORTEST_SET = 48;

/** json[from, to) to out at `at`; returns the end. */
function copyBytes(json: Uint8Array, from: number, to: number, out: Uint8Array, at: number): number {
  if (to - from >= SHORTEST_SET) {
    out.set(json.subarray(from, to), at);
    return at + to - from;
  }
  for (let k = from; k < to; k++) out[at++] = json[k]!;
  return at;
}

/** The decimal digits of a safe integer, without a string. */
function writeSafeInteger(out: Uint8Array, at: number, n: number): number {
  if (n < 0) {
    out[at++] = MINUS;
    n = -n;
  }
  let digits = 1;
  for (let p = 10; p <= n; p *= 10) digits++;
  for (let k = at + digits - 1; k >= at; k--) {
    const q = Math.floor(n / 10);
    out[k] = ZERO + (n - q * 10);
    n = q;
  }
  return at + digits;
}

/** An offset beyond ±(2^53 − 1) (an unset time, 0): a JSON number would lose digits in JavaScript, a string then. */
function writeFarOffset(out: Uint8Array, at: number, offset: bigint): number {
  const quoted = offset > MAX_SAFE || offset < -MAX_SAFE;
  if (quoted) out[at++] = QUOTE;
  at = writeAscii(out, at, String(offset));
  if (quoted) out[at++] = QUOTE;
  return at;
}

function notCanonical(json: Uint8Array, from: number, to: number, p: number, what: string): never {
  throw new Error(`events_compact: ${what} at byte ${p - from} of ${new TextDecoder().decode(json.subarray(from, Math.min(to, from + 200)))}`);
}

/** json[p…] starts with `bytes`, before `to`. */
function startsWithAt(json: Uint8Array, p: number, to: number, bytes: Uint8Array): boolean {
  if (p + bytes.length > to) return false;
  for (let k = 0; k < bytes.length; k++) if (json[p + k] !== bytes[k]) return false;
  return true;
}

/** The index after the JSON string that opens at json[p] (a quote), or -1 when it does not close before `to`. */
function stringEnd(json: Uint8Array, p: number, to: number): number {
  let q = p + 1;
  for (;;) {
    if (q >= to) return -1;
    const c = json[q]!;
    if (c === QUOTE) return q + 1;
    q += c === BACKSLASH ? 2 : 1;
  }
}

function writeAscii(out: Uint8Array, at: number, s: string): number {
  for (let k = 0; k < s.length; k++) out[at++] = s.charCodeAt(k);
  return at;
}

/** The OTLP JSON events of a span from its `events_compact` text. */
export function expandEvents(compact: string, startNs: bigint): OtlpJsonEvent[] {
  const events = JSON.parse(compact) as [number | string, string, unknown[], number?][];
  return events.map((e) => ({
    timeUnixNano: String(startNs + BigInt(e[0])),
    name: e[1],
    attributes: e[2],
    droppedAttributesCount: e[3] ?? 0,
  }));
}

/**
 * DuckDB: `events_compact` of the row (its `start_time_unix_nano` at hand)
 * as a LIST of STRUCT(timeUnixNano VARCHAR, name VARCHAR, attributes JSON,
 * droppedAttributesCount BIGINT) — what json_transform makes of `events`.
 */
export function expandEventsSql(column: string, startColumn: string): string {
  return (
    `list_transform(CAST(${column} AS JSON[]), e -> {` +
    `'timeUnixNano': CAST(CAST(${startColumn} AS HUGEINT) + CAST(json_extract_string(e, '$[0]') AS HUGEINT) AS VARCHAR), ` +
    `'name': json_extract_string(e, '$[1]'), ` +
    `'attributes': json_extract(e, '$[2]'), ` +
    `'droppedAttributesCount': coalesce(CAST(json_extract_string(e, '$[3]') AS BIGINT), 0)})`
  );
}

/** Strings as the flush's worker holds them: entries of `u32 length, UTF-8 bytes`, one index per row. */
/** Starts as 32-bit halves (little-endian) for compactEventsEntry: a row's start read as a BigInt would be one more object. */
export function startWordsOf(startNs: BigInt64Array): Int32Array {
  return new Int32Array(startNs.buffer, startNs.byteOffset, startNs.length * 2);
}

/**
 * The entry `entries[from, end)` (`u32 length, events JSON`) of a row
 * starting at startWords' value `row`, in compact form, to `out` at `at`
 * (as an entry too; room for end − from bytes); returns its end.
 */
export function compactEventsEntry(entries: Uint8Array, from: number, end: number, startWords: Int32Array, row: number, out: Uint8Array, at: number): number {
  // start = high × 2^32 + low, as startHigh × 10^15 + startLow (0 ≤ startLow < 10^15): exact in doubles
  const high = startWords[2 * row + 1]! * TWO_TO_32;
  let startHigh = Math.floor(high / E15);
  let startLow = high - startHigh * E15 + (startWords[2 * row]! >>> 0);
  while (startLow >= E15) {
    startLow -= E15;
    startHigh++;
  }
  while (startLow < 0) {
    startLow += E15;
    startHigh--;
  }
  // after the entry's u32 length: its JSON
  const jsonEnd = compactSpanEvents(entries, from + 4, end, startHigh, startLow, out, at + 4);
  writeUint32(out, at, jsonEnd - at - 4);
  return jsonEnd;
}

function writeUint32(out: Uint8Array, at: number, n: number): void {
  out[at] = n & 0xff;
  out[at + 1] = (n >>> 8) & 0xff;
  out[at + 2] = (n >>> 16) & 0xff;
  out[at + 3] = n >>> 24;
}
