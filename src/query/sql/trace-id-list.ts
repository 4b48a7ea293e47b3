// Lists of trace ids as uploaded: hex text (one id per line, or separated by
// spaces, commas, quotes or brackets, so a JSON array of strings also works)
// or raw 16-byte ids back to back; either may be gzip-compressed. Parsed
// with a byte cursor into one Uint8Array of 16 bytes per id.

import { gunzipSync } from 'node:zlib';
import { DecodeError, TooLargeError } from '../../model/errors.js';

export type TraceIdListFormat = 'hex' | 'binary';

/** nibble value of an ASCII byte, -1 for a separator, -2 for anything else */
const NIBBLE = new Int8Array(256).fill(-2);
for (let c = 0; c < 10; c++) NIBBLE[0x30 + c] = c;
for (let c = 0; c < 6; c++) {
  NIBBLE[0x41 + c] = 10 + c;
  NIBBLE[0x61 + c] = 10 + c;
}
for (const sep of ' \t\r\n,;"\'[]') NIBBLE[sep.charCodeAt(0)] = -1;

/**
 * Parses hex ids: 32 digits, or 16 digits for a 64-bit id (left-padded with
 * zeros, as Tempo and Jaeger do). The all-zero id, invalid in OTLP, is dropped.
 */
export function parseHexTraceIds(text: Uint8Array, maxIds: number): Uint8Array {
  // Upper bound of ids: every id takes at least 17 bytes with its separator.
  const capacity = Math.min(maxIds, Math.floor(text.length / 16) + 1);
  let out: Uint8Array = new Uint8Array(capacity * 16);
  let count = 0;
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    const v = NIBBLE[c]!;
    if (v === -1) {
      if (c === 0x0a) line++;
      i++;
      continue;
    }
    if (v === -2) throw new DecodeError(`trace-id-sets: line ${line}: unexpected character "${String.fromCharCode(c)}" (expected hex trace ids)`);
    const start = i;
    while (i < n && NIBBLE[text[i]!]! >= 0) i++;
    const digits = i - start;
    if (i < n && NIBBLE[text[i]!] === -2) throw new DecodeError(`trace-id-sets: line ${line}: unexpected character "${String.fromCharCode(text[i]!)}" in a trace id`);
    if (digits !== 32 && digits !== 16) throw new DecodeError(`trace-id-sets: line ${line}: a trace id has 32 hex digits (or 16), got ${digits}`);
    if (count === maxIds) throw new TooLargeError(`trace-id-sets: more than ${maxIds} trace ids`);
    if (count * 16 === out.length) out = grow(out);
    const at = count * 16 + (32 - digits) / 2;
    let nonZero = 0;
    for (let d = 0; d < digits; d += 2) {
      const b = (NIBBLE[text[start + d]!]! << 4) | NIBBLE[text[start + d + 1]!]!;
      out[at + d / 2] = b;
      nonZero |= b;
    }
    if (nonZero !== 0) count++; // an all-zero id leaves its slot zero for the next one
  }
  return out.subarray(0, count * 16);
}

function grow(a: Uint8Array): Uint8Array {
  const b = new Uint8Array(Math.max(a.length * 2, 16 * 1024));
  b.set(a);
  return b;
}

/** Raw ids, 16 bytes each; all-zero ids dropped. */
export function parseBinaryTraceIds(body: Uint8Array, maxIds: number): Uint8Array {
  if (body.length % 16 !== 0) throw new DecodeError(`trace-id-sets: a binary body holds 16-byte ids, but its length ${body.length} is not a multiple of 16`);
  if (body.length / 16 > maxIds) throw new TooLargeError(`trace-id-sets: more than ${maxIds} trace ids`);
  const out = new Uint8Array(body.length);
  let count = 0;
  for (let at = 0; at < body.length; at += 16) {
    let nonZero = 0;
    for (let k = 0; k < 16; k++) nonZero |= body[at + k]!;
    if (nonZero === 0) continue;
    out.set(body.subarray(at, at + 16), count * 16);
    count++;
  }
  return out.subarray(0, count * 16);
}

export interface TraceIdListLimits {
  maxIds: number;
  /** largest body after decompression */
  maxBytes: number;
}

/** Format from the media type: application/octet-stream is binary, anything else hex text. */
export function traceIdListFormat(contentType: string | undefined): TraceIdListFormat {
  return /^application\/octet-stream\b/i.test(contentType ?? '') ? 'binary' : 'hex';
}

/** Unzips (by Content-Encoding or the gzip magic bytes) and parses a body. */
export function decodeTraceIdList(body: Uint8Array, format: TraceIdListFormat, contentEncoding: string | undefined, limits: TraceIdListLimits): Uint8Array {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity' && encoding !== 'gzip') {
    throw new DecodeError(`trace-id-sets: content encoding "${encoding}" is not supported; use gzip or none`);
  }
  let raw = body;
  if (encoding === 'gzip' || (body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b)) {
    try {
      raw = gunzipSync(body, { maxOutputLength: limits.maxBytes });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new TooLargeError(`trace-id-sets: body exceeds ${limits.maxBytes} bytes once unzipped`);
      throw new DecodeError(`trace-id-sets: bad gzip body: ${(err as Error).message}`);
    }
  }
  if (raw.length > limits.maxBytes) throw new TooLargeError(`trace-id-sets: body exceeds ${limits.maxBytes} bytes`);
  return format === 'binary' ? parseBinaryTraceIds(raw, limits.maxIds) : parseHexTraceIds(raw, limits.maxIds);
}
