// Writes a shaped, timed trace into a SpanBatchBuilder: ids, times, status,
// attributes (plus the status-dependent ones), events, exception events and
// links.

import type { AttributeBuilder, SpanBatchBuilder } from '../model/span-batch-builder.js';
import { SPAN_ID_BYTES, TRACE_ID_BYTES, ValueType } from '../model/span-batch.js';
import { stringArrayJson, type BatchRegistry } from './resources.js';
import type { Rng } from './rng.js';
import { SpanKind, type AttrValue, type SpanNode } from './span-node.js';

const STATUS_ERROR = 2;
const TRACE_FLAGS_SAMPLED = 1;

/** Spans of earlier traces in the same builder that later spans may link to (-1: none yet). */
export interface LinkTargets {
  lastRoot: number;
  lastProducer: number;
}

export function writeAttrs(into: AttributeBuilder, owner: number, flat: readonly (string | AttrValue)[]): void {
  for (let k = 0; k < flat.length; k += 2) {
    const key = flat[k] as string;
    const value = flat[k + 1]!;
    switch (typeof value) {
      case 'string':
        into.addString(owner, key, value);
        break;
      case 'bigint':
        into.addInt(owner, key, value);
        break;
      case 'number':
        into.addDouble(owner, key, value);
        break;
      case 'boolean':
        into.addBool(owner, key, value);
        break;
      default:
        into.addComplex(owner, key, ValueType.Array, stringArrayJson(value));
    }
  }
}

/** Random non-zero id bytes (an all-zero id is invalid in OTLP). */
function fillId(rng: Rng, target: Uint8Array, offset: number, length: number): void {
  rng.fillBytes(target, offset, length);
  for (let i = offset; i < offset + length; i++) if (target[i] !== 0) return;
  target[offset + length - 1] = 1;
}

export interface TraceWrite {
  builder: SpanBatchBuilder;
  registry: BatchRegistry;
  rng: Rng;
  links: LinkTargets;
  /** creation order: every parent before its children */
  nodes: readonly SpanNode[];
  /** unix ns of the trace's time origin (layout time 0) */
  originUnixNano: bigint;
  traceState: string;
}

export function writeTrace(w: TraceWrite): void {
  const { builder, registry, rng, nodes } = w;
  const traceId = new Uint8Array(TRACE_ID_BYTES);
  fillId(rng, traceId, 0, TRACE_ID_BYTES);
  for (const node of nodes) {
    if (node.dropped) continue;
    const i = builder.addSpan(registry.resource(node.instance), registry.scope(node.instance, node.role));
    node.spanIndex = i;
    builder.traceId.set(traceId, i * TRACE_ID_BYTES);
    fillId(rng, builder.spanId, i * SPAN_ID_BYTES, SPAN_ID_BYTES);
    if (node.parent) {
      const p = node.parent.spanIndex * SPAN_ID_BYTES;
      builder.parentSpanId.set(builder.spanId.subarray(p, p + SPAN_ID_BYTES), i * SPAN_ID_BYTES);
    }
    builder.traceState[i] = w.traceState;
    builder.flags[i] = TRACE_FLAGS_SAMPLED;
    builder.name[i] = node.name;
    builder.kind[i] = node.kind;
    const start = w.originUnixNano + BigInt(Math.round(node.startNs));
    const end = w.originUnixNano + BigInt(Math.round(node.endNs));
    builder.startTimeUnixNano[i] = start;
    builder.endTimeUnixNano[i] = end;
    writeAttrs(builder.attributes, i, node.attrs);
    writeStatus(builder, i, node);
    writeEvents(builder, i, node, w.originUnixNano, start, end);
    if (node.linked) writeLink(w, i, node);
  }
  const root = nodes[0]!;
  w.links.lastRoot = root.spanIndex;
  for (const node of nodes) if (node.kind === SpanKind.Producer && !node.dropped) w.links.lastProducer = node.spanIndex;
}

function writeStatus(builder: SpanBatchBuilder, i: number, node: SpanNode): void {
  const failure = node.failure;
  const a = builder.attributes;
  switch (node.protocol) {
    case 'http-server':
    case 'http-client':
      a.addInt(i, 'http.response.status_code', BigInt(failure?.httpStatus || node.httpStatus));
      break;
    case 'grpc-server':
    case 'grpc-client':
      a.addInt(i, 'rpc.grpc.status_code', BigInt(failure ? failure.grpcStatus : 0));
      break;
    case 'other':
      break;
  }
  if (!failure) return;
  a.addString(i, 'error.type', failure.errorType);
  builder.statusCode[i] = STATUS_ERROR;
  builder.statusMessage[i] = failure.statusMessage;
}

function writeEvents(builder: SpanBatchBuilder, i: number, node: SpanNode, origin: bigint, start: bigint, end: bigint): void {
  const durationNs = Number(end - start);
  if (node.events) {
    for (const ev of node.events) {
      if (ev.after?.dropped) continue;
      const time = ev.after
        ? origin + BigInt(Math.round(Math.min(ev.after.endNs + 20_000, node.endNs)))
        : start + BigInt(Math.round(ev.at * durationNs));
      const e = builder.addEvent(i, time, ev.name, 0);
      writeAttrs(builder.eventAttributes, e, ev.attrs);
    }
  }
  const exception = node.failure?.exception;
  if (exception) {
    // recorded as the error surfaces, just before the span ends
    const e = builder.addEvent(i, end - BigInt(Math.round(durationNs * 0.02)), 'exception', 0);
    builder.eventAttributes.addString(e, 'exception.type', exception.type);
    builder.eventAttributes.addString(e, 'exception.message', exception.message);
    builder.eventAttributes.addString(e, 'exception.stacktrace', exception.stacktrace);
  }
}

/**
 * SpanBatchBuilder.addLink grows its id arrays only together with linkOwner,
 * whose capacity counts links, not bytes, so from the fifth link on the ids
 * would fall outside them. Grow them here until the builder does it itself.
 */

/** A consumer links the producer of another message of its batch; a root links the request it retries. */
function writeLink(w: TraceWrite, i: number, node: SpanNode): void {
  const { builder, rng } = w;
  const consumer = node.kind === SpanKind.Consumer;
  const target = consumer ? w.links.lastProducer : w.links.lastRoot;
  const l = builder.addLink(i, '', TRACE_FLAGS_SAMPLED, 0);
  if (target >= 0) {
    builder.linkTraceId.set(builder.traceId.subarray(target * TRACE_ID_BYTES, (target + 1) * TRACE_ID_BYTES), l * TRACE_ID_BYTES);
    builder.linkSpanId.set(builder.spanId.subarray(target * SPAN_ID_BYTES, (target + 1) * SPAN_ID_BYTES), l * SPAN_ID_BYTES);
  } else {
    // the other trace went to another request
    fillId(rng, builder.linkTraceId, l * TRACE_ID_BYTES, TRACE_ID_BYTES);
    fillId(rng, builder.linkSpanId, l * SPAN_ID_BYTES, SPAN_ID_BYTES);
  }
  if (consumer) {
    builder.linkAttributes.addString(l, 'messaging.operation', 'receive');
    builder.linkAttributes.addInt(l, 'messaging.batch.message_count', BigInt(rng.int(2, 20)));
  } else {
    builder.linkAttributes.addString(l, 'app.link.reason', 'retry_of');
    builder.linkAttributes.addInt(l, 'app.retry.attempt', 1n);
  }
}
