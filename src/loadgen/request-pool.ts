// Encoded requests generated before the clock starts, so generating and
// encoding never limit the send rate. Each request is sent many times; to keep
// the data from repeating, every send gets fresh trace ids (XOR with a random
// mask, which keeps a trace's spans and links together) and times moved to the
// moment of sending. Both are patched in the encoded bytes at offsets found
// once, by looking for the batch's own values after their protobuf tags:
//   Span.trace_id / Link.trace_id   0x0a 0x10 <16 bytes>
//   Span.start/end_time_unix_nano   0x39 / 0x41 <8 bytes, fixed64 LE>
//   Event.time_unix_nano            0x09 <8 bytes, fixed64 LE>
// A 16- or 8-byte match with a value of the batch is not a coincidence, so no
// other bytes are touched; an encoder that writes another layout gets no
// offsets and its requests are simply sent verbatim.

import { SpanBatchBuilder } from '../model/span-batch-builder.js';
import { TRACE_ID_BYTES, type SpanBatch } from '../model/span-batch.js';
import { hexOf } from '../model/hex.js';
import type { Rng } from './rng.js';
import { generateTraces } from './trace-generator.js';

export type EncodeRequest = (batch: SpanBatch) => Uint8Array;

export interface PooledRequest {
  /** the encoded ExportTraceServiceRequest */
  body: Uint8Array;
  spans: number;
  /** where each 16-byte trace id starts in body (spans and links) */
  traceIdOffsets: Uint32Array;
  /** where each 8-byte little-endian unix-ns time starts in body (span start/end, events) */
  timeOffsets: Uint32Array;
  /** the instant the times were generated against */
  generatedAtUnixNano: bigint;
}

export interface PoolOptions {
  encode: EncodeRequest;
  requests: number;
  /** each request holds whole traces, this many spans or a few more */
  spansPerRequest: number;
  rng: Rng;
  nowUnixNano: bigint;
  errorRate?: number;
}

/** Below the smallest trace average, so a request overshoots its target by less than one trace. */
const MIN_SPANS_PER_TRACE_GUESS = 20;

export function buildRequestPool(options: PoolOptions): PooledRequest[] {
  const pool: PooledRequest[] = [];
  for (let r = 0; r < options.requests; r++) {
    const builder = new SpanBatchBuilder();
    while (builder.length < options.spansPerRequest) {
      const traces = Math.max(1, Math.floor((options.spansPerRequest - builder.length) / MIN_SPANS_PER_TRACE_GUESS));
      const generate = { traces, rng: options.rng, nowUnixNano: options.nowUnixNano };
      generateTraces(builder, options.errorRate === undefined ? generate : { ...generate, errorRate: options.errorRate });
    }
    const batch = builder.finish();
    const body = options.encode(batch);
    pool.push({ body, spans: batch.length, ...findPatchOffsets(body, batch), generatedAtUnixNano: options.nowUnixNano });
  }
  return pool;
}

const TAG_TRACE_ID = 0x0a;
const LEN_TRACE_ID = 0x10;
const TAG_START_TIME = 0x39;
const TAG_END_TIME = 0x41;
const TAG_EVENT_TIME = 0x09;

function findPatchOffsets(body: Uint8Array, batch: SpanBatch): { traceIdOffsets: Uint32Array; timeOffsets: Uint32Array } {
  const traceIds = new Set<string>();
  for (let i = 0; i < batch.length; i++) traceIds.add(hexOf(batch.traceId, i * TRACE_ID_BYTES, TRACE_ID_BYTES));
  for (let l = 0; l < batch.links.length; l++) traceIds.add(hexOf(batch.links.traceId, l * TRACE_ID_BYTES, TRACE_ID_BYTES));
  const times = new Set<bigint>();
  for (let i = 0; i < batch.length; i++) {
    times.add(batch.startTimeUnixNano[i]!);
    times.add(batch.endTimeUnixNano[i]!);
  }
  for (let e = 0; e < batch.events.length; e++) times.add(batch.events.timeUnixNano[e]!);

  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const idOffsets: number[] = [];
  const timeOffsets: number[] = [];
  for (let p = 0; p + 9 <= body.length; p++) {
    const b = body[p]!;
    if (b === TAG_TRACE_ID && body[p + 1] === LEN_TRACE_ID && p + 18 <= body.length) {
      if (traceIds.has(hexOf(body, p + 2, TRACE_ID_BYTES))) {
        idOffsets.push(p + 2);
        p += 17;
      }
    } else if (b === TAG_START_TIME || b === TAG_END_TIME || b === TAG_EVENT_TIME) {
      if (times.has(view.getBigInt64(p + 1, true))) {
        timeOffsets.push(p + 1);
        p += 8;
      }
    }
  }
  return { traceIdOffsets: Uint32Array.from(idOffsets), timeOffsets: Uint32Array.from(timeOffsets) };
}

const TWO_POW_32 = 4294967296;

/**
 * Writes `req.body` into `out` (at least as long) with every trace id XORed
 * with `traceIdMask` (16 bytes) and every time moved `shiftNs` later
 * (0 ≤ shiftNs < 2^53). Returns the written part of `out`.
 */
export function rewriteRequest(req: PooledRequest, out: Uint8Array, traceIdMask: Uint8Array, shiftNs: number): Uint8Array {
  const body = out.subarray(0, req.body.length);
  body.set(req.body);
  for (const at of req.traceIdOffsets) {
    for (let k = 0; k < TRACE_ID_BYTES; k++) body[at + k]! ^= traceIdMask[k]!;
  }
  if (shiftNs > 0) {
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const shiftLow = shiftNs % TWO_POW_32;
    const shiftHigh = Math.floor(shiftNs / TWO_POW_32);
    for (const at of req.timeOffsets) {
      const low = view.getUint32(at, true) + shiftLow;
      const carry = low >= TWO_POW_32 ? 1 : 0;
      view.setUint32(at, low - carry * TWO_POW_32, true);
      view.setUint32(at + 4, (view.getUint32(at + 4, true) + shiftHigh + carry) >>> 0, true);
    }
  }
  return body;
}
