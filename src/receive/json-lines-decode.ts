// JSON lines (NDJSON) of arbitrary records → LogBatch, with no schema to
// register (seed 003/004): each line is one JSON object; its fields flatten
// into typed dotted fields (log-body-fields.ts), so a field that is a string
// in one record and an object or a number in another is kept in each form.
// A line that is not a JSON object gets an error naming its line number and
// the other lines are stored. Empty lines are skipped.
//
// One JSON.parse per line, then the flattening straight into the batch's
// field columns (field-columns.ts), the words of the text hashed on the way
// (the seal has nothing left to visit); integer literals beyond 2^53 are kept
// exact (int64, or their digits as text beyond it), never rounded to a
// double. The time and the integers go into their int64 arrays as numbers,
// without a bigint each (int64-halves.ts). A hand-written scanner straight into fields, without the parsed
// objects, was tried and removed: no cheaper than JSON.parse, and its strings
// cost more downstream (docs/logs.md, "Ingest cost").

import { isAscii, isUtf8 } from 'node:buffer';
import { LogBatchBuilder } from '../model/log-batch-builder.js';
import { LEVEL_SEVERITY_NUMBERS, type LogBatch } from '../model/log-batch.js';
import { JsonRecordFields, RoundedIntegerError, plainJson } from './log-body-fields.js';
import { RecordTokensBuilder } from '../parts/log-tokens.js';
import { int64Halves, setInt64OfSecondsNanos } from '../model/int64-halves.js';
import { markLongIntegers, reviveMarkedIntegers } from './json-exact-integers.js';
import { civilSecondsAt, digitsAt } from '../model/civil-time.js';

export interface JsonLinesOptions {
  /** the stream the records belong to; also their service name */
  stream: string;
  /** top-level field holding each record's time; '' = the arrival time */
  timeField: string;
  /** top-level field holding each record's severity ('info', 'WARN', 30, …); '' = none */
  severityField: string;
  /**
   * body field (dotted path) whose value names each record's unit of work,
   * written together in parts (src/parts/log-correlation.ts); '' or absent:
   * measured per stream
   */
  correlationField?: string;
  /** arrival time, unix nanos: the observed time of every record */
  receivedNs: bigint;
}

export interface LineError {
  /** 1-based line number in the body */
  line: number;
  reason: string;
}

export interface DecodedJsonLines {
  batch: LogBatch;
  errors: LineError[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeJsonLines(body: Uint8Array, options: JsonLinesOptions): DecodedJsonLines {
  const b = new LogBatchBuilder();
  const resource = b.addResource('', 0);
  b.resourceAttributes.addString(resource, 'service.name', options.stream);
  b.setResourceServiceName(resource, options.stream);
  const scope = b.addScope('', '', '', 0);
  const errors: LineError[] = [];
  // room for every line up front, sized by the lines of the last body
  b.reserve(Math.ceil(body.length / bytesPerLine));
  const tokens = new RecordTokensBuilder();
  const decoder: LineDecoder = {
    b,
    options,
    resource,
    scope,
    fields: new JsonRecordFields(b.bodyFields, tokens),
    tokens,
    receivedSeconds: Number(options.receivedNs / 1_000_000_000n),
    receivedNanos: Number(options.receivedNs % 1_000_000_000n),
    timeArray: b.timeUnixNano,
    timeHalves: int64Halves(b.timeUnixNano),
  };
  const add = (line: string, lineNumber: number): void => {
    const reason = addLine(decoder, line);
    if (reason !== undefined) errors.push({ line: lineNumber, reason });
  };
  const text = bodyText(body);
  if (text !== undefined) forEachLine(text, add);
  else forEachUtf8Line(body, add, (lineNumber) => errors.push({ line: lineNumber, reason: 'not valid UTF-8' }));
  if (b.length > 0) bytesPerLine = Math.max(MIN_LINE_BYTES, body.length / b.length);
  const batch = b.finish();
  batch.tokens = tokens.finish(batch.length);
  if (options.correlationField) batch.correlationField = options.correlationField;
  return { batch, errors };
}

/** What decoding a body's lines appends to. */
interface LineDecoder {
  b: LogBatchBuilder;
  options: JsonLinesOptions;
  resource: number;
  scope: number;
  fields: JsonRecordFields;
  /** the word hashes of the records' text, made as the fields are added */
  tokens: RecordTokensBuilder;
  /** the arrival time (options.receivedNs) in whole seconds and nanoseconds */
  receivedSeconds: number;
  receivedNanos: number;
  /** b.timeUnixNano and its 32-bit view (int64Halves), remade when the builder grows it */
  timeArray: BigInt64Array;
  timeHalves: Int32Array<ArrayBufferLike>;
}

/** Bytes per line of the last body decoded: to size the next one's arrays. */
let bytesPerLine = 256;
const MIN_LINE_BYTES = 16;

type LineVisitor = (line: string, lineNumber: number) => void;

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * The whole body as text, or undefined when it is not valid UTF-8. One
 * decode for the body is far cheaper than one per line, and ASCII (most
 * logs) is copied as Latin-1, cheaper still. A leading byte order mark is
 * dropped.
 */
function bodyText(body: Uint8Array): string | undefined {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const start = bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2] ? 3 : 0;
  if (isAscii(bytes)) return bytes.toString('latin1', start);
  return isUtf8(bytes) ? bytes.toString('utf8', start) : undefined;
}

function forEachLine(text: string, visit: LineVisitor): void {
  let lineNumber = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    visit(text.slice(start, end), ++lineNumber);
    start = end + 1;
  }
}

/** A body that is not valid UTF-8 as a whole: line by line, so only the bad lines are refused. */
function forEachUtf8Line(body: Uint8Array, visit: LineVisitor, invalid: (lineNumber: number) => void): void {
  let lineNumber = 0;
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf(0x0a, start);
    if (end < 0) end = body.length;
    lineNumber++;
    let line: string | undefined;
    try {
      line = utf8.decode(body.subarray(start, end));
    } catch {
      invalid(lineNumber);
    }
    if (line !== undefined) visit(line, lineNumber);
    start = end + 1;
  }
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0b && c !== 0x0c && c !== 0xfeff) return false;
  }
  return true;
}

/** Adds one line as a record; returns why it cannot be, or undefined. */
function addLine(d: LineDecoder, line: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    if (isBlank(line)) return undefined;
    return `not valid JSON: ${(e as Error).message.replace(/\s+/g, ' ')}`;
  }
  const mark = d.b.mark();
  try {
    return addRecord(d, value, true);
  } catch (e) {
    if (!(e instanceof RoundedIntegerError)) throw e;
  }
  // Rare: an integer literal beyond 2^53, which JSON.parse rounded. Read the
  // line again with such literals kept exact (bigints).
  d.b.rollback(mark);
  d.tokens.rollback(mark.records);
  return addRecord(d, JSON.parse(markLongIntegers(line), reviveMarkedIntegers), false);
}

function addRecord(d: LineDecoder, value: unknown, refuseRounded: boolean): string | undefined {
  const { b, options } = d;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`;
  }
  const record = value as { readonly [key: string]: unknown };
  // The record's time: from RFC 3339 text as numbers (no bigint: most records), else a bigint.
  let seconds = d.receivedSeconds;
  let nanos = d.receivedNanos;
  let bigTime: bigint | undefined;
  // the time field's text when it is the row time's canonical text, and its fraction digits: its body field needs no second reading
  let timeText: string | undefined;
  let timeTextDigits = -1;
  if (options.timeField !== '') {
    const field = record[options.timeField];
    if (typeof field === 'string' && readRfc3339(field)) {
      seconds = parsedTime.seconds;
      nanos = parsedTime.nanos;
      if (parsedTime.canonicalDigits >= 0 && seconds >= 0) {
        timeText = field;
        timeTextDigits = parsedTime.canonicalDigits;
      }
    } else if (field !== undefined) {
      bigTime = timeOf(field);
      if (bigTime === undefined) return `field "${options.timeField}" is not a time: ${plainJson(field).slice(0, 64)}`;
    }
  }
  const i = b.addRecord(d.resource, d.scope, options.stream);
  if (bigTime !== undefined) {
    b.timeUnixNano[i] = bigTime;
    // the row time as numbers, for body fields that are it as text (none before 1970)
    if (bigTime !== 0n) {
      seconds = bigTime < 0n ? -1 : Number(bigTime / 1_000_000_000n);
      nanos = bigTime < 0n ? 0 : Number(bigTime % 1_000_000_000n);
    }
  } else {
    if (d.timeArray !== b.timeUnixNano) {
      d.timeArray = b.timeUnixNano;
      d.timeHalves = int64Halves(b.timeUnixNano);
    }
    setInt64OfSecondsNanos(b.timeUnixNano, d.timeHalves, i, seconds, nanos);
    // a time of 0: the row time is the observed time
    if (seconds === 0 && nanos === 0) {
      seconds = d.receivedSeconds;
      nanos = d.receivedNanos;
    }
  }
  b.observedTimeUnixNano[i] = options.receivedNs;
  if (options.severityField !== '') {
    const s = record[options.severityField];
    if (typeof s === 'string') {
      b.severityText[i] = s;
      b.severityNumber[i] = severityNumberOf(s);
    } else if (typeof s === 'number' && Number.isInteger(s) && s >= 1 && s <= 24) {
      b.severityNumber[i] = s;
    }
  }
  d.fields.add(record, i, seconds, nanos, refuseRounded, timeText, timeTextDigits);
  d.tokens.endRecord(i);
  return undefined;
}

// Unix time numbers by magnitude: seconds below 1e11 (year 5138), then ms, µs, ns.
function timeOf(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') {
    if (v < 0n || v >= 2n ** 63n) return undefined;
    // exactly: µs from 1e14 to 1e17, else ns (below 2^53 as any number)
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? timeOf(Number(v)) : v < 10n ** 17n ? v * 1000n : v;
  }
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) {
    if (v < 1e11) return BigInt(Math.round(v * 1e6)) * 1000n;
    if (v < 1e14) return BigInt(Math.round(v * 1e3)) * 1000n;
    if (v < 1e17) return BigInt(Math.round(v)) * 1000n;
    return BigInt(Math.round(v));
  }
  if (typeof v !== 'string') return undefined;
  const nanos = rfc3339Nanos(v);
  if (nanos !== undefined || !/^\d+(\.\d+)?$/.test(v)) return nanos;
  return /^\d{17,}$/.test(v) ? timeOf(BigInt(v)) : timeOf(Number(v));
}

const DIGIT_0 = 0x30;

/**
 * RFC 3339 / ISO 8601 text with up to nanosecond fractions
 * (`2026-03-01T10:00:00.123456789Z`, `T` or a space, `Z`, `±hh:mm`, `±hhmm`
 * or no zone = UTC); undefined when not one.
 */
export function rfc3339Nanos(input: string): bigint | undefined {
  return readRfc3339(input) ? BigInt(parsedTime.seconds) * 1_000_000_000n + BigInt(parsedTime.nanos) : undefined;
}

/**
 * The time readRfc3339 last read: whole unix seconds and nanoseconds [0,
 * 10^9); `canonicalDigits`: its fraction digits when the text was the
 * canonical time text (log-time-text.ts: `T`, `Z`, no space around), else -1.
 */
const parsedTime = { seconds: 0, nanos: 0, canonicalDigits: -1 };

/**
 * Whether `input` is RFC 3339 text as rfc3339Nanos reads it; if so, its time
 * is in parsedTime. Read by character codes, into numbers: it runs once per
 * JSON-lines record.
 */
function readRfc3339(input: string): boolean {
  const text = input.length > 0 && input.charCodeAt(0) > 0x20 && input.charCodeAt(input.length - 1) > 0x20 ? input : input.trim();
  const n = text.length;
  if (n < 19) return false;
  const separator = text.charCodeAt(10);
  if (separator !== 0x54 && separator !== 0x74 && separator !== 0x20) return false;
  const civilSeconds = civilSecondsAt(text);
  if (civilSeconds === undefined) return false;
  let at = 19;
  let fraction = 0;
  if (at < n && text.charCodeAt(at) === 0x2e) {
    const first = ++at;
    while (at < n && at - first < 9) {
      const d = text.charCodeAt(at) - DIGIT_0;
      if (!(d >= 0 && d <= 9)) break;
      fraction = fraction * 10 + d;
      at++;
    }
    if (at === first) return false;
    for (let k = at - first; k < 9; k++) fraction *= 10;
  }
  const digits = at === 19 ? 0 : at - 20;
  let offsetMinutes = 0;
  let canonical = text === input && separator === 0x54 && at === n - 1;
  if (at < n) {
    const zone = text.charCodeAt(at);
    canonical &&= zone === 0x5a;
    if (zone === 0x5a || zone === 0x7a) at++;
    else if (zone === 0x2b || zone === 0x2d) {
      const colon = text.charCodeAt(at + 3) === 0x3a ? 1 : 0;
      if (n !== at + 5 + colon) return false;
      const hours = digitsAt(text, at + 1, 2);
      const minutes = digitsAt(text, at + 3 + colon, 2);
      if (hours < 0 || minutes < 0) return false;
      offsetMinutes = (zone === 0x2d ? -1 : 1) * (hours * 60 + minutes);
      at = n;
    }
  }
  if (at !== n) return false;
  parsedTime.seconds = civilSeconds - offsetMinutes * 60;
  parsedTime.nanos = fraction;
  parsedTime.canonicalDigits = canonical ? digits : -1;
  return true;
}

/** OTLP SeverityNumber of common level names (logs data model's mapping); 0 when unknown. */
export function severityNumberOf(text: string): number {
  return LEVEL_SEVERITY_NUMBERS.get(text.trim().toLowerCase()) ?? 0;
}
