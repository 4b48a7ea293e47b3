// Bad requests against a real server: each gets the status and error body the
// OTLP spec asks for, nothing of a failed request is stored, and the server
// keeps serving. Also partial success, overload (503 + Retry-After) and
// bearer-token auth.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { encodeExportTraceServiceRequest } from '../../src/receive/otlp-proto-encode.js';
import { hexOf } from '../../src/model/hex.js';
import type { SpanBatch } from '../../src/model/span-batch.js';
import { eventually, getJson, startTestServer, type TestServer } from '../helpers/test-server.js';
import { syntheticBatch } from '../helpers/synthetic-spans.js';
import { decodePartialSuccess, decodeRpcStatus } from '../helpers/proto-fields.js';
import { grpcExport, postDeclaringLength, rawPost } from '../helpers/raw-clients.js';
import { HexIds, jsonSpan, postOtlpJson, postOtlpProto, serviceRequest } from '../helpers/otlp-json.js';

const LIMIT = 64 * 1024;

/** Spans anywhere in the store plus the WAL position: unchanged means nothing was stored. */
async function storedState(server: TestServer): Promise<{ spans: number; walDurableSeq: number }> {
  const s = (await getJson(`${server.apiUrl}/api/v1/status`)).body;
  return { spans: s.headPendingRows + s.headStagedRows + s.partRows, walDurableSeq: s.walDurableSeq };
}

function traceIdOf(batch: SpanBatch, span: number): string {
  return hexOf(batch.traceId, span * 16, 16);
}

async function spanCount(server: TestServer, traceId: string): Promise<number> {
  const r = await getJson(`${server.apiUrl}/api/traces/${traceId}`);
  if (r.status === 404) return 0;
  assert.equal(r.status, 200);
  let n = 0;
  for (const rs of r.body.batches) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

function grpcAddress(server: TestServer): string {
  return `127.0.0.1:${server.otlpGrpcPort}`;
}

describe('bad input to the receivers', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ maxRequestBytes: LIMIT });
  });
  after(async () => {
    await server.dispose();
  });

  it('answers malformed protobuf with 400 and a google.rpc.Status naming the problem, storing nothing of it', async () => {
    const before = await storedState(server);
    const valid = syntheticBatch(1, 3, 'half-valid');
    const validBytes = encodeExportTraceServiceRequest(valid);
    // A whole valid ResourceSpans, then a second one whose declared length runs past the end.
    const halfValid = Buffer.concat([validBytes, Buffer.from([0x0a, 0x10, 0x0a, 0x02])]);
    const r = await postOtlpProto(server.otlpUrl, halfValid);
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('content-type'), 'application/x-protobuf');
    const st = decodeRpcStatus(r.body);
    assert.equal(st.code, GrpcStatus.INVALID_ARGUMENT);
    assert.match(st.message, /^otlp-proto: .*runs past the end/);

    const garbage = await postOtlpProto(server.otlpUrl, Buffer.from([0xff, 0xff, 0xff]));
    assert.equal(garbage.status, 400);
    assert.match(decodeRpcStatus(garbage.body).message, /^otlp-proto: truncated varint at offset 0/);

    assert.deepEqual(await storedState(server), before, 'no span and no WAL record from failed requests');
    assert.equal(await spanCount(server, traceIdOf(valid, 0)), 0, 'the valid trace inside the bad body is not found');
    // The same valid part on its own is stored: the lookup above could have found it.
    assert.equal((await postOtlpProto(server.otlpUrl, validBytes)).status, 200);
    assert.equal(await spanCount(server, traceIdOf(valid, 0)), 3);
  });

  it('answers malformed JSON and wrong-shaped JSON with 400 and a JSON {code, message}', async () => {
    const before = await storedState(server);
    const cases: [string, RegExp][] = [
      ['{"resourceSpans": [', /^otlp-json: body is not valid JSON/],
      ['[1, 2]', /^otlp-json: expected a JSON object at the top level, got array/],
      ['{"resourceSpans": {"a": 1}}', /^otlp-json: resourceSpans: expected array, got object/],
      ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId": 5}]}]}]}', /^otlp-json: resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId: expected hex string/],
    ];
    for (const [body, message] of cases) {
      const r = await postOtlpJson(server.otlpUrl, body);
      assert.equal(r.status, 400, body);
      assert.equal(r.body.code, GrpcStatus.INVALID_ARGUMENT, body);
      assert.match(r.body.message, message);
    }
    assert.deepEqual(await storedState(server), before);
  });

  it('answers 413 to a body over maxRequestBytes sent with Content-Length', async () => {
    const r = await rawPost(`${server.otlpUrl}/v1/traces`, Buffer.alloc(LIMIT + 1, 0x0a), { headers: { 'content-type': 'application/x-protobuf' } });
    assert.equal(r.status, 413);
    assert.match(decodeRpcStatus(r.body).message, /exceeds the limit of 65536/);
  });

  it('answers 413 to a body over maxRequestBytes sent chunked', async () => {
    const r = await rawPost(`${server.otlpUrl}/v1/traces`, Buffer.alloc(4 * LIMIT, 0x20), {
      headers: { 'content-type': 'application/json' },
      chunkBytes: 8 * 1024,
    });
    assert.equal(r.status, 413);
    assert.match(JSON.parse(r.body.toString()).message, /exceeds the limit of 65536/);
  });

  it('answers 413, not a retryable 503, to a declared length beyond the bytes allowed in flight', async () => {
    // The in-flight budget is at least 256 MiB; a body larger than that and than the limit can never be accepted.
    const r = await postDeclaringLength(`${server.otlpUrl}/v1/traces`, 300 * 1024 * 1024, { 'content-type': 'application/x-protobuf' });
    assert.equal(r.status, 413);
    assert.equal(r.headers['retry-after'], undefined);
    assert.match(decodeRpcStatus(r.body).message, /exceeds the limit of 65536/);
  });

  it('answers 413 to a gzip body that inflates past the limit', async () => {
    const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20));
    assert.ok(bomb.length < LIMIT, `the bomb itself is small (${bomb.length} bytes)`);
    const r = await rawPost(`${server.otlpUrl}/v1/traces`, bomb, { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    assert.equal(r.status, 413);
    assert.match(JSON.parse(r.body.toString()).message, /inflates past the limit/);
  });

  it('answers 415 to a wrong content type and to an unsupported content encoding, 400 to corrupt gzip', async () => {
    const body = encodeExportTraceServiceRequest(syntheticBatch(1, 1));
    const wrongType = await rawPost(`${server.otlpUrl}/v1/traces`, body, { headers: { 'content-type': 'text/plain' } });
    assert.equal(wrongType.status, 415);
    assert.match(JSON.parse(wrongType.body.toString()).message, /content type "text\/plain" is not supported/);

    const brotli = await rawPost(`${server.otlpUrl}/v1/traces`, body, { headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'br' } });
    assert.equal(brotli.status, 415);
    assert.match(decodeRpcStatus(brotli.body).message, /content encoding "br" is not supported/);

    const gz = gzipSync(body);
    const corrupt = Buffer.concat([gz.subarray(0, 12), Buffer.alloc(20, 0xee)]);
    const bad = await rawPost(`${server.otlpUrl}/v1/traces`, corrupt, { headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' } });
    assert.equal(bad.status, 400);
    assert.match(decodeRpcStatus(bad.body).message, /gzip body is corrupt/);
  });

  it('answers a malformed gRPC message with INVALID_ARGUMENT and an oversized one with RESOURCE_EXHAUSTED', async () => {
    const before = await storedState(server);
    const malformed = await grpcExport(grpcAddress(server), Buffer.from([0x0a, 0x7f, 0x01]));
    assert.equal(malformed.ok, false);
    if (malformed.ok) return;
    assert.equal(malformed.code, GrpcStatus.INVALID_ARGUMENT);
    assert.match(malformed.details, /^otlp-proto: /);

    const big = encodeExportTraceServiceRequest(syntheticBatch(200, 10));
    assert.ok(big.length > LIMIT);
    const oversized = await grpcExport(grpcAddress(server), big);
    assert.equal(oversized.ok, false);
    if (!oversized.ok) assert.equal(oversized.code, GrpcStatus.RESOURCE_EXHAUSTED);
    assert.deepEqual(await storedState(server), before);
  });

  it('accepts the valid spans of a protobuf request and reports spans with invalid ids as partial success', async () => {
    const batch = syntheticBatch(1, 4, 'partial-proto');
    batch.traceId.fill(0, 2 * 16, 3 * 16); // span 2: all-zero trace id
    batch.spanId.fill(0, 3 * 8, 4 * 8); // span 3: all-zero span id
    const r = await postOtlpProto(server.otlpUrl, encodeExportTraceServiceRequest(batch));
    assert.equal(r.status, 200);
    const partial = decodePartialSuccess(r.body);
    assert.ok(partial, 'partial_success present');
    assert.equal(partial.rejectedSpans, 2);
    assert.match(partial.errorMessage, /2 spans rejected: invalid trace_id \(all zero\) in span "step-2"/);
    assert.equal(await spanCount(server, traceIdOf(batch, 0)), 2, 'both valid spans stored');

    const viaGrpc = syntheticBatch(1, 2, 'partial-grpc');
    viaGrpc.spanId.fill(0, 8, 16);
    const g = await grpcExport(grpcAddress(server), encodeExportTraceServiceRequest(viaGrpc));
    assert.ok(g.ok);
    assert.equal(decodePartialSuccess(g.response)?.rejectedSpans, 1);
    assert.equal(await spanCount(server, traceIdOf(viaGrpc, 0)), 1);
  });

  it('accepts the valid spans of a JSON request and reports spans with invalid ids as partial success', async () => {
    const ids = new HexIds(101);
    const traceId = ids.traceId();
    const now = BigInt(Date.now()) * 1_000_000n;
    const spans = [
      jsonSpan({ traceId, spanId: ids.spanId(), name: 'ok-1', startNs: now, durationNs: 1000n }),
      jsonSpan({ traceId: 'abc', spanId: ids.spanId(), name: 'short-trace-id', startNs: now, durationNs: 1000n }),
      jsonSpan({ traceId, spanId: ids.spanId(), name: 'ok-2', startNs: now, durationNs: 1000n }),
    ];
    const r = await postOtlpJson(server.otlpUrl, serviceRequest('partial-json', spans));
    assert.equal(r.status, 200);
    assert.equal(r.body.partialSuccess.rejectedSpans, '1');
    assert.match(r.body.partialSuccess.errorMessage, /1 span rejected: invalid traceId "abc" in span "short-trace-id"/);
    assert.equal(await spanCount(server, traceId), 2);
  });

  it('keeps accepting good requests after all the bad ones', async () => {
    const batch = syntheticBatch(2, 3, 'after-bad');
    const r = await postOtlpProto(server.otlpUrl, encodeExportTraceServiceRequest(batch));
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0, 'empty ExportTraceServiceResponse when all accepted');
    assert.equal(await spanCount(server, traceIdOf(batch, 3)), 3);
  });
});

describe('overload', () => {
  let server: TestServer;
  before(async () => {
    // no timed flush: one between the requests below would empty the head they fill
    server = await startTestServer({ maxHeadSpans: 50, flushIntervalMs: 3_600_000 });
  });
  after(async () => {
    await server.dispose();
  });

  it('answers 503 with Retry-After (gRPC: UNAVAILABLE) when the head is full, and accepts again after a flush', async () => {
    const first = await postOtlpProto(server.otlpUrl, encodeExportTraceServiceRequest(syntheticBatch(1, 30)));
    assert.equal(first.status, 200);

    const proto = await postOtlpProto(server.otlpUrl, encodeExportTraceServiceRequest(syntheticBatch(1, 30)));
    assert.equal(proto.status, 503);
    assert.match(proto.headers.get('retry-after') ?? '', /^\d+$/);
    assert.match(decodeRpcStatus(proto.body).message, /head holds 30 spans/);

    const ids = new HexIds(7);
    const traceId = ids.traceId();
    const now = BigInt(Date.now()) * 1_000_000n;
    const jsonSpans = Array.from({ length: 30 }, (_, i) => jsonSpan({ traceId, spanId: ids.spanId(), name: `json-${i}`, startNs: now, durationNs: 1000n }));
    const json = await postOtlpJson(server.otlpUrl, serviceRequest('overload', jsonSpans));
    assert.equal(json.status, 503);

    const grpc = await grpcExport(`127.0.0.1:${server.otlpGrpcPort}`, encodeExportTraceServiceRequest(syntheticBatch(1, 30)));
    assert.equal(grpc.ok, false);
    if (!grpc.ok) {
      assert.equal(grpc.code, GrpcStatus.UNAVAILABLE);
      assert.match(String(grpc.metadata.get('retry-after')[0]), /^\d+$/);
    }

    assert.equal((await fetch(`${server.apiUrl}/ready`)).status, 200, 'still up');
    await server.store.flush();
    const again = await postOtlpProto(server.otlpUrl, encodeExportTraceServiceRequest(syntheticBatch(1, 30)));
    assert.equal(again.status, 200);
    const stats = server.store.stats();
    assert.equal(stats.partRows + stats.headPendingRows + stats.headStagedRows, 60, 'the first and the last request');
  });
});

describe('overload: memory bound', () => {
  let server: TestServer;
  before(async () => {
    // 1 MiB: any process is over it, so the bound holds whenever the head holds spans
    server = await startTestServer({ maxMemoryBytes: 1024 * 1024, flushIntervalMs: 3_600_000 });
  });
  after(async () => {
    await server.dispose();
  });

  it('answers 503 with Retry-After (gRPC: UNAVAILABLE) beyond --max-memory while the head holds spans, and accepts again once it is flushed', async () => {
    const first = await postOtlpProto(server.otlpUrl, encodeExportTraceServiceRequest(syntheticBatch(1, 30)));
    assert.equal(first.status, 200, 'an empty head admits: waiting would free nothing');

    const proto = await postOtlpProto(server.otlpUrl, encodeExportTraceServiceRequest(syntheticBatch(1, 30)));
    assert.equal(proto.status, 503);
    assert.match(proto.headers.get('retry-after') ?? '', /^\d+$/);
    assert.match(decodeRpcStatus(proto.body).message, /resident memory [\d,]+ MiB leaves no room for a flush under --max-memory 1 MiB/);

    const grpc = await grpcExport(`127.0.0.1:${server.otlpGrpcPort}`, encodeExportTraceServiceRequest(syntheticBatch(1, 30)));
    assert.equal(grpc.ok, false);
    if (!grpc.ok) {
      assert.equal(grpc.code, GrpcStatus.UNAVAILABLE);
      assert.match(String(grpc.metadata.get('retry-after')[0]), /^\d+$/);
    }

    assert.equal(server.store.stats().partRows, 0, 'a head of 30 spans, under a sixteenth of a flush, waits for its timer');
    await server.store.flush();
    const again = await postOtlpProto(server.otlpUrl, encodeExportTraceServiceRequest(syntheticBatch(1, 30)));
    assert.equal(again.status, 200);
    const stats = server.store.stats();
    assert.equal(stats.partRows + stats.headPendingRows + stats.headStagedRows, 60, 'the first and the last request, nothing of the refused ones');
  });
});

describe('overload: memory bound with a sizeable head', () => {
  let server: TestServer;
  before(async () => {
    // a flush of 320 spans: the 30 of one request are more than a sixteenth of it
    server = await startTestServer({ maxMemoryBytes: 1024 * 1024, flushIntervalMs: 3_600_000, flushMaxSpans: 320 });
  });
  after(async () => {
    await server.dispose();
  });

  it("starts the head's flush when memory refuses a request, so ingest resumes without waiting for the flush timer", async () => {
    assert.equal((await postOtlpProto(server.otlpUrl, encodeExportTraceServiceRequest(syntheticBatch(1, 30)))).status, 200, 'an empty head admits');
    assert.equal((await postOtlpProto(server.otlpUrl, encodeExportTraceServiceRequest(syntheticBatch(1, 30)))).status, 503);
    await eventually(async () => (server.store.stats().partRows === 30 ? true : undefined), 10_000, 'the refusal to flush the head');
    const again = await postOtlpProto(server.otlpUrl, encodeExportTraceServiceRequest(syntheticBatch(1, 30)));
    assert.equal(again.status, 200, 'an empty head admits again');
    const stats = server.store.stats();
    assert.equal(stats.partRows + stats.headPendingRows + stats.headStagedRows, 60, 'the first and the last request, nothing of the refused one');
  });
});

describe('bearer token auth', () => {
  const token = 's3cret-token';
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ authToken: token });
  });
  after(async () => {
    await server.dispose();
  });

  it('answers ingest without the right token with 401 and with it 200, over HTTP and gRPC', async () => {
    const body = encodeExportTraceServiceRequest(syntheticBatch(1, 2, 'auth'));
    const none = await postOtlpProto(server.otlpUrl, body);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    assert.equal(decodeRpcStatus(none.body).code, GrpcStatus.UNAUTHENTICATED);
    assert.equal((await postOtlpProto(server.otlpUrl, body, { authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await postOtlpProto(server.otlpUrl, body, { authorization: `Bearer ${token}` })).status, 200);

    const grpcNone = await grpcExport(`127.0.0.1:${server.otlpGrpcPort}`, body);
    assert.ok(!grpcNone.ok && grpcNone.code === GrpcStatus.UNAUTHENTICATED);
    const grpcOk = await grpcExport(`127.0.0.1:${server.otlpGrpcPort}`, body, { authorization: `Bearer ${token}` });
    assert.ok(grpcOk.ok);
  });

  it('answers queries without the right token with 401 and with it 200; /ready needs no token', async () => {
    for (const path of ['/api/search?q=%7B%7D', '/api/search/tags', '/api/v1/services', '/api/echo']) {
      assert.equal((await fetch(`${server.apiUrl}${path}`)).status, 401, path);
      assert.equal((await fetch(`${server.apiUrl}${path}`, { headers: { authorization: 'Bearer nope' } })).status, 401, path);
      assert.equal((await fetch(`${server.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })).status, 200, path);
    }
    assert.equal((await fetch(`${server.apiUrl}/ready`)).status, 200);
    assert.equal((await fetch(`${server.otlpUrl}/ready`)).status, 200);
  });
});
