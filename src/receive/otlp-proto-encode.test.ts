import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode, TraceFlags, type HrTime } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { SpanBatchBuilder, type AttributeBuilder } from '../model/span-batch-builder.js';
import { ValueType, type SpanBatch } from '../model/span-batch.js';
import { canonicalAnyValueJson } from './any-value-json.js';
import { decodeExportTraceServiceRequest } from './otlp-proto-decode.js';
import { encodeExportTraceServiceRequest, encodeExportTraceServiceResponse } from './otlp-proto-encode.js';
import { seededRandom } from '../model/seeded-random.js';

/** Random values covering the corners of every column type. */
class Gen {
  constructor(readonly random: () => number) {}

  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  uint32(): number {
    return this.pick([0, 1, 127, 128, 0xffffffff, this.int(2 ** 32)]);
  }
  int64(): bigint {
    const bits = (BigInt(this.int(2 ** 32)) << 32n) | BigInt(this.int(2 ** 32));
    return this.pick([0n, 1n, -1n, 127n, 128n, -(2n ** 63n), 2n ** 63n - 1n, BigInt.asIntN(64, bits), BigInt(this.int(1e6))]);
  }
  double(): number {
    return this.pick([0, -0, 1.5, -2.25, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE, 1e21, this.random() * 1e6 - 5e5]);
  }
  string(): string {
    return this.pick(['', 'a', 'GET', 'http.route', 'héllo', 'ünïcödé ✓', '🚀 rocket', 'x'.repeat(200), 'quote " and \\ and \n', `s${this.int(1000)}`]);
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  nonZeroId(n: number): Uint8Array {
    const b = this.bytes(n);
    b[this.int(n)] = 1 + this.int(255);
    return b;
  }
  base64(): string {
    return Buffer.from(this.bytes(this.int(12))).toString('base64');
  }

  /** A parsed OTLP/JSON AnyValue, arrays and kvlists nested up to `depth`. */
  jsonValue(depth: number): unknown {
    switch (this.int(depth > 0 ? 8 : 6)) {
      case 0:
        return { stringValue: this.string() };
      case 1:
        return { boolValue: this.chance(0.5) };
      case 2:
        return { intValue: this.int64().toString() };
      case 3: {
        const d = this.double();
        return { doubleValue: Number.isFinite(d) ? d : String(d) };
      }
      case 4:
        return { bytesValue: this.base64() };
      case 5:
        return {};
      case 6:
        return { arrayValue: { values: Array.from({ length: this.int(4) }, () => this.jsonValue(depth - 1)) } };
      default:
        return { kvlistValue: { values: Array.from({ length: this.int(4) }, () => ({ key: this.string(), value: this.jsonValue(depth - 1) })) } };
    }
  }

  attributes(a: AttributeBuilder, owner: number, max: number): void {
    const n = this.int(max + 1);
    for (let k = 0; k < n; k++) {
      const key = this.string();
      switch (this.int(8)) {
        case 0:
          a.addString(owner, key, this.string());
          break;
        case 1:
          a.addBool(owner, key, this.chance(0.5));
          break;
        case 2:
          a.addInt(owner, key, this.int64());
          break;
        case 3:
          a.addDouble(owner, key, this.double());
          break;
        case 4:
          a.addBytes(owner, key, this.base64());
          break;
        case 5:
          a.addComplex(owner, key, ValueType.Array, canonicalAnyValueJson({ arrayValue: { values: [this.jsonValue(2), this.jsonValue(2)] } }));
          break;
        case 6:
          a.addComplex(owner, key, ValueType.KvList, canonicalAnyValueJson({ kvlistValue: { values: [{ key: this.string(), value: this.jsonValue(2) }] } }));
          break;
        default:
          a.addEmpty(owner, key);
      }
    }
  }
}

/**
 * A random batch in the shape the decoder produces: spans grouped by resource
 * then scope, every resource and scope used by at least one span.
 */
function randomBatch(seed: number): SpanBatch {
  const g = new Gen(seededRandom(seed));
  const b = new SpanBatchBuilder();
  const resources = 1 + g.int(4);
  for (let r = 0; r < resources; r++) {
    const resource = b.resourceCount;
    g.attributes(b.resourceAttributes, resource, 5);
    if (g.chance(0.7)) b.resourceAttributes.addString(resource, 'service.name', `svc-${g.int(100)}`);
    b.addResource(g.chance(0.5) ? 'https://opentelemetry.io/schemas/1.26.0' : '', g.uint32());
    for (let k = b.resourceAttributes.length - 1; k >= 0 && b.resourceAttributes.owner[k] === resource; k--) {
      if (b.resourceAttributes.key[k] === 'service.name') {
        if (b.resourceAttributes.type[k] === ValueType.String) b.setResourceServiceName(resource, b.resourceAttributes.str[k]!);
        break;
      }
    }
    const scopes = 1 + g.int(3);
    for (let s = 0; s < scopes; s++) {
      const scope = b.scopeCount;
      g.attributes(b.scopeAttributes, scope, 2);
      b.addScope(g.string(), g.string(), g.string(), g.uint32());
      const spans = 1 + g.int(6);
      for (let k = 0; k < spans; k++) addRandomSpan(g, b, resource, scope);
    }
  }
  return b.finish();
}

function addRandomSpan(g: Gen, b: SpanBatchBuilder, resource: number, scope: number): void {
  const i = b.addSpan(resource, scope);
  b.traceId.set(g.nonZeroId(16), i * 16);
  b.spanId.set(g.nonZeroId(8), i * 8);
  if (g.chance(0.7)) b.parentSpanId.set(g.nonZeroId(8), i * 8);
  b.traceState[i] = g.chance(0.2) ? 'vendor=x' : '';
  b.flags[i] = g.uint32();
  b.name[i] = g.string();
  b.kind[i] = g.int(6);
  b.startTimeUnixNano[i] = g.int64();
  b.endTimeUnixNano[i] = g.int64();
  b.statusCode[i] = g.int(3);
  b.statusMessage[i] = g.chance(0.3) ? g.string() : '';
  b.droppedAttributesCount[i] = g.uint32();
  b.droppedEventsCount[i] = g.uint32();
  b.droppedLinksCount[i] = g.uint32();
  g.attributes(b.attributes, i, 8);
  const events = g.int(4);
  for (let k = 0; k < events; k++) {
    const owner = b.eventCount;
    g.attributes(b.eventAttributes, owner, 3);
    b.addEvent(i, g.int64(), g.chance(0.2) ? 'exception' : g.string(), g.uint32());
  }
  const links = g.int(3);
  for (let k = 0; k < links; k++) {
    const owner = b.linkCount;
    g.attributes(b.linkAttributes, owner, 3);
    const link = b.addLink(i, g.chance(0.3) ? 'k=v' : '', g.uint32(), g.uint32());
    b.linkTraceId.set(g.bytes(16), link * 16);
    b.linkSpanId.set(g.bytes(8), link * 8);
  }
}

function sdkSpans(): ReadableSpan[] {
  const resource = resourceFromAttributes({ 'service.name': 'shop', 'process.pid': 7, 'host.arch': ['amd64'] });
  const scope = { name: 'lib', version: '1.0.0' };
  const span = (name: string, spanId: string, start: HrTime, attributes: Record<string, unknown>): ReadableSpan => {
    const ctx = { traceId: '5b8efff798038103d269b633813fc60c', spanId, traceFlags: TraceFlags.SAMPLED };
    return {
      name,
      kind: SpanKind.SERVER,
      spanContext: () => ctx,
      startTime: start,
      endTime: [start[0] + 1, start[1]],
      status: { code: SpanStatusCode.ERROR, message: 'oops' },
      attributes,
      links: [{ context: { ...ctx, spanId: 'eee19b7ec3c1b174' }, attributes: { a: 1 } }],
      events: [{ name: 'exception', time: start, attributes: { 'exception.message': 'oops' } }],
      duration: [1, 0],
      ended: true,
      resource,
      instrumentationScope: scope,
      droppedAttributesCount: 1,
      droppedEventsCount: 2,
      droppedLinksCount: 3,
    } as unknown as ReadableSpan;
  };
  return [
    span('a', 'eee19b7ec3c1b173', [1_700_000_000, 1], { s: 'x', n: -1, d: 0.5, b: false, arr: [1, 2], kv: { k: [true] }, raw: new Uint8Array([7]) }),
    span('b', 'eee19b7ec3c1b175', [1_700_000_002, 999_999_999], {}),
  ];
}

describe('encodeExportTraceServiceRequest', () => {
  it('round-trips random batches of every value type exactly: decode(encode(b)) equals b', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const batch = randomBatch(seed);
      const bytes = encodeExportTraceServiceRequest(batch);
      const decoded = decodeExportTraceServiceRequest(bytes);
      assert.equal(decoded.rejectedSpans, 0, `seed ${seed}`);
      assert.deepEqual(decoded.batch, batch, `seed ${seed}`);
      assert.deepEqual(encodeExportTraceServiceRequest(decoded.batch), bytes, `seed ${seed}: encoding is deterministic`);
    }
  });

  it('round-trips what the OpenTelemetry SDK serializer wrote', () => {
    const first = decodeExportTraceServiceRequest(ProtobufTraceSerializer.serializeRequest(sdkSpans())!).batch;
    const again = decodeExportTraceServiceRequest(encodeExportTraceServiceRequest(first)).batch;
    assert.deepEqual(again, first);
    assert.equal(first.length, 2);
    assert.equal(first.attributes.length, 7);
  });

  it('groups spans by resource and scope in order of first appearance', () => {
    const b = new SpanBatchBuilder();
    const r0 = b.addResource('', 0);
    const r1 = b.addResource('', 0);
    const s0 = b.addScope('s0', '', '', 0);
    const s1 = b.addScope('s1', '', '', 0);
    const s2 = b.addScope('s2', '', '', 0);
    const spans: [string, number, number][] = [
      ['a', r1, s1],
      ['b', r0, s0],
      ['c', r1, s1],
      ['d', r0, s2],
      ['e', r1, s0],
      ['f', r0, s0],
    ];
    for (const [name, resource, scope] of spans) {
      const i = b.addSpan(resource, scope);
      b.name[i] = name;
      b.traceId[i * 16] = 1;
      b.spanId[i * 8] = 1;
      b.attributes.addString(i, 'name', name);
    }
    const decoded = decodeExportTraceServiceRequest(encodeExportTraceServiceRequest(b.finish())).batch;
    assert.deepEqual(decoded.name, ['a', 'c', 'e', 'b', 'f', 'd']);
    assert.deepEqual(decoded.attributes.str, ['a', 'c', 'e', 'b', 'f', 'd'], 'attributes follow their spans');
    assert.deepEqual(decoded.scopes.name, ['s1', 's0', 's0', 's2']);
    assert.deepEqual([...decoded.resource], [0, 0, 0, 1, 1, 1]);
    assert.deepEqual([...decoded.scope], [0, 0, 1, 2, 2, 3]);
  });

  it('encodes an empty batch as an empty request', () => {
    assert.equal(encodeExportTraceServiceRequest(new SpanBatchBuilder().finish()).length, 0);
  });

  it('returns an independent copy each call', () => {
    const a = encodeExportTraceServiceRequest(randomBatch(1));
    const copy = Uint8Array.from(a);
    encodeExportTraceServiceRequest(randomBatch(2));
    assert.deepEqual(Uint8Array.from(a), copy);
  });
});

describe('encodeExportTraceServiceResponse', () => {
  it('is empty when nothing was rejected', () => {
    assert.equal(encodeExportTraceServiceResponse(0, '').length, 0);
    assert.deepEqual(ProtobufTraceSerializer.deserializeResponse(encodeExportTraceServiceResponse(0, '')), {});
  });

  it('carries partial success as the SDK reads it', () => {
    const bytes = encodeExportTraceServiceResponse(3, '3 spans rejected: invalid trace_id (length 3) in span "GET /x"');
    const response = ProtobufTraceSerializer.deserializeResponse(bytes);
    assert.equal(Number(response.partialSuccess?.rejectedSpans), 3);
    assert.equal(response.partialSuccess?.errorMessage, '3 spans rejected: invalid trace_id (length 3) in span "GET /x"');
    const warning = ProtobufTraceSerializer.deserializeResponse(encodeExportTraceServiceResponse(0, 'slow down'));
    assert.equal(warning.partialSuccess?.errorMessage, 'slow down');
  });
});
