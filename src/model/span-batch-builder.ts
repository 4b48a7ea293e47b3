// Growable builder for SpanBatch. Decoders (protobuf, JSON), the load generator
// and WAL replay append into it and call finish() once; arrays grow by doubling
// so the amortised cost per value is a typed-array store.

import {
  SPAN_ID_BYTES,
  TRACE_ID_BYTES,
  ValueType,
  type AttributeColumns,
  type ResourceColumns,
  type ScopeColumns,
  type SpanBatch,
} from './span-batch.js';
import { int64Halves, setInt64Halves } from './int64-halves.js';

export const INITIAL_CAPACITY = 64;

/** `a`, or a copy of it at least `need` long (capacity doubled): amortised appends to typed arrays. */
export function grow<T extends Uint8Array | Int32Array | Uint32Array | Float64Array | BigInt64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let cap = Math.max(a.length * 2, INITIAL_CAPACITY);
  while (cap < need) cap *= 2;
  const next = new (a.constructor as new (n: number) => T)(cap);
  (next as unknown as { set(src: T): void }).set(a);
  return next;
}

function zero(bytes: Uint8Array, from: number, length: number): void {
  for (let k = from; k < from + length; k++) bytes[k] = 0;
}

/** Appends attribute rows; values are given per type so nothing is boxed. */
export class AttributeBuilder {
  length = 0;
  owner = new Uint32Array(INITIAL_CAPACITY);
  key: string[] = [];
  type = new Uint8Array(INITIAL_CAPACITY);
  str: string[] = [];
  num = new Float64Array(INITIAL_CAPACITY);
  int = new BigInt64Array(INITIAL_CAPACITY);
  /** int64Halves(int): values written without a bigint each. */
  private intHalves = int64Halves(this.int);

  private next(owner: number, key: string, type: ValueType): number {
    const i = this.length++;
    if (i >= this.owner.length) this.reserve(i + 1);
    this.owner[i] = owner;
    this.key[i] = key;
    this.type[i] = type;
    this.str[i] = '';
    this.num[i] = 0;
    setInt64Halves(this.intHalves, i, 0, 0);
    return i;
  }

  /** Makes room for `rows` rows in all, so that appending them does not grow the arrays step by step. */
  reserve(rows: number): void {
    if (rows <= this.owner.length) return;
    this.owner = grow(this.owner, rows);
    this.type = grow(this.type, rows);
    this.num = grow(this.num, rows);
    this.int = grow(this.int, rows);
    this.intHalves = int64Halves(this.int);
  }

  addString(owner: number, key: string, value: string): void {
    this.str[this.next(owner, key, ValueType.String)] = value;
  }
  // The index first, then the store: next() may replace the typed arrays, and
  // `this.num[this.next(…)] = v` would write into the array it replaced.
  addBool(owner: number, key: string, value: boolean): void {
    const i = this.next(owner, key, ValueType.Bool);
    this.num[i] = value ? 1 : 0;
  }
  addInt(owner: number, key: string, value: bigint): void {
    const i = this.next(owner, key, ValueType.Int);
    this.int[i] = value;
  }
  /** addInt of high · 2^32 + low, from its 32-bit halves (a protobuf varint's). */
  addIntHalves(owner: number, key: string, low: number, high: number): void {
    const i = this.next(owner, key, ValueType.Int);
    setInt64Halves(this.intHalves, i, low, high);
  }
  addDouble(owner: number, key: string, value: number): void {
    const i = this.next(owner, key, ValueType.Double);
    this.num[i] = value;
  }
  /** base64 of the raw bytes */
  addBytes(owner: number, key: string, base64: string): void {
    this.str[this.next(owner, key, ValueType.Bytes)] = base64;
  }
  /** canonical OTLP JSON of an ArrayValue/KvList AnyValue, e.g. {"arrayValue":{...}} */
  addComplex(owner: number, key: string, type: typeof ValueType.Array | typeof ValueType.KvList, json: string): void {
    this.str[this.next(owner, key, type)] = json;
  }
  addEmpty(owner: number, key: string): void {
    this.next(owner, key, ValueType.Empty);
  }

  /** Starts over, keeping the arrays' room (a decoder reuses one builder for every request). */
  reset(): void {
    // the string arrays too keep their room: rows past `length` are overwritten before finish() reads them
    this.length = 0;
  }

  /** Drops every row from index `length` on (used to undo a rejected span). */
  truncate(length: number): void {
    this.length = length;
    this.key.length = length;
    this.str.length = length;
  }

  finish(): AttributeColumns {
    const n = this.length;
    return {
      length: n,
      owner: this.owner.slice(0, n),
      key: this.key.slice(0, n),
      type: this.type.slice(0, n),
      str: this.str.slice(0, n),
      num: this.num.slice(0, n),
      int: this.int.slice(0, n),
    };
  }
}

/** A position in the builder to roll back to when a span is rejected. */
export interface SpanMark {
  spans: number;
  spanAttributes: number;
  events: number;
  eventAttributes: number;
  links: number;
  linkAttributes: number;
}

/**
 * Resources and instrumentation scopes of a batch, shared by the span and log
 * builders (OTLP nests both signals the same way).
 */
export class ResourceScopeBuilder {
  // resources
  resourceCount = 0;
  resourceServiceName: string[] = [];
  resourceSchemaUrl: string[] = [];
  resourceDropped: number[] = [];
  readonly resourceAttributes = new AttributeBuilder();

  // scopes
  scopeCount = 0;
  scopeName: string[] = [];
  scopeVersion: string[] = [];
  scopeSchemaUrl: string[] = [];
  scopeDropped: number[] = [];
  readonly scopeAttributes = new AttributeBuilder();

  /** Starts a resource; returns its index. Add its attributes to resourceAttributes with that owner. */
  addResource(schemaUrl: string, droppedAttributesCount: number): number {
    const i = this.resourceCount++;
    this.resourceSchemaUrl[i] = schemaUrl;
    this.resourceDropped[i] = droppedAttributesCount;
    this.resourceServiceName[i] = '';
    return i;
  }

  /** Starts over, keeping the arrays' room. */
  protected resetResourcesAndScopes(): void {
    // few rows each: emptied (finishResources reads resourceDropped whole)
    this.resourceCount = 0;
    this.resourceServiceName.length = 0;
    this.resourceSchemaUrl.length = 0;
    this.resourceDropped.length = 0;
    this.resourceAttributes.reset();
    this.scopeCount = 0;
    this.scopeName.length = 0;
    this.scopeVersion.length = 0;
    this.scopeSchemaUrl.length = 0;
    this.scopeDropped.length = 0;
    this.scopeAttributes.reset();
  }

  /**
   * Removes the resource added last, with its attributes: a resource left
   * without spans (none sent, or all rejected) is not kept. Only the last one
   * can be removed, so truncating the columns is enough.
   */
  removeLastResource(attributesStart: number): void {
    const n = --this.resourceCount;
    this.resourceServiceName.length = n;
    this.resourceSchemaUrl.length = n;
    this.resourceDropped.length = n;
    this.resourceAttributes.truncate(attributesStart);
  }

  /** Removes the scope added last, with its attributes (see removeLastResource). */
  removeLastScope(attributesStart: number): void {
    const n = --this.scopeCount;
    this.scopeName.length = n;
    this.scopeVersion.length = n;
    this.scopeSchemaUrl.length = n;
    this.scopeDropped.length = n;
    this.scopeAttributes.truncate(attributesStart);
  }

  /** Call after the resource's attributes are added: fills the denormalised service name. */
  setResourceServiceName(resource: number, serviceName: string): void {
    this.resourceServiceName[resource] = serviceName;
  }

  addScope(name: string, version: string, schemaUrl: string, droppedAttributesCount: number): number {
    const i = this.scopeCount++;
    this.scopeName[i] = name;
    this.scopeVersion[i] = version;
    this.scopeSchemaUrl[i] = schemaUrl;
    this.scopeDropped[i] = droppedAttributesCount;
    return i;
  }

  protected finishResources(): ResourceColumns {
    return {
      length: this.resourceCount,
      serviceName: this.resourceServiceName.slice(0, this.resourceCount),
      schemaUrl: this.resourceSchemaUrl.slice(0, this.resourceCount),
      droppedAttributesCount: Uint32Array.from(this.resourceDropped),
      attributes: this.resourceAttributes.finish(),
    };
  }

  protected finishScopes(): ScopeColumns {
    return {
      length: this.scopeCount,
      name: this.scopeName.slice(0, this.scopeCount),
      version: this.scopeVersion.slice(0, this.scopeCount),
      schemaUrl: this.scopeSchemaUrl.slice(0, this.scopeCount),
      droppedAttributesCount: Uint32Array.from(this.scopeDropped),
      attributes: this.scopeAttributes.finish(),
    };
  }
}

export class SpanBatchBuilder extends ResourceScopeBuilder {
  length = 0;
  private cap = 0;
  traceId = new Uint8Array(0);
  spanId = new Uint8Array(0);
  parentSpanId = new Uint8Array(0);
  traceState: string[] = [];
  flags = new Uint32Array(0);
  name: string[] = [];
  kind = new Uint8Array(0);
  startTimeUnixNano = new BigInt64Array(0);
  endTimeUnixNano = new BigInt64Array(0);
  /** int64Halves of the times: decoders set them with setStartTime / setEndTime, without a bigint each. */
  private startHalves: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private endHalves: Int32Array<ArrayBufferLike> = new Int32Array(0);
  statusCode = new Uint8Array(0);
  statusMessage: string[] = [];
  droppedAttributesCount = new Uint32Array(0);
  droppedEventsCount = new Uint32Array(0);
  droppedLinksCount = new Uint32Array(0);
  hasException = new Uint8Array(0);
  resource = new Uint32Array(0);
  scope = new Uint32Array(0);
  readonly attributes = new AttributeBuilder();

  // events
  eventCount = 0;
  eventOwner = new Uint32Array(0);
  eventTime = new BigInt64Array(0);
  eventName: string[] = [];
  eventDropped = new Uint32Array(0);
  readonly eventAttributes = new AttributeBuilder();

  // links
  linkCount = 0;
  linkOwner = new Uint32Array(0);
  linkTraceId = new Uint8Array(0);
  linkSpanId = new Uint8Array(0);
  linkTraceState: string[] = [];
  linkFlags = new Uint32Array(0);
  linkDropped = new Uint32Array(0);
  readonly linkAttributes = new AttributeBuilder();

  private ensureSpanCapacity(need: number): void {
    if (need <= this.cap) return;
    let cap = Math.max(this.cap * 2, INITIAL_CAPACITY);
    while (cap < need) cap *= 2;
    this.cap = cap;
    this.traceId = grow(this.traceId, cap * TRACE_ID_BYTES);
    this.spanId = grow(this.spanId, cap * SPAN_ID_BYTES);
    this.parentSpanId = grow(this.parentSpanId, cap * SPAN_ID_BYTES);
    this.flags = grow(this.flags, cap);
    this.kind = grow(this.kind, cap);
    this.startTimeUnixNano = grow(this.startTimeUnixNano, cap);
    this.endTimeUnixNano = grow(this.endTimeUnixNano, cap);
    this.startHalves = int64Halves(this.startTimeUnixNano);
    this.endHalves = int64Halves(this.endTimeUnixNano);
    this.statusCode = grow(this.statusCode, cap);
    this.droppedAttributesCount = grow(this.droppedAttributesCount, cap);
    this.droppedEventsCount = grow(this.droppedEventsCount, cap);
    this.droppedLinksCount = grow(this.droppedLinksCount, cap);
    this.hasException = grow(this.hasException, cap);
    this.resource = grow(this.resource, cap);
    this.scope = grow(this.scope, cap);
  }

  /**
   * Starts a span with every field at its OTLP default; returns its index.
   * The caller writes ids into traceId/spanId/parentSpanId at index*16 / index*8
   * and sets the other fields by index.
   */
  addSpan(resource: number, scope: number): number {
    const i = this.length++;
    this.ensureSpanCapacity(i + 1);
    // byte stores, not fill(): a builtin call per 8 or 16 bytes cost more than the stores (every span)
    zero(this.traceId, i * TRACE_ID_BYTES, TRACE_ID_BYTES);
    zero(this.spanId, i * SPAN_ID_BYTES, SPAN_ID_BYTES);
    zero(this.parentSpanId, i * SPAN_ID_BYTES, SPAN_ID_BYTES);
    this.traceState[i] = '';
    this.flags[i] = 0;
    this.name[i] = '';
    this.kind[i] = 0;
    setInt64Halves(this.startHalves, i, 0, 0);
    setInt64Halves(this.endHalves, i, 0, 0);
    this.statusCode[i] = 0;
    this.statusMessage[i] = '';
    this.droppedAttributesCount[i] = 0;
    this.droppedEventsCount[i] = 0;
    this.droppedLinksCount[i] = 0;
    this.hasException[i] = 0;
    this.resource[i] = resource;
    this.scope[i] = scope;
    return i;
  }

  /** startTimeUnixNano[span] = high · 2^32 + low (a fixed64's halves). */
  setStartTime(span: number, low: number, high: number): void {
    setInt64Halves(this.startHalves, span, low, high);
  }

  /** endTimeUnixNano[span] = high · 2^32 + low. */
  setEndTime(span: number, low: number, high: number): void {
    setInt64Halves(this.endHalves, span, low, high);
  }

  /** Adds an event to span `span`; returns the event index (owner for eventAttributes). */
  addEvent(span: number, timeUnixNano: bigint, name: string, droppedAttributesCount: number): number {
    const i = this.eventCount++;
    if (i >= this.eventOwner.length) {
      this.eventOwner = grow(this.eventOwner, i + 1);
      this.eventTime = grow(this.eventTime, i + 1);
      this.eventDropped = grow(this.eventDropped, i + 1);
    }
    this.eventOwner[i] = span;
    this.eventTime[i] = timeUnixNano;
    this.eventName[i] = name;
    this.eventDropped[i] = droppedAttributesCount;
    if (name === 'exception') this.hasException[span] = 1;
    return i;
  }

  /** Adds a link to span `span`; returns the link index. Write its ids at index*16 / index*8. */
  addLink(span: number, traceState: string, flags: number, droppedAttributesCount: number): number {
    const i = this.linkCount++;
    if (i >= this.linkOwner.length) {
      this.linkOwner = grow(this.linkOwner, i + 1);
      this.linkFlags = grow(this.linkFlags, i + 1);
      this.linkDropped = grow(this.linkDropped, i + 1);
    }
    // Id arrays hold 16/8 bytes per link: their own capacity check.
    this.linkTraceId = grow(this.linkTraceId, (i + 1) * TRACE_ID_BYTES);
    this.linkSpanId = grow(this.linkSpanId, (i + 1) * SPAN_ID_BYTES);
    this.linkOwner[i] = span;
    this.linkTraceState[i] = traceState;
    this.linkFlags[i] = flags;
    this.linkDropped[i] = droppedAttributesCount;
    this.linkTraceId.fill(0, i * TRACE_ID_BYTES, (i + 1) * TRACE_ID_BYTES);
    this.linkSpanId.fill(0, i * SPAN_ID_BYTES, (i + 1) * SPAN_ID_BYTES);
    return i;
  }

  /**
   * Starts over for the next request, keeping the typed arrays' room: a
   * builder per request grew each array step by step from INITIAL_CAPACITY
   * (finish() copies the rows out, so the batch shares nothing with it).
   */
  reset(): void {
    this.length = 0;
    this.attributes.reset();
    this.eventCount = 0;
    this.eventAttributes.reset();
    this.linkCount = 0;
    this.linkAttributes.reset();
    this.resetResourcesAndScopes();
  }

  mark(): SpanMark {
    return {
      spans: this.length,
      spanAttributes: this.attributes.length,
      events: this.eventCount,
      eventAttributes: this.eventAttributes.length,
      links: this.linkCount,
      linkAttributes: this.linkAttributes.length,
    };
  }

  /** Undoes everything added since `m` (a span found invalid half-way through decoding). */
  rollback(m: SpanMark): void {
    this.length = m.spans;
    this.traceState.length = m.spans;
    this.name.length = m.spans;
    this.statusMessage.length = m.spans;
    this.attributes.truncate(m.spanAttributes);
    this.eventCount = m.events;
    this.eventName.length = m.events;
    this.eventAttributes.truncate(m.eventAttributes);
    this.linkCount = m.links;
    this.linkTraceState.length = m.links;
    this.linkAttributes.truncate(m.linkAttributes);
  }

  finish(): SpanBatch {
    const n = this.length;
    const e = this.eventCount;
    const l = this.linkCount;
    return {
      length: n,
      traceId: this.traceId.slice(0, n * TRACE_ID_BYTES),
      spanId: this.spanId.slice(0, n * SPAN_ID_BYTES),
      parentSpanId: this.parentSpanId.slice(0, n * SPAN_ID_BYTES),
      traceState: this.traceState.slice(0, n),
      flags: this.flags.slice(0, n),
      name: this.name.slice(0, n),
      kind: this.kind.slice(0, n),
      startTimeUnixNano: this.startTimeUnixNano.slice(0, n),
      endTimeUnixNano: this.endTimeUnixNano.slice(0, n),
      statusCode: this.statusCode.slice(0, n),
      statusMessage: this.statusMessage.slice(0, n),
      droppedAttributesCount: this.droppedAttributesCount.slice(0, n),
      droppedEventsCount: this.droppedEventsCount.slice(0, n),
      droppedLinksCount: this.droppedLinksCount.slice(0, n),
      hasException: this.hasException.slice(0, n),
      resource: this.resource.slice(0, n),
      scope: this.scope.slice(0, n),
      attributes: this.attributes.finish(),
      events: {
        length: e,
        owner: this.eventOwner.slice(0, e),
        timeUnixNano: this.eventTime.slice(0, e),
        name: this.eventName.slice(0, e),
        droppedAttributesCount: this.eventDropped.slice(0, e),
        attributes: this.eventAttributes.finish(),
      },
      links: {
        length: l,
        owner: this.linkOwner.slice(0, l),
        traceId: this.linkTraceId.slice(0, l * TRACE_ID_BYTES),
        spanId: this.linkSpanId.slice(0, l * SPAN_ID_BYTES),
        traceState: this.linkTraceState.slice(0, l),
        flags: this.linkFlags.slice(0, l),
        droppedAttributesCount: this.linkDropped.slice(0, l),
        attributes: this.linkAttributes.finish(),
      },
      resources: this.finishResources(),
      scopes: this.finishScopes(),
    };
  }
}
