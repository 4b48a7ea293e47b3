// JSON lines (NDJSON) of arbitrary records → LogBatch, with no schema to
// register (seed 003/004): each line is one JSON object; its fields flatten
// into typed dotted fields (log-body-fields.ts), so a field that is a string
// in one record and an object or a number in another is kept in each form.
// A line that is not a JSON object gets an error naming its line number and
// the other lines are stored. Empty lines are skipped.

import { LogBatchBuilder } from '../model/log-batch-builder.js';
import type { LogBatch } from '../model/log-batch.js';
import { flattenJsonObject } from './log-body-fields.js';

export interface JsonLinesOptions {
  /** the stream the records belong to; also their service name */
  stream: string;
  /** top-level field holding each record's time; '' = the arrival time */
  timeField: string;
  /** top-level field holding each record's severity ('info', 'WARN', 30, …); '' = none */
  severityField: string;
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
  let lineNumber = 0;
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf(0x0a, start);
    if (end < 0) end = body.length;
    lineNumber++;
    const reason = addLine(b, body.subarray(start, end), options, resource, scope);
    if (reason !== undefined) errors.push({ line: lineNumber, reason });
    start = end + 1;
  }
  return { batch: b.finish(), errors };
}

/** Adds one line as a record; returns why it cannot be, or undefined. */
function addLine(b: LogBatchBuilder, bytes: Uint8Array, options: JsonLinesOptions, resource: number, scope: number): string | undefined {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return 'not valid UTF-8';
  }
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `not valid JSON: ${(e as Error).message.replace(/\s+/g, ' ')}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`;
  }
  const record = value as { readonly [key: string]: unknown };
  let time = options.receivedNs;
  if (options.timeField !== '' && record[options.timeField] !== undefined) {
    const t = timeOf(record[options.timeField]);
    if (t === undefined) return `field "${options.timeField}" is not a time: ${JSON.stringify(record[options.timeField]).slice(0, 64)}`;
    time = t;
  }
  const i = b.addRecord(resource, scope, options.stream);
  b.timeUnixNano[i] = time;
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
  flattenJsonObject(record, b.bodyFields, i);
  return undefined;
}

// Unix time numbers by magnitude: seconds below 1e11 (year 5138), then ms, µs, ns.
function timeOf(v: unknown): bigint | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) {
    if (v < 1e11) return BigInt(Math.round(v * 1e6)) * 1000n;
    if (v < 1e14) return BigInt(Math.round(v * 1e3)) * 1000n;
    if (v < 1e17) return BigInt(Math.round(v)) * 1000n;
    return BigInt(Math.round(v));
  }
  if (typeof v !== 'string') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return timeOf(Number(v));
  return rfc3339Nanos(v);
}

/** RFC 3339 / ISO 8601 text with up to nanosecond fractions; undefined when not one. */
export function rfc3339Nanos(text: string): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  if (!m) return undefined;
  const zone = m[3] === undefined ? 'Z' : m[3].toUpperCase();
  const ms = Date.parse(`${m[1]!.replace(' ', 'T')}${zone}`);
  if (Number.isNaN(ms)) return undefined;
  const fraction = BigInt((m[2] ?? '').padEnd(9, '0'));
  return BigInt(ms) * 1_000_000n + fraction;
}

/** OTLP SeverityNumber of common level names (logs data model's mapping); 0 when unknown. */
export function severityNumberOf(text: string): number {
  switch (text.trim().toLowerCase()) {
    case 'trace':
      return 1;
    case 'debug':
      return 5;
    case 'info':
    case 'information':
    case 'notice':
      return 9;
    case 'warn':
    case 'warning':
      return 13;
    case 'error':
    case 'err':
      return 17;
    case 'fatal':
    case 'critical':
    case 'crit':
    case 'alert':
    case 'emergency':
    case 'panic':
      return 21;
    default:
      return 0;
  }
}
