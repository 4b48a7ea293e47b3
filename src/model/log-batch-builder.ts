// Growable builder for LogBatch: the OTLP decoders, the JSON-lines decoder and
// WAL replay append into it and call finish() once.

import { SPAN_ID_BYTES, TRACE_ID_BYTES } from './span-batch.js';
import { AttributeBuilder, INITIAL_CAPACITY, ResourceScopeBuilder, grow } from './span-batch-builder.js';
import type { LogBatch } from './log-batch.js';
import { FieldColumnsBuilder } from './field-columns.js';

/** A position to roll back to when a record is rejected. */
export interface LogMark {
  records: number;
  attributes: number;
  body: number;
}

export class LogBatchBuilder extends ResourceScopeBuilder {
  length = 0;
  private cap = 0;
  timeUnixNano = new BigInt64Array(0);
  observedTimeUnixNano = new BigInt64Array(0);
  severityNumber = new Uint8Array(0);
  severityText: string[] = [];
  droppedAttributesCount = new Uint32Array(0);
  flags = new Uint32Array(0);
  traceId = new Uint8Array(0);
  spanId = new Uint8Array(0);
  eventName: string[] = [];
  stream: string[] = [];
  resource = new Uint32Array(0);
  scope = new Uint32Array(0);
  readonly attributes = new AttributeBuilder();
  readonly body = new AttributeBuilder();
  readonly bodyFields = new FieldColumnsBuilder();

  /** Makes room for `records` records in all (a decoder that knows how many are coming). */
  reserve(records: number): void {
    this.ensureCapacity(records);
  }

  private ensureCapacity(need: number): void {
    if (need <= this.cap) return;
    let cap = Math.max(this.cap * 2, INITIAL_CAPACITY);
    while (cap < need) cap *= 2;
    this.cap = cap;
    this.timeUnixNano = grow(this.timeUnixNano, cap);
    this.observedTimeUnixNano = grow(this.observedTimeUnixNano, cap);
    this.severityNumber = grow(this.severityNumber, cap);
    this.droppedAttributesCount = grow(this.droppedAttributesCount, cap);
    this.flags = grow(this.flags, cap);
    this.traceId = grow(this.traceId, cap * TRACE_ID_BYTES);
    this.spanId = grow(this.spanId, cap * SPAN_ID_BYTES);
    this.resource = grow(this.resource, cap);
    this.scope = grow(this.scope, cap);
  }

  /** Starts a record with every field at its OTLP default; returns its index. */
  addRecord(resource: number, scope: number, stream: string): number {
    const i = this.length++;
    this.ensureCapacity(i + 1);
    this.timeUnixNano[i] = 0n;
    this.observedTimeUnixNano[i] = 0n;
    this.severityNumber[i] = 0;
    this.severityText[i] = '';
    this.droppedAttributesCount[i] = 0;
    this.flags[i] = 0;
    this.traceId.fill(0, i * TRACE_ID_BYTES, (i + 1) * TRACE_ID_BYTES);
    this.spanId.fill(0, i * SPAN_ID_BYTES, (i + 1) * SPAN_ID_BYTES);
    this.eventName[i] = '';
    this.stream[i] = stream;
    this.resource[i] = resource;
    this.scope[i] = scope;
    return i;
  }

  /** Record `i`'s row time: its time, or its observed time when it has none (0). */
  rowTime(i: number): bigint {
    const t = this.timeUnixNano[i]!;
    return t !== 0n ? t : this.observedTimeUnixNano[i]!;
  }

  mark(): LogMark {
    return { records: this.length, attributes: this.attributes.length, body: this.body.length };
  }

  /** Undoes everything added since `m` (a record found invalid half-way through decoding). */
  rollback(m: LogMark): void {
    this.length = m.records;
    this.severityText.length = m.records;
    this.eventName.length = m.records;
    this.stream.length = m.records;
    this.attributes.truncate(m.attributes);
    this.body.truncate(m.body);
    this.bodyFields.rollback(m.records);
  }

  finish(): LogBatch {
    const n = this.length;
    return {
      length: n,
      timeUnixNano: this.timeUnixNano.slice(0, n),
      observedTimeUnixNano: this.observedTimeUnixNano.slice(0, n),
      severityNumber: this.severityNumber.slice(0, n),
      severityText: this.severityText.slice(0, n),
      body: this.body.finish(),
      bodyFields: this.bodyFields.finish(),
      attributes: this.attributes.finish(),
      droppedAttributesCount: this.droppedAttributesCount.slice(0, n),
      flags: this.flags.slice(0, n),
      traceId: this.traceId.slice(0, n * TRACE_ID_BYTES),
      spanId: this.spanId.slice(0, n * SPAN_ID_BYTES),
      eventName: this.eventName.slice(0, n),
      stream: this.stream.slice(0, n),
      resource: this.resource.slice(0, n),
      scope: this.scope.slice(0, n),
      resources: this.finishResources(),
      scopes: this.finishScopes(),
    };
  }
}
