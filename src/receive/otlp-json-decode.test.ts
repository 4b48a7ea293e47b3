import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  context,
  createTraceState,
  trace,
  type HrTime,
} from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { DecodeError } from '../model/errors.js';
import { hexOf } from '../model/hex.js';
import { ValueType, type AttributeColumns, type SpanBatch } from '../model/span-batch.js';
import { quoteLongIntegers } from './json-exact-integers.js';
import { decodeOtlpJsonTraces } from './otlp-json-decode.js';
import { decodeExportTraceServiceRequest } from './otlp-proto-decode.js';

/** One attribute row as a comparable value: scalars as JS values, others tagged. */
type Row = [key: string, value: unknown];

function rowsOf(a: AttributeColumns, owner: number): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a.owner[i] !== owner) continue;
    const key = a.key[i]!;
    switch (a.type[i]) {
      case ValueType.String:
        rows.push([key, a.str[i]]);
        break;
      case ValueType.Bool:
        rows.push([key, a.num[i] === 1]);
        break;
      case ValueType.Int:
        rows.push([key, a.int[i]]);
        break;
      case ValueType.Double:
        rows.push([key, a.num[i]]);
        break;
      case ValueType.Bytes:
        rows.push([key, { bytes: a.str[i] }]);
        break;
      case ValueType.Array:
        rows.push([key, { array: a.str[i] }]);
        break;
      case ValueType.KvList:
        rows.push([key, { kvlist: a.str[i] }]);
        break;
      default:
        rows.push([key, null]);
    }
  }
  return rows;
}

/** Rows the OTLP transformer makes of scalar SDK attributes (arrays are checked one by one). */
function expectedScalarRows(attributes: Record<string, unknown>): Row[] {
  return Object.entries(attributes).map(([key, v]): Row => {
    if (typeof v === 'number' && Number.isInteger(v)) return [key, BigInt(v)];
    if (Array.isArray(v)) return [key, { array: `<${key}>` }];
    return [key, v];
  });
}

function withArraysMasked(rows: Row[]): Row[] {
  return rows.map(([key, v]): Row => (v !== null && typeof v === 'object' && 'array' in v ? [key, { array: `<${key}>` }] : [key, v]));
}

function nanos(t: HrTime): bigint {
  return BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
}

function spanIndexById(batch: SpanBatch, spanIdHex: string): number {
  for (let i = 0; i < batch.length; i++) if (hexOf(batch.spanId, i * 8, 8) === spanIdHex) return i;
  throw new Error(`span ${spanIdHex} not in batch`);
}

function indicesOwnedBy(owner: Uint32Array, length: number, parent: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < length; i++) if (owner[i] === parent) out.push(i);
  return out;
}

/** Ids from a counter, so the SDK's spans are the same on every run. */
function counterIds(): { generateTraceId(): string; generateSpanId(): string } {
  let next = 1;
  return {
    generateTraceId: () => (next++).toString(16).padStart(32, 'ab'),
    generateSpanId: () => (next++).toString(16).padStart(16, 'c'),
  };
}

async function sdkSpans(): Promise<ReadableSpan[]> {
  const idGenerator = counterIds();
  const checkoutExporter = new InMemorySpanExporter();
  const checkout = new TracerProvider({
    resource: resourceFromAttributes(
      {
        'service.name': 'checkout',
        'host.cores': 8,
        'deployment.canary': true,
        'load.ratio': 0.75,
        'deployment.zones': ['eu-west-1a', 'eu-west-1b'],
      },
      { schemaUrl: 'https://opentelemetry.io/schemas/1.24.0' },
    ),
    idGenerator,
    spanProcessors: [new SimpleSpanProcessor({ exporter: checkoutExporter })],
  });
  const http = checkout.getTracer('http-server', '2.0.1', { schemaUrl: 'https://example.com/scope-schema' });
  const db = checkout.getTracer('db-client');

  const root = http.startSpan('GET /cart', {
    kind: SpanKind.SERVER,
    startTime: [1_700_000_000, 123_456_789],
    attributes: {
      'http.route': '/cart',
      'http.ok': false,
      'http.status_code': 404,
      'http.duration_ratio': 0.125,
      'http.negative': -17,
      'http.tags': ['a', 'b', 'c'],
      'http.sizes': [1, 2.5, -3],
      'http.flags': [true, false],
    },
  });
  root.addEvent('cache.miss', { 'cache.key': 'cart:42', 'cache.attempt': 2, 'cache.hit_ratio': 0.5 }, [1_700_000_000, 200_000_000]);
  root.recordException(new Error('cart not found'), [1_700_000_000, 300_000_000]);
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'cart not found' });

  const rootContext = trace.setSpan(context.active(), root);
  const query = db.startSpan(
    'SELECT cart',
    {
      kind: SpanKind.CLIENT,
      startTime: [1_700_000_000, 150_000_000],
      links: [{ context: root.spanContext(), attributes: { 'link.reason': 'retry-of', 'link.attempt': 1 } }],
    },
    rootContext,
  );
  query.setStatus({ code: SpanStatusCode.OK });
  query.end([1_700_000_000, 250_000_000]);
  for (const [name, kind] of [
    ['enqueue', SpanKind.PRODUCER],
    ['dequeue', SpanKind.CONSUMER],
    ['render', SpanKind.INTERNAL],
  ] as const) {
    http.startSpan(name, { kind, startTime: [1_700_000_001, 0] }, rootContext).end([1_700_000_001, 1]);
  }
  root.end([1_700_000_000, 987_654_321]);

  const paymentsExporter = new InMemorySpanExporter();
  const payments = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'payments' }),
    idGenerator,
    spanProcessors: [new SimpleSpanProcessor({ exporter: paymentsExporter })],
  });
  const remoteParent = trace.setSpanContext(context.active(), {
    traceId: 'f'.repeat(32),
    spanId: 'e'.repeat(16),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: createTraceState('vendor=a,other=b'),
  });
  payments
    .getTracer('grpc-server', '0.9.0')
    .startSpan('Charge', { kind: SpanKind.SERVER, startTime: [1_700_000_002, 0] }, remoteParent)
    .end([1_700_000_002, 5_000]);

  await checkout.forceFlush();
  await payments.forceFlush();
  return [...checkoutExporter.getFinishedSpans(), ...paymentsExporter.getFinishedSpans()];
}

describe('decodeOtlpJsonTraces on the OpenTelemetry JSON serializer output', () => {
  it('decodes every span field, attribute, event, link, resource and scope the SDK sent', async () => {
    const spans = await sdkSpans();
    const body = JsonTraceSerializer.serializeRequest(spans);
    assert.ok(body);
    const { batch, rejectedSpans, rejectMessage } = decodeOtlpJsonTraces(body);
    assert.equal(rejectedSpans, 0);
    assert.equal(rejectMessage, '');
    assert.equal(batch.length, spans.length);

    for (const span of spans) {
      const ctx = span.spanContext();
      const i = spanIndexById(batch, ctx.spanId);
      assert.equal(hexOf(batch.traceId, i * 16, 16), ctx.traceId);
      assert.equal(hexOf(batch.parentSpanId, i * 8, 8), span.parentSpanContext?.spanId ?? '0'.repeat(16));
      assert.equal(batch.traceState[i], ctx.traceState?.serialize() ?? '');
      const remoteBit = span.parentSpanContext?.isRemote ? 0x200 : 0;
      assert.equal(batch.flags[i], ctx.traceFlags | 0x100 | remoteBit);
      assert.equal(batch.name[i], span.name);
      assert.equal(batch.kind[i], span.kind + 1);
      assert.equal(batch.startTimeUnixNano[i], nanos(span.startTime));
      assert.equal(batch.endTimeUnixNano[i], nanos(span.endTime));
      assert.equal(batch.statusCode[i], span.status.code);
      assert.equal(batch.statusMessage[i], span.status.message ?? '');
      assert.equal(batch.droppedAttributesCount[i], span.droppedAttributesCount);
      assert.equal(batch.droppedEventsCount[i], span.droppedEventsCount);
      assert.equal(batch.droppedLinksCount[i], span.droppedLinksCount);
      assert.equal(batch.hasException[i], span.events.some((e) => e.name === 'exception') ? 1 : 0);
      assert.deepEqual(withArraysMasked(rowsOf(batch.attributes, i)), expectedScalarRows(span.attributes));

      const r = batch.resource[i]!;
      assert.equal(batch.resources.serviceName[r], span.resource.attributes['service.name']);
      assert.equal(batch.resources.schemaUrl[r], span.resource.schemaUrl ?? '');
      assert.deepEqual(withArraysMasked(rowsOf(batch.resources.attributes, r)), expectedScalarRows(span.resource.attributes));
      const s = batch.scope[i]!;
      assert.equal(batch.scopes.name[s], span.instrumentationScope.name);
      assert.equal(batch.scopes.version[s], span.instrumentationScope.version ?? '');
      assert.equal(batch.scopes.schemaUrl[s], span.instrumentationScope.schemaUrl ?? '');

      const events = indicesOwnedBy(batch.events.owner, batch.events.length, i);
      assert.equal(events.length, span.events.length);
      events.forEach((e, k) => {
        const sent = span.events[k]!;
        assert.equal(batch.events.name[e], sent.name);
        assert.equal(batch.events.timeUnixNano[e], nanos(sent.time));
        assert.equal(batch.events.droppedAttributesCount[e], sent.droppedAttributesCount ?? 0);
        assert.deepEqual(rowsOf(batch.events.attributes, e), expectedScalarRows(sent.attributes ?? {}));
      });

      const links = indicesOwnedBy(batch.links.owner, batch.links.length, i);
      assert.equal(links.length, span.links.length);
      links.forEach((l, k) => {
        const sent = span.links[k]!;
        assert.equal(hexOf(batch.links.traceId, l * 16, 16), sent.context.traceId);
        assert.equal(hexOf(batch.links.spanId, l * 8, 8), sent.context.spanId);
        assert.equal(batch.links.flags[l], sent.context.traceFlags | 0x100);
        assert.deepEqual(rowsOf(batch.links.attributes, l), expectedScalarRows(sent.attributes ?? {}));
      });
    }

    assert.equal(batch.resources.length, 2);
    assert.deepEqual(batch.resources.serviceName, ['checkout', 'payments']);
    assert.deepEqual([...batch.scopes.name].sort(), ['db-client', 'grpc-server', 'http-server']);
    assert.deepEqual([...batch.kind].sort(), [1, 2, 2, 3, 4, 5]);
  });

  it('gives the same batch as the protobuf decoder for the same spans', async () => {
    const spans = await sdkSpans();
    const fromJson = decodeOtlpJsonTraces(JsonTraceSerializer.serializeRequest(spans)!);
    const fromProto = decodeExportTraceServiceRequest(ProtobufTraceSerializer.serializeRequest(spans)!);
    assert.deepEqual(fromJson, fromProto);
  });

  it('stores array attributes as canonical OTLP JSON with ints as decimal strings', async () => {
    const spans = await sdkSpans();
    const { batch } = decodeOtlpJsonTraces(JsonTraceSerializer.serializeRequest(spans)!);
    const root = spanIndexById(batch, spans.find((s) => s.name === 'GET /cart')!.spanContext().spanId);
    const arrays = Object.fromEntries(rowsOf(batch.attributes, root).filter(([k]) => k.startsWith('http.') && /tags|sizes|flags/.test(k)));
    assert.deepEqual(arrays, {
      'http.tags': { array: '{"arrayValue":{"values":[{"stringValue":"a"},{"stringValue":"b"},{"stringValue":"c"}]}}' },
      'http.sizes': { array: '{"arrayValue":{"values":[{"intValue":"1"},{"doubleValue":2.5},{"intValue":"-3"}]}}' },
      'http.flags': { array: '{"arrayValue":{"values":[{"boolValue":true},{"boolValue":false}]}}' },
    });
    assert.deepEqual(rowsOf(batch.resources.attributes, 0).at(-1), [
      'deployment.zones',
      { array: '{"arrayValue":{"values":[{"stringValue":"eu-west-1a"},{"stringValue":"eu-west-1b"}]}}' },
    ]);
  });
});

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';

function withSpans(spans: unknown[]): string {
  return JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ scope: { name: 'lib' }, spans }] }] });
}

function span(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { traceId: TRACE_ID, spanId: SPAN_ID, name: 'op', ...fields };
}

/** The decoded attribute rows of one span carrying `attributes`. */
function attributeRows(attributes: unknown[]): Row[] {
  const { batch } = decodeOtlpJsonTraces(withSpans([span({ attributes })]));
  return rowsOf(batch.attributes, 0);
}

describe('decodeOtlpJsonTraces on hand-written OTLP/JSON', () => {
  it('reads int64 values and times given as strings or as JSON numbers, exact beyond 2^53', () => {
    const body = `{"resourceSpans":[{"scopeSpans":[{"spans":[{
      "traceId":"${TRACE_ID}","spanId":"${SPAN_ID}",
      "startTimeUnixNano": 1700000000000000001, "endTimeUnixNano":"18446744073709551615",
      "attributes":[
        {"key":"small-number","value":{"intValue":42}},
        {"key":"small-string","value":{"intValue":"-42"}},
        {"key":"above-2^53","value":{"intValue": 9007199254740993}},
        {"key":"max-string","value":{"intValue":"9223372036854775807"}},
        {"key":"min-string","value":{"intValue":"-9223372036854775808"}},
        {"key":"max-number","value":{"intValue":9223372036854775807}},
        {"key":"min-number","value":{"intValue":-9223372036854775808}},
        {"key":"in-string","value":{"stringValue":"[:1234567890123456789, 12345678901234567]"}},
        {"key":"long-double","value":{"doubleValue":12345678901234567890}},
        {"key":"short-double","value":{"doubleValue":1.5e300}},
        {"key":"exponent","value":{"intValue":1e3}}
      ]}]}]}]}`;
    const { batch } = decodeOtlpJsonTraces(body);
    assert.equal(batch.startTimeUnixNano[0], 1_700_000_000_000_000_001n);
    // fixed64 max keeps its bits in the signed column
    assert.equal(batch.endTimeUnixNano[0], -1n);
    assert.deepEqual(rowsOf(batch.attributes, 0), [
      ['small-number', 42n],
      ['small-string', -42n],
      ['above-2^53', 9_007_199_254_740_993n],
      ['max-string', 9_223_372_036_854_775_807n],
      ['min-string', -9_223_372_036_854_775_808n],
      ['max-number', 9_223_372_036_854_775_807n],
      ['min-number', -9_223_372_036_854_775_808n],
      ['in-string', '[:1234567890123456789, 12345678901234567]'],
      ['long-double', 12345678901234567890],
      ['short-double', 1.5e300],
      ['exponent', 1000n],
    ]);
  });

  it('reads enums given as numbers or as names', () => {
    const { batch } = decodeOtlpJsonTraces(
      withSpans([
        span({ kind: 'SPAN_KIND_CONSUMER', status: { code: 'STATUS_CODE_ERROR', message: 'boom' } }),
        span({ kind: 3, status: { code: 1 } }),
        span({ kind: 'SPAN_KIND_UNSPECIFIED', status: { code: 'STATUS_CODE_UNSET' } }),
        span(),
      ]),
    );
    assert.deepEqual([...batch.kind], [5, 3, 0, 0]);
    assert.deepEqual([...batch.statusCode], [2, 1, 0, 0]);
    assert.deepEqual(batch.statusMessage, ['boom', '', '', '']);
  });

  it('accepts the proto snake_case field names', () => {
    const body = JSON.stringify({
      resource_spans: [
        {
          schema_url: 'https://r',
          resource: { attributes: [{ key: 'service.name', value: { string_value: 'snake' } }], dropped_attributes_count: 2 },
          scope_spans: [
            {
              schema_url: 'https://s',
              scope: { name: 'lib', version: '1', dropped_attributes_count: 3 },
              spans: [
                {
                  trace_id: TRACE_ID,
                  span_id: SPAN_ID,
                  parent_span_id: '0102030405060708',
                  trace_state: 'k=v',
                  name: 'snake-op',
                  start_time_unix_nano: '10',
                  end_time_unix_nano: 20,
                  attributes: [
                    { key: 'n', value: { int_value: '7' } },
                    { key: 'a', value: { array_value: { values: [{ bool_value: true }] } } },
                  ],
                  dropped_attributes_count: 4,
                  events: [{ time_unix_nano: '15', name: 'ev', dropped_attributes_count: 5 }],
                  dropped_events_count: 6,
                  links: [{ trace_id: TRACE_ID, span_id: '0102030405060708', trace_state: 'l=1', dropped_attributes_count: 7 }],
                  dropped_links_count: 8,
                },
              ],
            },
          ],
        },
      ],
    });
    const { batch } = decodeOtlpJsonTraces(body);
    assert.equal(batch.length, 1);
    assert.equal(batch.resources.schemaUrl[0], 'https://r');
    assert.equal(batch.resources.serviceName[0], 'snake');
    assert.equal(batch.resources.droppedAttributesCount[0], 2);
    assert.equal(batch.scopes.schemaUrl[0], 'https://s');
    assert.equal(batch.scopes.droppedAttributesCount[0], 3);
    assert.equal(hexOf(batch.traceId, 0, 16), TRACE_ID);
    assert.equal(hexOf(batch.parentSpanId, 0, 8), '0102030405060708');
    assert.equal(batch.traceState[0], 'k=v');
    assert.equal(batch.startTimeUnixNano[0], 10n);
    assert.equal(batch.endTimeUnixNano[0], 20n);
    assert.deepEqual(rowsOf(batch.attributes, 0), [
      ['n', 7n],
      ['a', { array: '{"arrayValue":{"values":[{"boolValue":true}]}}' }],
    ]);
    assert.deepEqual(
      [batch.droppedAttributesCount[0], batch.droppedEventsCount[0], batch.droppedLinksCount[0]],
      [4, 6, 8],
    );
    assert.equal(batch.events.timeUnixNano[0], 15n);
    assert.equal(batch.events.droppedAttributesCount[0], 5);
    assert.equal(hexOf(batch.links.spanId, 0, 8), '0102030405060708');
    assert.equal(batch.links.traceState[0], 'l=1');
    assert.equal(batch.links.droppedAttributesCount[0], 7);
  });

  it('reads hex ids in upper or lower case to the same bytes', () => {
    const { batch } = decodeOtlpJsonTraces(
      withSpans([
        span({ traceId: TRACE_ID.toUpperCase(), spanId: SPAN_ID.toUpperCase(), parentSpanId: 'ABCDEF0123456789' }),
        span({ parentSpanId: 'abcdef0123456789' }),
      ]),
    );
    assert.equal(hexOf(batch.traceId, 0, 16), TRACE_ID);
    assert.equal(hexOf(batch.traceId, 16, 16), TRACE_ID);
    assert.equal(hexOf(batch.spanId, 0, 8), SPAN_ID);
    assert.deepEqual(batch.parentSpanId.subarray(0, 8), batch.parentSpanId.subarray(8, 16));
    assert.deepEqual([...batch.traceId.subarray(0, 4)], [0x5b, 0x8e, 0xff, 0xf7]);
  });

  it('normalises bytesValue to standard padded base64', () => {
    assert.deepEqual(
      attributeRows([
        { key: 'std', value: { bytesValue: 'AQID' } },
        { key: 'unpadded', value: { bytesValue: 'AQ' } },
        { key: 'url-safe', value: { bytesValue: '-_-_' } },
        { key: 'empty', value: { bytesValue: '' } },
      ]),
      [
        ['std', { bytes: 'AQID' }],
        ['unpadded', { bytes: 'AQ==' }],
        ['url-safe', { bytes: '+/+/' }],
        ['empty', { bytes: '' }],
      ],
    );
  });

  it('writes nested kvlists and arrays in the canonical form whatever the input spelling', () => {
    const nested = {
      arrayValue: {
        values: [
          {
            kvlistValue: {
              values: [
                { value: { intValue: 1 }, key: 'a' },
                { key: 'b', value: { arrayValue: { values: [{ doubleValue: 'NaN' }, { doubleValue: '-Infinity' }, { doubleValue: '-0' }] } } },
                { key: 'c' },
                { key: 'd', value: { bytesValue: 'AQ' } },
              ],
            },
          },
          {},
          null,
          { stringValue: 'q"\n' },
          { arrayValue: {} },
        ],
      },
    };
    assert.deepEqual(attributeRows([{ key: 'nested', value: nested }, { key: 'kv', value: { kvlistValue: { values: [] } } }]), [
      [
        'nested',
        {
          array:
            '{"arrayValue":{"values":[{"kvlistValue":{"values":[{"key":"a","value":{"intValue":"1"}},' +
            '{"key":"b","value":{"arrayValue":{"values":[{"doubleValue":"NaN"},{"doubleValue":"-Infinity"},{"doubleValue":-0}]}}},' +
            '{"key":"c","value":{}},{"key":"d","value":{"bytesValue":"AQ=="}}]}},{},{},{"stringValue":"q\\"\\n"},' +
            '{"arrayValue":{"values":[]}}]}}',
        },
      ],
      ['kv', { kvlist: '{"kvlistValue":{"values":[]}}' }],
    ]);
  });

  it('replaces lone surrogates in canonical text as a trip through UTF-8 would', () => {
    assert.deepEqual(
      attributeRows([{ key: 'a', value: { kvlistValue: { values: [{ key: 'k\udc00', value: { stringValue: 'v\ud800' } }] } } }]),
      [['a', { kvlist: '{"kvlistValue":{"values":[{"key":"k\ufffd","value":{"stringValue":"v\ufffd"}}]}}' }]],
    );
  });

  it('stores an empty, null or missing AnyValue as an empty attribute', () => {
    assert.deepEqual(
      attributeRows([{ key: 'empty', value: {} }, { key: 'null', value: null }, { key: 'missing' }, { key: 'null-member', value: { stringValue: null } }]),
      [
        ['empty', null],
        ['null', null],
        ['missing', null],
        ['null-member', null],
      ],
    );
  });

  it('reads NaN and infinite doubles given as strings', () => {
    const rows = attributeRows([
      { key: 'nan', value: { doubleValue: 'NaN' } },
      { key: 'inf', value: { doubleValue: 'Infinity' } },
      { key: 'ninf', value: { doubleValue: '-Infinity' } },
      { key: 'str', value: { doubleValue: '2.5' } },
      { key: 'int', value: { doubleValue: 3 } },
    ]);
    assert.deepEqual(rows, [
      ['nan', NaN],
      ['inf', Infinity],
      ['ninf', -Infinity],
      ['str', 2.5],
      ['int', 3],
    ]);
  });

  it('takes proto defaults for missing fields and ignores unknown ones', () => {
    const { batch } = decodeOtlpJsonTraces(
      JSON.stringify({
        extra: 1,
        resourceSpans: [{ futureField: {}, scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: SPAN_ID, unknown: [1, 2] }] }] }],
      }),
    );
    assert.equal(batch.length, 1);
    assert.equal(batch.name[0], '');
    assert.equal(batch.kind[0], 0);
    assert.equal(batch.startTimeUnixNano[0], 0n);
    assert.equal(batch.flags[0], 0);
    assert.equal(hexOf(batch.parentSpanId, 0, 8), '0'.repeat(16));
    assert.deepEqual([batch.resources.length, batch.resources.serviceName[0], batch.resources.schemaUrl[0]], [1, '', '']);
    assert.deepEqual([batch.scopes.length, batch.scopes.name[0], batch.scopes.version[0]], [1, '', '']);
    assert.equal(decodeOtlpJsonTraces('{}').batch.length, 0);
    assert.equal(decodeOtlpJsonTraces('{"resourceSpans":null}').batch.length, 0);
  });

  it('decodes a UTF-8 body with a byte order mark and pretty-printed numbers', () => {
    const text = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span({ name: 'café ☕' })] }] }] }, null, 2).replace(
      '"name"',
      '"startTimeUnixNano":\n      1700000000000000123,\n      "name"',
    );
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
    const { batch } = decodeOtlpJsonTraces(bytes);
    assert.equal(batch.name[0], 'café ☕');
    assert.equal(batch.startTimeUnixNano[0], 1_700_000_000_000_000_123n);
  });

  it('takes the last service.name of a resource when it is a string, else leaves it empty', () => {
    const resourceSpans = (attributes: unknown[]): unknown => ({ resource: { attributes }, scopeSpans: [{ spans: [span()] }] });
    const body = JSON.stringify({
      resourceSpans: [
        resourceSpans([{ key: 'service.name', value: { intValue: 1 } }]),
        resourceSpans([
          { key: 'service.name', value: { stringValue: 'old' } },
          { key: 'a', value: { stringValue: 'x' } },
          { key: 'service.name', value: { stringValue: 'api' } },
        ]),
        resourceSpans([
          { key: 'service.name', value: { stringValue: 'shadowed' } },
          { key: 'service.name', value: { boolValue: true } },
        ]),
      ],
    });
    const { batch } = decodeOtlpJsonTraces(body);
    assert.deepEqual(batch.resources.serviceName, ['', 'api', '']);
    assert.deepEqual([...batch.resource], [0, 1, 2]);
  });
});

function assertDecodeError(body: Uint8Array | string, message: string | RegExp): void {
  assert.throws(
    () => decodeOtlpJsonTraces(body),
    (e: unknown) => {
      assert.ok(e instanceof DecodeError, `expected DecodeError, got ${String(e)}`);
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
  );
}

/** `depth` arrayValues nested inside each other around a string. */
function nestedArrays(depth: number): unknown {
  let v: unknown = { stringValue: 'core' };
  for (let d = 1; d < depth; d++) v = { arrayValue: { values: [v] } };
  return v;
}

describe('decodeOtlpJsonTraces on malformed requests', () => {
  const cases: [name: string, body: string | Uint8Array, message: string | RegExp][] = [
    ['a body that is not JSON', 'resourceSpans', /^otlp-json: body is not valid JSON: /],
    ['an empty body', '', /^otlp-json: body is not valid JSON: /],
    ['a pretty-printed body with a bad token, in one line', '{\n  "resourceSpans": x\n}', /^otlp-json: body is not valid JSON: [^\n]+$/],
    ['a body that is not UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), 'otlp-json: body is not valid UTF-8'],
    ['a top level that is an array', '[]', 'otlp-json: expected a JSON object at the top level, got array'],
    ['resourceSpans that is not an array', '{"resourceSpans":{}}', 'otlp-json: resourceSpans: expected array, got object'],
    ['resource_spans that is not an array', '{"resource_spans":"x"}', 'otlp-json: resource_spans: expected array, got "x"'],
    ['a resource that is not an object', '{"resourceSpans":[{"resource":[]}]}', 'otlp-json: resourceSpans[0].resource: expected object, got array'],
    [
      'a span that is not an object',
      withSpans([span(), 5]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[1]: expected object, got 5',
    ],
    [
      'a time that is not an integer string',
      JSON.stringify({
        resourceSpans: [{ scopeSpans: [{ spans: [] }, { spans: [span(), span(), span(), span({ startTimeUnixNano: 'abc' })] }] }],
      }),
      'otlp-json: resourceSpans[0].scopeSpans[1].spans[3].startTimeUnixNano: expected integer string, got "abc"',
    ],
    [
      'a snake_case time that is not an integer',
      withSpans([span({ start_time_unix_nano: 1.5 })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].start_time_unix_nano: expected integer, got 1.5',
    ],
    [
      'a negative time',
      withSpans([span({ endTimeUnixNano: '-1' })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano: integer out of fixed64 range: "-1"',
    ],
    [
      'a span kind name that does not exist',
      withSpans([span({ kind: 'SPAN_KIND_BOGUS' })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].kind: unknown SpanKind "SPAN_KIND_BOGUS"',
    ],
    [
      'a span kind number out of range',
      withSpans([span({ kind: 9 })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].kind: expected SpanKind 0..5 or its name, got 9',
    ],
    [
      'a status code name that does not exist',
      withSpans([span({ status: { code: 'STATUS_CODE_MAYBE' } })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].status.code: unknown StatusCode "STATUS_CODE_MAYBE"',
    ],
    [
      'a trace id with non-hex characters',
      withSpans([span({ traceId: 'W47/95gDgQPSabYzgT/GDA==' })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].traceId: expected hex string, got "W47/95gDgQPSabYzgT/GDA=="',
    ],
    [
      'a span id that is a number',
      withSpans([span({ spanId: 12 })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].spanId: expected hex string, got 12',
    ],
    [
      'a link span id with non-hex characters',
      withSpans([span({ links: [{ traceId: TRACE_ID, spanId: 'zz' }] })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].links[0].spanId: expected hex string, got "zz"',
    ],
    [
      'a name that is not a string',
      withSpans([span({ name: 5 })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].name: expected string, got 5',
    ],
    [
      'a negative dropped count',
      withSpans([span({ droppedAttributesCount: -1 })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].droppedAttributesCount: expected uint32, got -1',
    ],
    [
      'an intValue that is not an integer',
      withSpans([span({ attributes: [{ key: 'k', value: { stringValue: 'ok' } }, { key: 'n', value: { intValue: '12a' } }] })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].attributes[1].value.intValue: expected integer string, got "12a"',
    ],
    [
      'an intValue beyond int64',
      withSpans([span({ attributes: [{ key: 'n', value: { intValue: '9223372036854775808' } }] })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue: integer out of int64 range: "9223372036854775808"',
    ],
    [
      'an int64 beyond 2^53 in exponent form, which cannot be read exactly',
      withSpans([span({ attributes: [{ key: 'n', value: { intValue: 'EXP' } }] })]).replace('"EXP"', '1e19'),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue: integer beyond 2^53 not written as plain digits or a string, got 10000000000000000000',
    ],
    [
      'a boolValue given as a string',
      withSpans([span({ attributes: [{ key: 'b', value: { boolValue: 'true' } }] })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.boolValue: expected boolean, got "true"',
    ],
    [
      'a bytesValue that is not base64',
      withSpans([span({ attributes: [{ key: 'b', value: { bytesValue: 'a b' } }] })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.bytesValue: expected base64 string, got "a b"',
    ],
    [
      'a doubleValue that is not a number',
      withSpans([span({ attributes: [{ key: 'd', value: { doubleValue: 'abc' } }] })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.doubleValue: expected double, got "abc"',
    ],
    [
      'an attribute that is not an object',
      withSpans([span({ attributes: ['k=v'] })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].attributes[0]: expected object, got "k=v"',
    ],
    [
      'an attribute value that is not an object',
      withSpans([span({ attributes: [{ key: 'k', value: 'v' }] })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value: expected AnyValue object, got "v"',
    ],
    [
      'a bad value deep inside an array and a kvlist',
      withSpans([
        span({
          attributes: [
            {
              key: 'a',
              value: { arrayValue: { values: [{}, { kvlistValue: { values: [{ key: 'x', value: { intValue: 'x' } }] } }] } },
            },
          ],
        }),
      ]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.arrayValue.values[1].kvlistValue.values[0].value.intValue: expected integer string, got "x"',
    ],
    [
      'an arrayValue whose values is not an array',
      withSpans([span({ attributes: [{ key: 'a', value: { arrayValue: { values: 3 } } }] })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.arrayValue.values: expected array, got 3',
    ],
    [
      'an AnyValue nested deeper than 64 levels',
      withSpans([span({ attributes: [{ key: 'deep', value: nestedArrays(65) }] })]),
      /^otlp-json: resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.attributes\[0\]\.value(\.arrayValue\.values\[0\]){64}: AnyValue nested deeper than 64 levels$/,
    ],
    [
      'an event time that is not an integer',
      withSpans([span({ events: [{ name: 'a' }, { timeUnixNano: true }] })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].events[1].timeUnixNano: expected integer, got true',
    ],
    [
      'a resource attribute key that is not a string',
      '{"resourceSpans":[{"resource":{"attributes":[{"key":1}]}}]}',
      'otlp-json: resourceSpans[0].resource.attributes[0].key: expected string, got 1',
    ],
    [
      'a scope version that is not a string',
      '{"resourceSpans":[{"scopeSpans":[{"scope":{"version":2}}]}]}',
      'otlp-json: resourceSpans[0].scopeSpans[0].scope.version: expected string, got 2',
    ],
    [
      'a bad span after good ones (nothing partial is kept)',
      withSpans([span(), span(), span({ flags: 'x' })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[2].flags: expected uint32, got "x"',
    ],
  ];
  for (const [name, body, message] of cases) {
    it(`refuses ${name} with a DecodeError naming the path`, () => assertDecodeError(body, message));
  }

  it('accepts an AnyValue nested exactly 64 levels deep', () => {
    const [[, value]] = attributeRows([{ key: 'deep', value: nestedArrays(64) }]) as [Row];
    assert.ok((value as { array: string }).array.endsWith(`{"stringValue":"core"}${']}}'.repeat(63)}`));
  });
});

describe('decodeOtlpJsonTraces on spans with invalid ids', () => {
  it('drops only the spans with invalid ids, counts them and names the first reason', () => {
    const withChildren = (name: string, fields: Record<string, unknown>): Record<string, unknown> =>
      span({
        name,
        attributes: [{ key: 'who', value: { stringValue: name } }],
        events: [{ name: 'exception', attributes: [{ key: 'who', value: { stringValue: name } }] }],
        links: [{ traceId: TRACE_ID, spanId: SPAN_ID, attributes: [{ key: 'who', value: { stringValue: name } }] }],
        ...fields,
      });
    const { batch, rejectedSpans, rejectMessage } = decodeOtlpJsonTraces(
      withSpans([
        withChildren('keep-1', {}),
        withChildren('GET /x', { traceId: 'abc' }),
        withChildren('zero-trace', { traceId: '0'.repeat(32) }),
        withChildren('zero-span', { spanId: '0'.repeat(16) }),
        withChildren('short-parent', { parentSpanId: 'abcd' }),
        withChildren('missing-trace', { traceId: undefined }),
        withChildren('keep-2', { parentSpanId: '0'.repeat(16), events: [] }),
        withChildren('keep-3', { parentSpanId: '' }),
      ]),
    );
    assert.equal(rejectedSpans, 5);
    assert.equal(rejectMessage, '5 spans rejected: invalid traceId "abc" in span "GET /x"');
    assert.deepEqual(batch.name, ['keep-1', 'keep-2', 'keep-3']);
    assert.deepEqual(batch.attributes.str, ['keep-1', 'keep-2', 'keep-3']);
    assert.deepEqual([...batch.attributes.owner], [0, 1, 2]);
    assert.deepEqual([...batch.events.owner], [0, 2]);
    assert.deepEqual(batch.events.attributes.str, ['keep-1', 'keep-3']);
    assert.deepEqual([...batch.events.attributes.owner], [0, 1]);
    assert.deepEqual([...batch.hasException], [1, 0, 1]);
    assert.deepEqual([...batch.links.owner], [0, 1, 2]);
    assert.deepEqual(batch.links.attributes.str, ['keep-1', 'keep-2', 'keep-3']);
    assert.equal(hexOf(batch.parentSpanId, 8, 8), '0'.repeat(16));
  });

  it('describes each kind of invalid id in the message', () => {
    const messageFor = (fields: Record<string, unknown>): string =>
      decodeOtlpJsonTraces(withSpans([span({ name: 'x', ...fields })])).rejectMessage;
    assert.equal(messageFor({ traceId: '' }), '1 span rejected: invalid traceId "" in span "x"');
    assert.equal(messageFor({ trace_id: null, traceId: undefined }), '1 span rejected: invalid traceId (missing) in span "x"');
    assert.equal(messageFor({ traceId: undefined, trace_id: 'abc' }), '1 span rejected: invalid trace_id "abc" in span "x"');
    assert.equal(
      messageFor({ spanId: '0000000000000000' }),
      '1 span rejected: invalid spanId "0000000000000000" in span "x"',
    );
    assert.equal(messageFor({ parentSpanId: 'abc' }), '1 span rejected: invalid parentSpanId "abc" in span "x"');
  });

  it('drops a link with ids of the wrong length into dropped_links_count and keeps its span', () => {
    const { batch, rejectedSpans } = decodeOtlpJsonTraces(
      withSpans([
        span({
          droppedLinksCount: 2,
          links: [
            { traceId: TRACE_ID, spanId: 'abcd', attributes: [{ key: 'k', value: { stringValue: 'dropped' } }] },
            { traceId: '0'.repeat(32), spanId: '0'.repeat(16), attributes: [{ key: 'k', value: { stringValue: 'zero' } }] },
            { attributes: [{ key: 'k', value: { stringValue: 'no ids' } }] },
            { traceId: 'ab', spanId: SPAN_ID },
          ],
        }),
      ]),
    );
    assert.equal(rejectedSpans, 0);
    assert.equal(batch.droppedLinksCount[0], 4);
    assert.equal(batch.links.length, 2);
    assert.deepEqual(batch.links.attributes.str, ['zero', 'no ids']);
    assert.deepEqual([...batch.links.attributes.owner], [0, 1]);
    assert.equal(hexOf(batch.links.traceId, 0, 32), '0'.repeat(64));
    assert.equal(hexOf(batch.links.spanId, 0, 16), '0'.repeat(32));
  });

  it('keeps the ids of every link when a batch holds many links', () => {
    const links = Array.from({ length: 70 }, (_, k) => ({
      traceId: (k + 1).toString(16).padStart(32, '0'),
      spanId: (k + 1).toString(16).padStart(16, '0'),
    }));
    const { batch } = decodeOtlpJsonTraces(withSpans([span({ links: links.slice(0, 3) }), span({ links: links.slice(3) })]));
    assert.equal(batch.links.length, 70);
    links.forEach((link, k) => {
      assert.equal(hexOf(batch.links.traceId, k * 16, 16), link.traceId);
      assert.equal(hexOf(batch.links.spanId, k * 8, 8), link.spanId);
    });
  });

  it('adds no resource or scope whose spans were all rejected or absent', () => {
    const body = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'gone' } }] },
          scopeSpans: [{ scope: { name: 'gone', attributes: [{ key: 'a', value: { stringValue: 'gone' } }] }, spans: [span({ traceId: 'ab' })] }],
        },
        { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'empty' } }] }, scopeSpans: [] },
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'kept' } }] },
          scopeSpans: [
            { scope: { name: 'no-spans' } },
            { scope: { name: 'kept', attributes: [{ key: 'a', value: { stringValue: 'kept' } }] }, spans: [span()] },
          ],
        },
      ],
    });
    const { batch, rejectedSpans } = decodeOtlpJsonTraces(body);
    assert.equal(rejectedSpans, 1);
    assert.deepEqual(batch.resources.serviceName, ['kept']);
    assert.deepEqual(batch.resources.attributes.str, ['kept']);
    assert.deepEqual([...batch.resources.attributes.owner], [0]);
    assert.deepEqual(batch.scopes.name, ['kept']);
    assert.deepEqual(batch.scopes.attributes.str, ['kept']);
    assert.deepEqual([...batch.scopes.attributes.owner], [0]);
    assert.deepEqual([batch.resource[0], batch.scope[0]], [0, 0]);
  });

  it('still fails the request when a span with an invalid id is also malformed', () => {
    assertDecodeError(
      withSpans([span({ traceId: 'abc', kind: 'SERVER' })]),
      'otlp-json: resourceSpans[0].scopeSpans[0].spans[0].kind: unknown SpanKind "SERVER"',
    );
  });
});

describe('quoteLongIntegers', () => {
  it('quotes plain integer literals of 16 or more digits outside strings and nothing else', () => {
    const text =
      '{"s":"x\\"12345678901234567890","a":[12345678901234567890,-9223372036854775808,' +
      '1234567890123456.5,12345678901234567e2,1e20,123456789012345,0123456789012345678]}';
    assert.equal(
      quoteLongIntegers(text),
      '{"s":"x\\"12345678901234567890","a":["12345678901234567890","-9223372036854775808",' +
        '1234567890123456.5,12345678901234567e2,1e20,123456789012345,0123456789012345678]}',
    );
  });
});
