import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpanBatchBuilder } from '../model/span-batch-builder.js';
import { ValueType, type AttributeColumns, type SpanBatch } from '../model/span-batch.js';
import { hexOf, isAllZero } from '../model/hex.js';
import { Rng } from './rng.js';
import { generateTraces } from './trace-generator.js';

const NOW = 1_750_000_000_000_000_000n;
const TRACES = 2000;
const KIND_SERVER = 2;
const KIND_CONSUMER = 5;
const STATUS_ERROR = 2;

function generate(seed: number, traces: number, errorRate?: number): SpanBatch {
  const builder = new SpanBatchBuilder();
  const options = { traces, rng: new Rng(seed), nowUnixNano: NOW };
  generateTraces(builder, errorRate === undefined ? options : { ...options, errorRate });
  return builder.finish();
}

interface Trace {
  spans: number[];
  roots: number[];
  /** span id hex → span index */
  byId: Map<string, number>;
}

function tracesOf(batch: SpanBatch): Map<string, Trace> {
  const traces = new Map<string, Trace>();
  for (let i = 0; i < batch.length; i++) {
    const id = hexOf(batch.traceId, i * 16, 16);
    let t = traces.get(id);
    if (!t) traces.set(id, (t = { spans: [], roots: [], byId: new Map() }));
    t.spans.push(i);
    t.byId.set(hexOf(batch.spanId, i * 8, 8), i);
    if (isAllZero(batch.parentSpanId, i * 8, 8)) t.roots.push(i);
  }
  return traces;
}

/** Attribute rows of each owner: owner → key → row. */
function attributesByOwner(a: AttributeColumns): Map<number, Map<string, number>> {
  const out = new Map<number, Map<string, number>>();
  for (let r = 0; r < a.length; r++) {
    let m = out.get(a.owner[r]!);
    if (!m) out.set(a.owner[r]!, (m = new Map()));
    m.set(a.key[r]!, r);
  }
  return out;
}

function parentOf(batch: SpanBatch, trace: Trace, i: number): number | undefined {
  return trace.byId.get(hexOf(batch.parentSpanId, i * 8, 8));
}

describe('generateTraces', () => {
  const batch = generate(42, TRACES);
  const traces = tracesOf(batch);
  const spanAttrs = attributesByOwner(batch.attributes);

  /** Asserts `key` on span `i` exists with type `type`. */
  function expectAttr(i: number, key: string, type: ValueType): void {
    const row = spanAttrs.get(i)?.get(key);
    assert.ok(row !== undefined, `span "${batch.name[i]}" lacks ${key}`);
    assert.equal(batch.attributes.type[row], type, `${key} on "${batch.name[i]}" has type ${batch.attributes.type[row]}`);
  }

  it('writes the requested number of traces, each with exactly one root', () => {
    assert.equal(traces.size, TRACES);
    for (const t of traces.values()) assert.equal(t.roots.length, 1);
  });

  it('keeps every trace between 5 and 60 spans and between 2 and 8 levels deep, with varied sizes', () => {
    const sizes = new Set<number>();
    const depths = new Set<number>();
    for (const t of traces.values()) {
      assert.ok(t.spans.length >= 5 && t.spans.length <= 60, `trace of ${t.spans.length} spans`);
      let maxDepth = 0;
      for (const i of t.spans) {
        let depth = 1;
        for (let p = parentOf(batch, t, i); p !== undefined; p = parentOf(batch, t, p)) depth++;
        maxDepth = Math.max(maxDepth, depth);
      }
      assert.ok(maxDepth >= 2 && maxDepth <= 8, `trace ${maxDepth} levels deep`);
      sizes.add(t.spans.length);
      depths.add(maxDepth);
    }
    assert.ok(sizes.size >= 30, `only ${sizes.size} distinct trace sizes`);
    assert.deepEqual([...depths].sort(), [2, 3, 4, 5, 6, 7, 8]);
    const mean = batch.length / TRACES;
    assert.ok(mean > 12 && mean < 30, `mean ${mean} spans per trace`);
  });

  it('gives every child a parent in its own trace, within the parent in time (consumers after it)', () => {
    for (const t of traces.values()) {
      assert.equal(t.byId.size, t.spans.length, 'span ids repeat within a trace');
      for (const i of t.spans) {
        const start = batch.startTimeUnixNano[i]!;
        const end = batch.endTimeUnixNano[i]!;
        assert.ok(end >= start);
        assert.ok(end <= NOW && start > NOW - 20_000_000_000n, 'span outside the last seconds before now');
        if (t.roots[0] === i) continue;
        const p = parentOf(batch, t, i);
        assert.ok(p !== undefined, `parent of "${batch.name[i]}" missing`);
        if (batch.kind[i] === KIND_CONSUMER) {
          assert.ok(start >= batch.endTimeUnixNano[p]!, 'consumer starts before its producer ended');
        } else {
          assert.ok(start >= batch.startTimeUnixNano[p]! && end <= batch.endTimeUnixNano[p]!, `"${batch.name[i]}" outside "${batch.name[p]}"`);
        }
      }
    }
  });

  it('roots traces in a frontend SERVER span of an /api route', () => {
    for (const t of traces.values()) {
      const r = t.roots[0]!;
      assert.equal(batch.kind[r], KIND_SERVER);
      assert.equal(batch.resources.serviceName[batch.resource[r]!], 'frontend');
      assert.match(batch.name[r]!, /^(GET|POST) \/api\//);
    }
    assert.deepEqual(new Set(batch.kind), new Set([1, 2, 3, 4, 5]));
    assert.ok(batch.flags.every((f) => f === 1));
    assert.ok(batch.traceState.filter((s) => s === '').length > batch.length * 0.9);
  });

  it('fails about errorRate of the traces, each failure with an exception event carrying a stack trace', () => {
    for (const [rate, data] of [
      [0.02, batch],
      [0.2, generate(7, 1000, 0.2)],
    ] as const) {
      const all = tracesOf(data);
      let failing = 0;
      for (const t of all.values()) if (t.spans.some((i) => data.statusCode[i] === STATUS_ERROR)) failing++;
      const observed = failing / all.size;
      assert.ok(Math.abs(observed - rate) < rate * 0.35, `error rate ${observed} for target ${rate}`);
      const eventAttrs = attributesByOwner(data.events.attributes);
      const exceptionSpans = new Set<number>();
      for (let e = 0; e < data.events.length; e++) {
        if (data.events.name[e] !== 'exception') continue;
        const span = data.events.owner[e]!;
        exceptionSpans.add(span);
        assert.equal(data.statusCode[span], STATUS_ERROR, 'exception on a span that did not fail');
        assert.equal(data.hasException[span], 1);
        const a = eventAttrs.get(e)!;
        for (const key of ['exception.type', 'exception.message', 'exception.stacktrace']) assert.ok(a.has(key), `exception event lacks ${key}`);
        assert.ok(data.events.attributes.str[a.get('exception.stacktrace')!]!.split('\n').length >= 4);
      }
      for (const t of all.values()) {
        if (t.spans.some((i) => data.statusCode[i] === STATUS_ERROR)) {
          assert.ok(t.spans.some((i) => exceptionSpans.has(i)), 'failing trace without an exception event');
        }
      }
    }
  });

  it('answers 5xx on failed HTTP server spans and <500 on the others', () => {
    let failedHttp = 0;
    for (let i = 0; i < batch.length; i++) {
      const row = spanAttrs.get(i)?.get('http.response.status_code');
      if (row === undefined) continue;
      const code = batch.attributes.int[row]!;
      if (batch.kind[i] === KIND_SERVER && batch.statusCode[i] === STATUS_ERROR) {
        assert.ok(code >= 500n, `failed server span answered ${code}`);
        failedHttp++;
      } else if (batch.statusCode[i] !== STATUS_ERROR) {
        assert.ok(code < 500n);
      }
    }
    assert.ok(failedHttp > 0);
  });

  it('sets the semantic-convention attributes of each kind of span with their OTLP types', () => {
    const seen = new Set<string>();
    for (let i = 0; i < batch.length; i++) {
      const a = spanAttrs.get(i) ?? new Map<string, number>();
      const str = (key: string): string => batch.attributes.str[a.get(key)!]!;
      if (a.has('rpc.system')) {
        seen.add('rpc');
        for (const k of ['rpc.system', 'rpc.service', 'rpc.method']) expectAttr(i, k, ValueType.String);
        expectAttr(i, 'rpc.grpc.status_code', ValueType.Int);
        assert.equal(batch.name[i], `${str('rpc.service')}/${str('rpc.method')}`);
      }
      if (a.has('http.request.method')) {
        seen.add(`http-${batch.kind[i]}`);
        expectAttr(i, 'http.response.status_code', ValueType.Int);
        expectAttr(i, 'server.port', ValueType.Int);
        for (const k of ['server.address', 'network.protocol.version']) expectAttr(i, k, ValueType.String);
        const keys = batch.kind[i] === KIND_SERVER ? ['http.route', 'url.path', 'url.scheme', 'client.address', 'user_agent.original'] : ['url.full'];
        for (const k of keys) expectAttr(i, k, ValueType.String);
      }
      if (a.has('db.system')) {
        seen.add(str('db.system'));
        for (const k of ['db.statement', 'db.operation', 'server.address']) expectAttr(i, k, ValueType.String);
        if (str('db.system') === 'postgresql') expectAttr(i, 'db.name', ValueType.String);
      }
      if (a.has('messaging.system')) {
        seen.add(`kafka-${batch.kind[i]}`);
        for (const k of ['messaging.destination.name', 'messaging.operation']) expectAttr(i, k, ValueType.String);
        expectAttr(i, 'messaging.kafka.message.offset', ValueType.Int);
      }
    }
    assert.deepEqual([...seen].sort(), ['http-2', 'http-3', 'kafka-4', 'kafka-5', 'postgresql', 'redis', 'rpc']);
  });

  it('carries high-cardinality application attributes of every type', () => {
    const typeOfKey = new Map<string, number>();
    const values = new Map<string, Set<string>>();
    const a = batch.attributes;
    for (let r = 0; r < a.length; r++) {
      const key = a.key[r]!;
      const known = typeOfKey.get(key);
      assert.ok(known === undefined || known === a.type[r], `${key} appears with two types`);
      typeOfKey.set(key, a.type[r]!);
      let v = values.get(key);
      if (!v) values.set(key, (v = new Set()));
      v.add(a.type[r] === ValueType.String ? a.str[r]! : a.type[r] === ValueType.Int ? String(a.int[r]) : String(a.num[r]));
    }
    const expected: [string, ValueType][] = [
      ['app.user.id', ValueType.String],
      ['app.session.id', ValueType.String],
      ['app.order.id', ValueType.String],
      ['app.cart.items.count', ValueType.Int],
      ['app.order.amount', ValueType.Double],
      ['app.feature_flags', ValueType.Array],
      ['app.cache.hit', ValueType.Bool],
    ];
    for (const [key, type] of expected) assert.equal(typeOfKey.get(key), type, key);
    assert.ok(values.get('app.user.id')!.size > 1000);
    assert.equal(values.get('app.session.id')!.size, TRACES);
    assert.ok(values.get('db.statement')!.size > 10);
  });

  it('describes each instance with a complete resource and real instrumentation scopes', () => {
    const resAttrs = attributesByOwner(batch.resources.attributes);
    const required: [string, ValueType][] = [
      ['service.name', ValueType.String],
      ['service.namespace', ValueType.String],
      ['service.version', ValueType.String],
      ['service.instance.id', ValueType.String],
      ['telemetry.sdk.name', ValueType.String],
      ['telemetry.sdk.language', ValueType.String],
      ['telemetry.sdk.version', ValueType.String],
      ['process.pid', ValueType.Int],
      ['process.runtime.name', ValueType.String],
      ['process.runtime.version', ValueType.String],
      ['process.executable.name', ValueType.String],
      ['process.command_args', ValueType.Array],
      ['host.name', ValueType.String],
      ['host.arch', ValueType.String],
      ['os.type', ValueType.String],
      ['deployment.environment.name', ValueType.String],
    ];
    const a = batch.resources.attributes;
    const versionsByService = new Map<string, Set<string>>();
    let onKubernetes = 0;
    for (let r = 0; r < batch.resources.length; r++) {
      const m = resAttrs.get(r)!;
      for (const [key, type] of required) {
        assert.ok(m.has(key), `resource ${r} lacks ${key}`);
        assert.equal(a.type[m.get(key)!], type, key);
      }
      const service = a.str[m.get('service.name')!]!;
      assert.equal(batch.resources.serviceName[r], service);
      if (m.has('k8s.pod.name')) onKubernetes++;
      let versions = versionsByService.get(service);
      if (!versions) versionsByService.set(service, (versions = new Set()));
      versions.add(a.str[m.get('service.version')!]!);
    }
    assert.ok(versionsByService.size >= 8, `${versionsByService.size} services`);
    assert.ok(batch.resources.length >= 2 * versionsByService.size, 'services should run several instances');
    assert.ok([...versionsByService.values()].some((v) => v.size > 1), 'no service runs two versions');
    assert.ok(onKubernetes > 0 && onKubernetes < batch.resources.length);
    for (const name of ['@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-express', '@opentelemetry/instrumentation-pg', '@opentelemetry/instrumentation-ioredis', '@opentelemetry/instrumentation-grpc']) {
      assert.ok(batch.scopes.name.includes(name), name);
    }
    assert.ok(batch.scopes.version.every((v) => v !== ''));
    assert.ok(batch.scopes.attributes.length > 0, 'no scope has attributes');
  });

  it('adds events other than exceptions and links to spans of other traces', () => {
    const names = new Set(batch.events.name);
    assert.ok(names.has('cache miss') && names.has('message'), [...names].join(', '));
    assert.ok(batch.links.length > 0);
    assert.ok(batch.links.attributes.length >= batch.links.length);
    for (let l = 0; l < batch.links.length; l++) {
      const owner = batch.links.owner[l]!;
      assert.notEqual(hexOf(batch.links.traceId, l * 16, 16), hexOf(batch.traceId, owner * 16, 16));
      assert.ok(!isAllZero(batch.links.spanId, l * 8, 8));
    }
  });

  it('is deterministic for a seed and differs across seeds', () => {
    assert.deepEqual(generate(42, 200), generate(42, 200));
    assert.notDeepEqual(generate(42, 50).traceId, generate(43, 50).traceId);
  });

  it('adds each resource and scope once when called repeatedly on one builder', () => {
    const builder = new SpanBatchBuilder();
    const rng = new Rng(3);
    for (let k = 0; k < 50; k++) generateTraces(builder, { traces: 4, rng, nowUnixNano: NOW });
    const b = builder.finish();
    const ids = b.resources.serviceName.map((_, r) => {
      const m = attributesByOwner(b.resources.attributes).get(r)!;
      return b.resources.attributes.str[m.get('service.instance.id')!];
    });
    assert.equal(new Set(ids).size, ids.length);
    const scopeKeys = new Set<string>();
    for (let i = 0; i < b.length; i++) scopeKeys.add(`${b.resource[i]}/${b.scope[i]}`);
    assert.equal(new Set([...scopeKeys].map((k) => k.split('/')[1])).size, b.scopes.length, 'a scope serves two resources');
  });
});
