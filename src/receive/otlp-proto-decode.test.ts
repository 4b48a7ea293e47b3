import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode, TraceFlags, context, createTraceState, trace, type HrTime } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { DecodeError } from '../model/errors.js';
import { ValueType, type AttributeColumns, type SpanBatch } from '../model/span-batch.js';
import { canonicalAnyValueJson } from './any-value-json.js';
import { decodeOtlpJsonTraces } from './otlp-json-decode.js';
import { decodeExportTraceServiceRequest } from './otlp-proto-decode.js';
import { ProtoWriter } from './protobuf-writer.js';
import { seededRandom } from '../model/seeded-random.js';

// ---- expected values from SDK objects ----------------------------------------

function hex(bytes: Uint8Array, start: number, length: number): string {
  return Buffer.from(bytes.subarray(start, start + length)).toString('hex');
}

function nanos(t: HrTime): bigint {
  return BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
}

/** An SDK attribute value as OTLP/JSON, the way the SDK serializer maps it to protobuf. */
function otlpJsonOf(v: unknown): unknown {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') {
    return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? { intValue: String(BigInt(v)) } : { doubleValue: Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v };
  }
  if (v instanceof Uint8Array) return { bytesValue: Buffer.from(v).toString('base64') };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(otlpJsonOf) } };
  if (v !== null && typeof v === 'object') {
    return { kvlistValue: { values: Object.entries(v).map(([key, value]) => ({ key, value: otlpJsonOf(value) })) } };
  }
  return {};
}

type AttributeRow = [key: string, type: ValueType, value: unknown];

function expectedAttributes(attrs: Record<string, unknown> | undefined): AttributeRow[] {
  return Object.entries(attrs ?? {}).map(([key, v]): AttributeRow => {
    const json = otlpJsonOf(v) as Record<string, unknown>;
    if ('stringValue' in json) return [key, ValueType.String, v];
    if ('boolValue' in json) return [key, ValueType.Bool, v];
    if ('intValue' in json) return [key, ValueType.Int, BigInt(v as number)];
    if ('doubleValue' in json) return [key, ValueType.Double, v];
    if ('bytesValue' in json) return [key, ValueType.Bytes, json['bytesValue']];
    if ('arrayValue' in json) return [key, ValueType.Array, canonicalAnyValueJson(json)];
    if ('kvlistValue' in json) return [key, ValueType.KvList, canonicalAnyValueJson(json)];
    return [key, ValueType.Empty, undefined];
  });
}

function attributeRows(a: AttributeColumns, owner: number): AttributeRow[] {
  const rows: AttributeRow[] = [];
  for (let r = 0; r < a.length; r++) {
    if (a.owner[r] !== owner) continue;
    const type = a.type[r] as ValueType;
    let value: unknown;
    if (type === ValueType.Bool) value = a.num[r] === 1;
    else if (type === ValueType.Int) value = a.int[r];
    else if (type === ValueType.Double) value = a.num[r];
    else if (type !== ValueType.Empty) value = a.str[r];
    rows.push([a.key[r]!, type, value]);
  }
  return rows;
}

function rowsOwnedBy(owner: Uint32Array, length: number, span: number): number[] {
  const rows: number[] = [];
  for (let r = 0; r < length; r++) if (owner[r] === span) rows.push(r);
  return rows;
}

/** Checks span `i` of the batch against the SDK span it was serialized from, field by field. */
function assertSpanMatches(batch: SpanBatch, i: number, s: ReadableSpan): void {
  const ctx = s.spanContext();
  const where = `span ${s.name}`;
  assert.equal(hex(batch.traceId, i * 16, 16), ctx.traceId, where);
  assert.equal(hex(batch.spanId, i * 8, 8), ctx.spanId, where);
  assert.equal(hex(batch.parentSpanId, i * 8, 8), s.parentSpanContext?.spanId ?? '0000000000000000', where);
  assert.equal(batch.traceState[i], ctx.traceState?.serialize() ?? '', where);
  const flags = (ctx.traceFlags & 0xff) | 0x100 | (s.parentSpanContext?.isRemote ? 0x200 : 0);
  assert.equal(batch.flags[i], flags, where);
  assert.equal(batch.name[i], s.name);
  assert.equal(batch.kind[i], s.kind + 1, where);
  assert.equal(batch.startTimeUnixNano[i], nanos(s.startTime), where);
  assert.equal(batch.endTimeUnixNano[i], nanos(s.endTime), where);
  assert.equal(batch.statusCode[i], s.status.code, where);
  assert.equal(batch.statusMessage[i], s.status.message ?? '', where);
  assert.equal(batch.droppedAttributesCount[i], s.droppedAttributesCount, where);
  assert.equal(batch.droppedEventsCount[i], s.droppedEventsCount, where);
  assert.equal(batch.droppedLinksCount[i], s.droppedLinksCount, where);
  assert.deepEqual(attributeRows(batch.attributes, i), expectedAttributes(s.attributes), where);

  const events = rowsOwnedBy(batch.events.owner, batch.events.length, i);
  assert.equal(events.length, s.events.length, where);
  events.forEach((e, k) => {
    const want = s.events[k]!;
    assert.equal(batch.events.name[e], want.name);
    assert.equal(batch.events.timeUnixNano[e], nanos(want.time));
    assert.equal(batch.events.droppedAttributesCount[e], want.droppedAttributesCount ?? 0);
    assert.deepEqual(attributeRows(batch.events.attributes, e), expectedAttributes(want.attributes));
  });
  assert.equal(batch.hasException[i], s.events.some((e) => e.name === 'exception') ? 1 : 0, where);

  const links = rowsOwnedBy(batch.links.owner, batch.links.length, i);
  assert.equal(links.length, s.links.length, where);
  links.forEach((l, k) => {
    const want = s.links[k]!;
    assert.equal(hex(batch.links.traceId, l * 16, 16), want.context.traceId);
    assert.equal(hex(batch.links.spanId, l * 8, 8), want.context.spanId);
    assert.equal(batch.links.traceState[l], want.context.traceState?.serialize() ?? '');
    assert.equal(batch.links.flags[l], (want.context.traceFlags & 0xff) | 0x100 | (want.context.isRemote ? 0x200 : 0));
    assert.equal(batch.links.droppedAttributesCount[l], want.droppedAttributesCount ?? 0);
    assert.deepEqual(attributeRows(batch.links.attributes, l), expectedAttributes(want.attributes));
  });

  const resource = batch.resource[i]!;
  const resourceAttrs = s.resource.attributes;
  assert.deepEqual(attributeRows(batch.resources.attributes, resource), expectedAttributes(resourceAttrs), where);
  const serviceName = resourceAttrs['service.name'];
  assert.equal(batch.resources.serviceName[resource], typeof serviceName === 'string' ? serviceName : '');
  assert.equal(batch.resources.schemaUrl[resource], s.resource.schemaUrl ?? '');

  const scope = batch.scope[i]!;
  const sdkScope = s.instrumentationScope as ScopeLike;
  assert.equal(batch.scopes.name[scope], sdkScope.name);
  assert.equal(batch.scopes.version[scope], sdkScope.version ?? '');
  assert.equal(batch.scopes.schemaUrl[scope], sdkScope.schemaUrl ?? '');
  assert.equal(batch.scopes.droppedAttributesCount[scope], sdkScope.droppedAttributesCount ?? 0);
  assert.deepEqual(attributeRows(batch.scopes.attributes, scope), expectedAttributes(sdkScope.attributes));
}

interface ScopeLike {
  name: string;
  version?: string;
  schemaUrl?: string;
  attributes?: Record<string, unknown>;
  droppedAttributesCount?: number;
}

function serialize(spans: ReadableSpan[]): Uint8Array {
  const bytes = ProtobufTraceSerializer.serializeRequest(spans);
  assert.ok(bytes);
  return bytes;
}

// ---- hand-built SDK spans: every value type the serializer can write -----------

const checkout = resourceFromAttributes(
  { 'service.name': 'checkout', 'host.name': 'h-1', 'process.pid': 4242, 'service.tags': ['a', 'b'] },
  { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' },
);
const billing = resourceFromAttributes({ 'service.name': 42, region: 'eu' } as Record<string, unknown> as never);
const httpScope: ScopeLike = {
  name: 'http-instrumentation',
  version: '1.2.3',
  schemaUrl: 'https://scope.example/schema',
  attributes: { 'scope.kind': 'auto', 'scope.level': 3 },
  droppedAttributesCount: 2,
};
const dbScope: ScopeLike = { name: 'db' };

interface SpanSpec {
  name: string;
  traceId: string;
  spanId: string;
  parent?: { spanId: string; isRemote: boolean };
  kind: SpanKind;
  start: HrTime;
  end: HrTime;
  attributes: Record<string, unknown>;
  events?: ReadableSpan['events'];
  links?: ReadableSpan['links'];
  status?: ReadableSpan['status'];
  resource?: ReadableSpan['resource'];
  scope?: ScopeLike;
  dropped?: [attributes: number, events: number, links: number];
  traceState?: string;
  traceFlags?: number;
}

function sdkSpan(p: SpanSpec): ReadableSpan {
  const spanContext = {
    traceId: p.traceId,
    spanId: p.spanId,
    traceFlags: p.traceFlags ?? TraceFlags.SAMPLED,
    ...(p.traceState ? { traceState: createTraceState(p.traceState) } : {}),
  };
  const span = {
    name: p.name,
    kind: p.kind,
    spanContext: () => spanContext,
    parentSpanContext: p.parent ? { traceId: p.traceId, spanId: p.parent.spanId, traceFlags: 1, isRemote: p.parent.isRemote } : undefined,
    startTime: p.start,
    endTime: p.end,
    status: p.status ?? { code: SpanStatusCode.UNSET },
    attributes: p.attributes,
    links: p.links ?? [],
    events: p.events ?? [],
    duration: [0, 0],
    ended: true,
    resource: p.resource ?? checkout,
    instrumentationScope: p.scope ?? httpScope,
    droppedAttributesCount: p.dropped?.[0] ?? 0,
    droppedEventsCount: p.dropped?.[1] ?? 0,
    droppedLinksCount: p.dropped?.[2] ?? 0,
  };
  return span as unknown as ReadableSpan;
}

const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
const TRACE_B = '4bf92f3577b34da6a3ce929d0e0e4736';

function handBuiltSpans(): ReadableSpan[] {
  return [
    sdkSpan({
      name: 'GET /orders/{id}',
      traceId: TRACE_A,
      spanId: 'b7ad6b7169203331',
      kind: SpanKind.SERVER,
      start: [1_700_000_000, 123_456_789],
      end: [1_700_000_001, 5],
      traceState: 'vendor=abc,other=x',
      attributes: {
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'http.ok': true,
        ratio: 0.25,
        negative: -42,
        big: 2 ** 60,
        'not.a.number': NaN,
        'to.infinity': Infinity,
        'minus.infinity': -Infinity,
        empty: '',
        unicode: 'héllo wörld ✓ 🚀',
        raw: new Uint8Array([0, 1, 2, 250, 255]),
        'string.array': ['a', '', 'ç'],
        'int.array': [1, -2, 3],
        'mixed.array': [1.5, true, 'x', null, new Uint8Array([9])],
        nested: { a: 1, b: { c: 'd', e: [1, { f: false }] }, g: [] },
        nothing: null,
      },
      events: [
        { name: 'cache.miss', time: [1_700_000_000, 200_000_000], attributes: { key: 'order:7', size: 12 }, droppedAttributesCount: 1 },
        { name: 'exception', time: [1_700_000_000, 300_000_000], attributes: { 'exception.type': 'TimeoutError', 'exception.stacktrace': 'x'.repeat(300) } },
      ],
      links: [
        {
          context: { traceId: TRACE_B, spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true, traceState: createTraceState('k=v') },
          attributes: { 'link.kind': 'follows', weight: 2.5 },
          droppedAttributesCount: 3,
        },
        { context: { traceId: TRACE_B, spanId: '1111111111111111', traceFlags: 0 } },
      ],
      status: { code: SpanStatusCode.ERROR, message: 'deadline exceeded' },
      dropped: [4, 5, 6],
    }),
    sdkSpan({
      name: 'SELECT orders',
      traceId: TRACE_A,
      spanId: '53995c3f42cd8ad8',
      parent: { spanId: 'b7ad6b7169203331', isRemote: false },
      kind: SpanKind.CLIENT,
      start: [1_700_000_000, 130_000_000],
      end: [1_700_000_000, 190_000_000],
      attributes: { 'db.system': 'postgresql', 'db.statement': 'SELECT * FROM orders WHERE id = $1' },
      scope: dbScope,
      status: { code: SpanStatusCode.OK },
    }),
    sdkSpan({
      name: 'charge',
      traceId: TRACE_B,
      spanId: 'a3ce929d0e0e4736',
      parent: { spanId: '00f067aa0ba902b7', isRemote: true },
      kind: SpanKind.CONSUMER,
      start: [0, 1],
      end: [0, 2],
      attributes: {},
      resource: billing,
      traceFlags: 0,
    }),
    sdkSpan({
      name: '',
      traceId: TRACE_A,
      spanId: 'ffffffffffffffff',
      kind: SpanKind.INTERNAL,
      start: [4_000_000_000, 999_999_999],
      end: [4_000_000_000, 999_999_999],
      attributes: { 'http.request.method': 'POST' },
    }),
  ];
}

/** Spans in the order the SDK serializer writes them: by resource, then scope. */
function serializedOrder(spans: ReadableSpan[]): ReadableSpan[] {
  const byResource = new Map<unknown, Map<unknown, ReadableSpan[]>>();
  for (const s of spans) {
    let scopes = byResource.get(s.resource);
    if (!scopes) byResource.set(s.resource, (scopes = new Map()));
    let list = scopes.get(s.instrumentationScope);
    if (!list) scopes.set(s.instrumentationScope, (list = []));
    list.push(s);
  }
  return [...byResource.values()].flatMap((scopes) => [...scopes.values()].flat());
}

function assertBatchMatches(batch: SpanBatch, spans: ReadableSpan[]): void {
  const ordered = serializedOrder(spans);
  assert.equal(batch.length, ordered.length);
  ordered.forEach((s, i) => assertSpanMatches(batch, i, s));
}

// ---- a tiny protobuf tree builder for hand-made (and malformed) messages ----------

type Field =
  | { f: number; varint: number | bigint }
  | { f: number; fixed64: bigint }
  | { f: number; fixed32: number }
  | { f: number; bytes: Uint8Array | string }
  | { f: number; msg: Field[] }
  | { f: number; group: Field[] };

interface Shape {
  /** fields of every message in reverse order of field number (repeated fields keep their order) */
  reverse?: boolean;
  /** unknown fields of every wire type added to every message */
  unknowns?: boolean;
}

const UNKNOWN_FIELDS: Field[] = [
  { f: 900, varint: -1n },
  { f: 901, fixed64: 0x0102030405060708n },
  { f: 902, bytes: 'ignored' },
  { f: 903, group: [{ f: 1, varint: 7 }, { f: 2, group: [{ f: 3, bytes: 'deep' }] }] },
  { f: 904, fixed32: 0xdeadbeef },
];

function writeFields(w: ProtoWriter, fields: Field[], shape: Shape): void {
  let list = shape.reverse ? [...fields].sort((a, b) => b.f - a.f) : fields;
  if (shape.unknowns) list = [UNKNOWN_FIELDS[0]!, ...list.flatMap((x, k) => [x, UNKNOWN_FIELDS[(k % 4) + 1]!])];
  for (const x of list) {
    if ('varint' in x) {
      w.tag(x.f * 8);
      w.int64(BigInt(x.varint));
    } else if ('fixed64' in x) {
      w.tag(x.f * 8 + 1);
      w.fixed64(Number(x.fixed64 & 0xffffffffn), Number(x.fixed64 >> 32n));
    } else if ('fixed32' in x) {
      w.tag(x.f * 8 + 5);
      w.fixed32(x.fixed32);
    } else if ('bytes' in x) {
      w.tag(x.f * 8 + 2);
      if (typeof x.bytes === 'string') w.string(x.bytes);
      else w.bytes(x.bytes);
    } else if ('msg' in x) {
      w.tag(x.f * 8 + 2);
      const body = w.begin(1);
      writeFields(w, x.msg, shape);
      w.finish(body, 1);
    } else {
      w.tag(x.f * 8 + 3);
      writeFields(w, x.group, {});
      w.tag(x.f * 8 + 4);
    }
  }
}

function pb(fields: Field[], shape: Shape = {}): Uint8Array {
  const w = new ProtoWriter(256);
  writeFields(w, fields, shape);
  return w.toBytes();
}

function idBytes(hexId: string): Uint8Array {
  return new Uint8Array(Buffer.from(hexId, 'hex'));
}

const kv = (key: string, value: Field[]): Field => ({ f: 0, msg: [{ f: 1, bytes: key }, { f: 2, msg: value }] });
const attr = (field: number, key: string, value: Field[]): Field => ({ ...kv(key, value), f: field });

/** A request using every message and field, for shape (order / unknown field) tests. */
function everyFieldRequest(): Field[] {
  const anyValues: Field[] = [
    attr(9, 's', [{ f: 1, bytes: 'str' }]),
    attr(9, 'b', [{ f: 2, varint: 1 }]),
    attr(9, 'i', [{ f: 3, varint: -5n }]),
    attr(9, 'd', [{ f: 4, fixed64: 0x3ff8000000000000n }]),
    attr(9, 'y', [{ f: 7, bytes: new Uint8Array([1, 2, 3]) }]),
    attr(9, 'a', [{ f: 5, msg: [{ f: 1, msg: [{ f: 1, bytes: 'x' }] }, { f: 1, msg: [] }] }]),
    attr(9, 'k', [{ f: 6, msg: [{ f: 1, msg: [{ f: 1, bytes: 'inner' }, { f: 2, msg: [{ f: 3, varint: 9 }] }] }] }]),
    attr(9, 'e', []),
  ];
  const span: Field[] = [
    { f: 1, bytes: idBytes(TRACE_A) },
    { f: 2, bytes: idBytes('b7ad6b7169203331') },
    { f: 3, bytes: 'ts=1' },
    { f: 4, bytes: idBytes('0102030405060708') },
    { f: 5, bytes: 'op' },
    { f: 6, varint: 3 },
    { f: 7, fixed64: 1_700_000_000_000_000_000n },
    { f: 8, fixed64: 1_700_000_000_500_000_000n },
    ...anyValues,
    { f: 10, varint: 1 },
    { f: 11, msg: [{ f: 1, fixed64: 1_700_000_000_100_000_000n }, { f: 2, bytes: 'exception' }, attr(3, 'ek', [{ f: 1, bytes: 'ev' }]), { f: 4, varint: 2 }] },
    { f: 12, varint: 3 },
    { f: 13, msg: [{ f: 1, bytes: idBytes(TRACE_B) }, { f: 2, bytes: idBytes('1112131415161718') }, { f: 3, bytes: 'l=1' }, attr(4, 'lk', [{ f: 2, varint: 0 }]), { f: 5, varint: 4 }, { f: 6, fixed32: 0x301 }] },
    { f: 14, varint: 5 },
    { f: 15, msg: [{ f: 2, bytes: 'bad' }, { f: 3, varint: 2 }] },
    { f: 16, fixed32: 0x101 },
  ];
  return [
    {
      f: 1,
      msg: [
        { f: 1, msg: [attr(1, 'service.name', [{ f: 1, bytes: 'svc' }]), { f: 2, varint: 7 }] },
        {
          f: 2,
          msg: [
            { f: 1, msg: [{ f: 1, bytes: 'scope' }, { f: 2, bytes: '9.9' }, attr(3, 'sk', [{ f: 1, bytes: 'sv' }]), { f: 4, varint: 8 }] },
            { f: 2, msg: span },
            { f: 3, bytes: 'https://scope.schema' },
          ],
        },
        { f: 3, bytes: 'https://resource.schema' },
      ],
    },
  ];
}

function assertDecodeErrorOrResult(bytes: Uint8Array): SpanBatch | undefined {
  try {
    return decodeExportTraceServiceRequest(bytes).batch;
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    assert.match(e.message, /^otlp-proto: .* at offset \d+/);
    return undefined;
  }
}

function assertDecodeError(bytes: Uint8Array, message: string | RegExp): void {
  assert.throws(
    () => decodeExportTraceServiceRequest(bytes),
    (e) => e instanceof DecodeError && (typeof message === 'string' ? e.message === message : message.test(e.message)),
  );
}

function spanIds(batch: SpanBatch): string[] {
  return Array.from({ length: batch.length }, (_, i) => hex(batch.spanId, i * 8, 8));
}

/** Lengths of every column agree with the counts (what a consumer relies on). */
function assertConsistent(b: SpanBatch): void {
  assert.equal(b.traceId.length, b.length * 16);
  assert.equal(b.name.length, b.length);
  for (let i = 0; i < b.length; i++) {
    assert.ok(b.resource[i]! < b.resources.length);
    assert.ok(b.scope[i]! < b.scopes.length);
  }
  for (const [a, owners] of [
    [b.attributes, b.length],
    [b.events.attributes, b.events.length],
    [b.links.attributes, b.links.length],
    [b.resources.attributes, b.resources.length],
    [b.scopes.attributes, b.scopes.length],
  ] as const) {
    assert.equal(a.key.length, a.length);
    for (let r = 0; r < a.length; r++) assert.ok(a.owner[r]! < owners);
  }
  for (let e = 0; e < b.events.length; e++) assert.ok(b.events.owner[e]! < b.length);
  for (let l = 0; l < b.links.length; l++) assert.ok(b.links.owner[l]! < b.length);
}

// ---- tests ---------------------------------------------------------------------

describe('decodeExportTraceServiceRequest', () => {
  it('decodes every field of hand-built SDK spans serialized by ProtobufTraceSerializer', () => {
    const spans = handBuiltSpans();
    const { batch, rejectedSpans, rejectMessage } = decodeExportTraceServiceRequest(serialize(spans));
    assert.equal(rejectedSpans, 0);
    assert.equal(rejectMessage, '');
    assertBatchMatches(batch, spans);
    assert.equal(batch.resources.length, 2);
    assert.equal(batch.scopes.length, 3);
    assert.equal(batch.resources.serviceName[1], '', 'a non-string service.name is not denormalised');
  });

  it('stores arrays and kvlists as canonical OTLP JSON and bytes as base64', () => {
    const { batch } = decodeExportTraceServiceRequest(serialize(handBuiltSpans()));
    const value = (key: string): string => batch.attributes.str[batch.attributes.key.indexOf(key)]!;
    assert.equal(value('raw'), 'AAEC+v8=');
    assert.equal(value('int.array'), '{"arrayValue":{"values":[{"intValue":"1"},{"intValue":"-2"},{"intValue":"3"}]}}');
    assert.equal(
      value('mixed.array'),
      '{"arrayValue":{"values":[{"doubleValue":1.5},{"boolValue":true},{"stringValue":"x"},{},{"bytesValue":"CQ=="}]}}',
    );
    assert.equal(
      value('nested'),
      '{"kvlistValue":{"values":[{"key":"a","value":{"intValue":"1"}},{"key":"b","value":{"kvlistValue":{"values":' +
        '[{"key":"c","value":{"stringValue":"d"}},{"key":"e","value":{"arrayValue":{"values":[{"intValue":"1"},' +
        '{"kvlistValue":{"values":[{"key":"f","value":{"boolValue":false}}]}}]}}}]}}},{"key":"g","value":{"arrayValue":{"values":[]}}}]}}',
    );
    const negative = batch.attributes.key.indexOf('negative');
    assert.equal(batch.attributes.int[negative], -42n);
    assert.equal(batch.attributes.int[batch.attributes.key.indexOf('big')], 2n ** 60n);
    assert.ok(Number.isNaN(batch.attributes.num[batch.attributes.key.indexOf('not.a.number')]));
  });

  it('produces the same batch as the OTLP/JSON decoder for the same SDK spans', () => {
    // The SDK's JSON serializer writes doubles as JSON numbers, so leave out what
    // JSON cannot carry that way: NaN, infinities and integers past 2^53.
    const jsonSafe = new Set(['big', 'not.a.number', 'to.infinity', 'minus.infinity']);
    const spans = handBuiltSpans().map((s) => {
      const attributes = Object.fromEntries(Object.entries(s.attributes).filter(([k]) => !jsonSafe.has(k)));
      return Object.assign(Object.create(Object.getPrototypeOf(s) as object) as object, s, { attributes }) as ReadableSpan;
    });
    const json = JsonTraceSerializer.serializeRequest(spans);
    assert.ok(json);
    assert.deepEqual(decodeExportTraceServiceRequest(serialize(spans)), decodeOtlpJsonTraces(json));
  });

  it('decodes keys and values that share length, ends and middle to their own text, as the OTLP/JSON decoder does', () => {
    // The string cache hashes a string's length and first, middle and last four
    // bytes: these differ only in between, so they all fall in one set of its
    // table and evict each other (and short ones, under four bytes, too).
    const alike = (k: number): string => `abcd${'xyzw'[k % 4]}efghijkmno${k % 2 ? 'é' : 'e'}`;
    const spans = Array.from({ length: 40 }, (_, i) =>
      sdkSpan({
        name: alike(i),
        traceId: TRACE_A,
        spanId: (i + 1).toString(16).padStart(16, '0'),
        kind: SpanKind.INTERNAL,
        start: [1_700_000_000, i],
        end: [1_700_000_001, i],
        attributes: Object.fromEntries([0, 1, 2, 3, 4, 5].map((k) => [alike(i + k), k % 3 === 0 ? String.fromCharCode(97 + ((i + k) % 3)) : alike(i * k)])),
      }),
    );
    const json = JsonTraceSerializer.serializeRequest(spans);
    assert.ok(json);
    const batch = decodeExportTraceServiceRequest(serialize(spans)).batch;
    assert.deepEqual(batch, decodeOtlpJsonTraces(json).batch);
    const first = Object.entries(spans[0]!.attributes);
    assert.deepEqual(batch.attributes.key.slice(0, first.length), first.map(([key]) => key));
    assert.deepEqual(batch.attributes.str.slice(0, first.length), first.map(([, value]) => value));
  });

  it('decodes spans recorded by a real TracerProvider, parents, events, links and exceptions included', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'sdk-test', 'deployment.environment.name': 'test' }),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    const tracer = provider.getTracer('sdk-tracer', '0.0.1');
    const root = tracer.startSpan('handle request', { kind: SpanKind.SERVER, attributes: { 'http.route': '/a', retries: 2, ok: true, ratio: 0.5 } });
    const child = tracer.startSpan(
      'query',
      { kind: SpanKind.CLIENT, links: [{ context: root.spanContext(), attributes: { why: 'retry' } }] },
      trace.setSpan(context.active(), root),
    );
    child.setAttribute('db.rows', [1, 2, 3]);
    child.setAttribute('db.tables', ['a', 'b']);
    child.addEvent('fetched', { rows: 3 });
    child.recordException(new TypeError('boom'));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    child.end();
    root.end();
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 2);
    const { batch } = decodeExportTraceServiceRequest(serialize(spans));
    assertBatchMatches(batch, spans);
    assert.equal(batch.hasException[0], 1);
    assert.equal(batch.resources.serviceName[0], 'sdk-test');
    await provider.shutdown();
  });

  it('decodes an empty request to an empty batch', () => {
    const { batch, rejectedSpans } = decodeExportTraceServiceRequest(new Uint8Array(0));
    assert.equal(batch.length, 0);
    assert.equal(batch.resources.length, 0);
    assert.equal(rejectedSpans, 0);
  });

  it('keeps no resource or scope that ends up without spans', () => {
    const request = everyFieldRequest();
    const emptyResource: Field = { f: 1, msg: [{ f: 1, msg: [attr(1, 'service.name', [{ f: 1, bytes: 'idle' }])] }] };
    const emptyScope: Field = { f: 2, msg: [{ f: 1, msg: [{ f: 1, bytes: 'unused-scope' }] }] };
    const resourceSpans = request[0] as { f: number; msg: Field[] };
    const withEmpties = pb([emptyResource, { f: 1, msg: [emptyScope, ...resourceSpans.msg, emptyScope] }, emptyResource]);
    const { batch } = decodeExportTraceServiceRequest(withEmpties);
    assert.deepEqual(batch, decodeExportTraceServiceRequest(pb(request)).batch);
  });

  it('decodes fields in any order: scope after spans, resource after scope_spans, key after value', () => {
    const inOrder = decodeExportTraceServiceRequest(pb(everyFieldRequest())).batch;
    const reversed = decodeExportTraceServiceRequest(pb(everyFieldRequest(), { reverse: true })).batch;
    assert.deepEqual(reversed, inOrder);
    assert.equal(inOrder.length, 1);
    assert.equal(inOrder.scopes.name[0], 'scope');
    assert.equal(inOrder.resources.serviceName[0], 'svc');
    assert.equal(inOrder.resources.droppedAttributesCount[0], 7);
    assert.equal(inOrder.droppedLinksCount[0], 5);
    assert.equal(inOrder.hasException[0], 1);
    assert.equal(inOrder.attributes.key.length, 8);
  });

  it('skips unknown fields of every wire type, groups included, in every message', () => {
    const plain = decodeExportTraceServiceRequest(pb(everyFieldRequest())).batch;
    const noisy = decodeExportTraceServiceRequest(pb(everyFieldRequest(), { unknowns: true })).batch;
    assert.deepEqual(noisy, plain);
  });

  it('lets the last of repeated scalar fields win and merges repeated messages', () => {
    const span: Field[] = [
      { f: 1, bytes: idBytes(TRACE_A) },
      { f: 2, bytes: idBytes('0000000000000001') },
      { f: 5, bytes: 'first' },
      { f: 5, bytes: 'second' },
      { f: 9, msg: [{ f: 1, bytes: 'k' }, { f: 2, msg: [{ f: 1, bytes: 'str' }, { f: 3, varint: 7 }] }] },
    ];
    const bytes = pb([
      { f: 1, msg: [{ f: 1, msg: [attr(1, 'a', [])] }, { f: 2, msg: [{ f: 2, msg: span }] }, { f: 1, msg: [attr(1, 'b', [])] }] },
    ]);
    const { batch } = decodeExportTraceServiceRequest(bytes);
    assert.equal(batch.name[0], 'second');
    assert.equal(batch.attributes.type[0], ValueType.Int, 'the last oneof member set wins');
    assert.equal(batch.attributes.int[0], 7n);
    assert.deepEqual(batch.resources.attributes.key, ['a', 'b']);
  });

  it('decodes invalid UTF-8 with replacement characters instead of failing', () => {
    const span: Field[] = [
      { f: 1, bytes: idBytes(TRACE_A) },
      { f: 2, bytes: idBytes('0000000000000001') },
      { f: 5, bytes: new Uint8Array([0x66, 0xff, 0x6f, 0xc3]) },
    ];
    const { batch } = decodeExportTraceServiceRequest(pb([{ f: 1, msg: [{ f: 2, msg: [{ f: 2, msg: span }] }] }]));
    assert.equal(batch.name[0], 'f\uFFFDo\uFFFD');
  });

  it('rejects spans with invalid ids, counts them, names the first reason and keeps the rest', () => {
    const span = (name: string, traceId: Uint8Array, spanId: Uint8Array, parent?: Uint8Array): Field => ({
      f: 2,
      msg: [
        { f: 1, bytes: traceId },
        { f: 2, bytes: spanId },
        ...(parent ? [{ f: 4, bytes: parent }] : []),
        { f: 5, bytes: name },
        attr(9, 'span.attr', [{ f: 1, bytes: name }]),
        { f: 11, msg: [{ f: 2, bytes: `${name}.event` }, attr(3, 'e', [{ f: 2, varint: 1 }])] },
        { f: 13, msg: [{ f: 1, bytes: idBytes(TRACE_B) }, { f: 2, bytes: idBytes('0000000000000009') }, attr(4, 'l', [])] },
      ],
    });
    const good = idBytes(TRACE_A);
    const spanId = idBytes('0000000000000001');
    const bytes = pb([
      {
        f: 1,
        msg: [
          {
            f: 2,
            msg: [
              span('ok-1', good, spanId),
              span('GET /x', new Uint8Array([1, 2, 3]), spanId),
              span('zero-trace', new Uint8Array(16), spanId),
              span('zero-span', good, new Uint8Array(8)),
              span('short-span', good, new Uint8Array([1])),
              span('bad-parent', good, spanId, new Uint8Array([1, 2, 3, 4, 5])),
              span('no-ids', new Uint8Array(0), new Uint8Array(0)),
              span('ok-2', good, spanId, new Uint8Array(0)),
            ],
          },
        ],
      },
    ]);
    const { batch, rejectedSpans, rejectMessage } = decodeExportTraceServiceRequest(bytes);
    assert.equal(rejectedSpans, 6);
    assert.equal(rejectMessage, '6 spans rejected: invalid trace_id (length 3) in span "GET /x"');
    assert.deepEqual(batch.name, ['ok-1', 'ok-2']);
    assert.deepEqual([...batch.attributes.owner], [0, 1]);
    assert.deepEqual(batch.attributes.str, ['ok-1', 'ok-2']);
    assert.deepEqual(batch.events.name, ['ok-1.event', 'ok-2.event']);
    assert.deepEqual([...batch.events.owner], [0, 1]);
    assert.deepEqual([...batch.events.attributes.owner], [0, 1]);
    assert.deepEqual([...batch.links.owner], [0, 1]);
    assert.deepEqual([...batch.links.attributes.owner], [0, 1]);
    assert.equal(hex(batch.parentSpanId, 8, 8), '0000000000000000', 'an empty parent_span_id is a root');

    const one = decodeExportTraceServiceRequest(pb([{ f: 1, msg: [{ f: 2, msg: [span('p', good, spanId, new Uint8Array(3))] }] }]));
    assert.equal(one.rejectMessage, '1 span rejected: invalid parent_span_id (length 3) in span "p"');
  });

  it('drops a link with ids of the wrong length into dropped_links_count and keeps its span', () => {
    const span: Field[] = [
      { f: 1, bytes: idBytes(TRACE_A) },
      { f: 2, bytes: idBytes('0000000000000001') },
      { f: 13, msg: [{ f: 1, bytes: new Uint8Array(5) }, attr(4, 'gone', [])] },
      { f: 13, msg: [attr(4, 'kept', [])] },
      { f: 14, varint: 2 },
    ];
    const { batch, rejectedSpans } = decodeExportTraceServiceRequest(pb([{ f: 1, msg: [{ f: 2, msg: [{ f: 2, msg: span }] }] }]));
    assert.equal(rejectedSpans, 0);
    assert.equal(batch.links.length, 1);
    assert.deepEqual(batch.links.attributes.key, ['kept']);
    assert.equal(batch.droppedLinksCount[0], 3);
  });

  it('accepts AnyValues nested 64 deep with the same JSON as the JSON path, and refuses 65', () => {
    const nested = (levels: number): { proto: Field[]; json: unknown } => {
      let proto: Field[] = [{ f: 1, bytes: 'leaf' }];
      let json: unknown = { stringValue: 'leaf' };
      for (let level = levels - 1; level >= 1; level--) {
        proto = [{ f: 5, msg: [{ f: 1, msg: proto }] }];
        json = { arrayValue: { values: [json] } };
      }
      return { proto, json };
    };
    const request = (value: Field[]): Uint8Array =>
      pb([{ f: 1, msg: [{ f: 2, msg: [{ f: 2, msg: [{ f: 1, bytes: idBytes(TRACE_A) }, { f: 2, bytes: idBytes('0000000000000001') }, attr(9, 'deep', value)] }] }] }]);
    const ok = nested(64);
    const { batch } = decodeExportTraceServiceRequest(request(ok.proto));
    assert.equal(batch.attributes.str[0], canonicalAnyValueJson(ok.json));
    assert.throws(() => decodeExportTraceServiceRequest(request(nested(65).proto)), (e) => e instanceof DecodeError && /nested deeper than 64/.test(e.message));
    assert.throws(() => canonicalAnyValueJson(nested(65).json), DecodeError);
  });

  it('refuses a hostile 100000-deep AnyValue with a DecodeError, not a stack overflow', () => {
    // Built inside out without recursion: each level is tag, length, then the level below.
    const levels = 100_000;
    const sizes = new Array<number>(levels + 1);
    sizes[levels] = 3; // string_value "x": tag, length, byte
    const varintSize = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : 4);
    for (let l = levels - 1; l >= 1; l--) {
      const element = 1 + varintSize(sizes[l + 1]!) + sizes[l + 1]!; // ArrayValue.values
      sizes[l] = 1 + varintSize(element) + element; // AnyValue.array_value
    }
    const w = new ProtoWriter(sizes[1]! + 64);
    w.tag(10); // ResourceSpans
    const rs = w.begin(4);
    w.tag(18);
    const ss = w.begin(4);
    w.tag(18);
    const sp = w.begin(4);
    w.tag(74);
    const kvBody = w.begin(4);
    w.tag(18);
    w.uint32(sizes[1]!);
    for (let l = 1; l < levels; l++) {
      const element = 1 + varintSize(sizes[l + 1]!) + sizes[l + 1]!;
      w.tag(42);
      w.uint32(element);
      w.tag(10);
      w.uint32(sizes[l + 1]!);
    }
    w.tag(10);
    w.string('x');
    w.finish(kvBody, 4);
    w.finish(sp, 4);
    w.finish(ss, 4);
    w.finish(rs, 4);
    assert.throws(() => decodeExportTraceServiceRequest(w.toBytes()), (e) => e instanceof DecodeError && /nested deeper than 64/.test(e.message));
  });

  it('names the problem and its offset for a length that runs past the end', () => {
    const bytes = new Uint8Array(40);
    bytes.set([0x0a, 0xa0, 0x1f]); // field 1, length 4000
    assertDecodeError(bytes, 'otlp-proto: length 4000 at offset 1 runs past the end (size 40)');
    assertDecodeError(new Uint8Array([0x0a, 0x02, 0x12, 0x05, 0x00]), 'otlp-proto: length 5 at offset 3 runs past the end (message ends at offset 4)');
    assertDecodeError(new Uint8Array([0x10, 0xff, 0xff]), 'otlp-proto: truncated varint at offset 1');
    assertDecodeError(new Uint8Array([0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 'otlp-proto: varint longer than 10 bytes at offset 1');
    assertDecodeError(new Uint8Array([0x17]), 'otlp-proto: invalid wire type 7 for field 2 at offset 1');
    assertDecodeError(new Uint8Array([0x00]), 'otlp-proto: invalid field number 0 at offset 0');
  });

  it('refuses a known field with the wrong wire type', () => {
    const span: Field[] = [{ f: 7, bytes: 'not a fixed64' }];
    assertDecodeError(
      pb([{ f: 1, msg: [{ f: 2, msg: [{ f: 2, msg: span }] }] }]),
      'otlp-proto: field 7 of Span has wire type 2, expected 1, at offset 6',
    );
    assertDecodeError(pb([{ f: 1, varint: 1 }]), /field 1 of ExportTraceServiceRequest has wire type 0/);
  });

  it('decodes every truncation of a valid request to a prefix of its spans or a DecodeError', () => {
    const bytes = serialize(handBuiltSpans());
    const full = spanIds(decodeExportTraceServiceRequest(bytes).batch);
    let decoded = 0;
    for (let cut = 0; cut < bytes.length; cut++) {
      const batch = assertDecodeErrorOrResult(bytes.subarray(0, cut));
      if (batch === undefined) continue;
      decoded++;
      assertConsistent(batch);
      assert.deepEqual(spanIds(batch), full.slice(0, batch.length), `cut at ${cut}`);
    }
    assert.ok(decoded >= 2, 'cuts at ResourceSpans boundaries decode');
  });

  it('decodes randomly corrupted requests to a consistent batch or a DecodeError', () => {
    const bytes = serialize(handBuiltSpans());
    const random = seededRandom(20240601);
    for (let round = 0; round < 3000; round++) {
      const corrupt = bytes.slice();
      const flips = 1 + Math.floor(random() * 4);
      for (let k = 0; k < flips; k++) corrupt[Math.floor(random() * corrupt.length)] ^= 1 << Math.floor(random() * 8);
      const batch = assertDecodeErrorOrResult(corrupt);
      if (batch !== undefined) assertConsistent(batch);
    }
  });

  it('hands out batches that share nothing with the requests decoded after them (the builder is reused)', () => {
    const small = serialize(handBuiltSpans().slice(0, 2));
    const first = decodeExportTraceServiceRequest(small);
    const kept = structuredClone(first);
    const spans = handBuiltSpans();
    const big = decodeExportTraceServiceRequest(serialize([...spans, ...spans, ...spans])).batch;
    assert.equal(big.length, spans.length * 3);
    assertDecodeErrorOrResult(serialize(spans).subarray(0, 40));
    assert.deepEqual(decodeExportTraceServiceRequest(small), kept, 'decoded again after a larger and a failed request');
    assert.deepEqual(first, kept, 'the first batch untouched by the later decodes');
  });

  it('decodes a request held in a larger buffer at a non-zero offset', () => {
    const bytes = serialize(handBuiltSpans());
    const padded = new Uint8Array(bytes.length + 11);
    padded.set(bytes, 7);
    const inner = padded.subarray(7, 7 + bytes.length);
    assert.deepEqual(decodeExportTraceServiceRequest(inner), decodeExportTraceServiceRequest(bytes));
  });
});
