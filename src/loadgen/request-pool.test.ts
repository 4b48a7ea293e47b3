import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SpanBatch } from '../model/span-batch.js';
import { decodeExportTraceServiceRequest } from '../receive/otlp-proto-decode.js';
import { encodeExportTraceServiceRequest } from '../receive/otlp-proto-encode.js';
import { buildRequestPool, rewriteRequest, type PooledRequest } from './request-pool.js';
import { Rng } from './rng.js';

const NOW = 1_750_000_000_000_000_000n;

function pool(encode = encodeExportTraceServiceRequest): PooledRequest[] {
  return buildRequestPool({ encode, requests: 3, spansPerRequest: 300, rng: new Rng(9), nowUnixNano: NOW });
}

function decode(body: Uint8Array): SpanBatch {
  return decodeExportTraceServiceRequest(body).batch;
}

describe('buildRequestPool', () => {
  const requests = pool();

  it('fills each request with whole traces up to a little over spansPerRequest', () => {
    assert.equal(requests.length, 3);
    for (const r of requests) {
      assert.ok(r.spans >= 300 && r.spans < 360, `${r.spans} spans`);
      assert.equal(decode(r.body).length, r.spans);
    }
  });

  it('finds every trace id (spans and links) and every time (spans and events) in the encoded bytes', () => {
    for (const r of requests) {
      const batch = decode(r.body);
      assert.equal(r.traceIdOffsets.length, batch.length + batch.links.length);
      assert.equal(r.timeOffsets.length, 2 * batch.length + batch.events.length);
    }
  });

  it('finds nothing to patch in requests of another encoding, which are then sent verbatim', () => {
    const json = pool((batch) => new TextEncoder().encode(JSON.stringify({ names: batch.name })));
    for (const r of json) {
      assert.equal(r.traceIdOffsets.length, 0);
      assert.equal(r.timeOffsets.length, 0);
    }
  });
});

describe('rewriteRequest', () => {
  const [req] = pool();

  it('XORs every trace id with the mask and shifts every time, leaving the rest as it was', () => {
    const mask = new Uint8Array(16);
    new Rng(1).fillBytes(mask, 0, 16);
    const shift = 3_600_000_000_123;
    const before = decode(req!.body);
    const after = decode(rewriteRequest(req!, new Uint8Array(req!.body.length), mask, shift));
    const xorIds = (ids: Uint8Array): Uint8Array => ids.map((b, i) => b ^ mask[i % 16]!);
    assert.deepEqual(after.traceId, xorIds(before.traceId));
    assert.deepEqual(after.links.traceId, xorIds(before.links.traceId));
    assert.deepEqual(after.startTimeUnixNano, before.startTimeUnixNano.map((t) => t + BigInt(shift)));
    assert.deepEqual(after.endTimeUnixNano, before.endTimeUnixNano.map((t) => t + BigInt(shift)));
    assert.deepEqual(after.events.timeUnixNano, before.events.timeUnixNano.map((t) => t + BigInt(shift)));
    assert.deepEqual(after.spanId, before.spanId);
    assert.deepEqual(after.parentSpanId, before.parentSpanId);
    assert.deepEqual(after.name, before.name);
    assert.deepEqual(after.attributes, before.attributes);
    assert.deepEqual(after.resources, before.resources);
  });

  it('gives back the original bytes for a zero mask and no shift', () => {
    // Compared as plain bytes: the encoder returns a Buffer, rewriteRequest a Uint8Array view.
    assert.deepEqual(rewriteRequest(req!, new Uint8Array(req!.body.length + 10), new Uint8Array(16), 0), new Uint8Array(req!.body));
  });

  it('carries from the low into the high 32 bits of a time', () => {
    const body = new Uint8Array(9);
    const view = new DataView(body.buffer);
    body[0] = 0x39;
    view.setBigUint64(1, 2n ** 32n - 1n, true);
    const synthetic: PooledRequest = { body, spans: 1, traceIdOffsets: new Uint32Array(0), timeOffsets: Uint32Array.of(1), generatedAtUnixNano: 0n };
    const out = rewriteRequest(synthetic, new Uint8Array(9), new Uint8Array(16), 2 ** 32 + 1);
    assert.equal(new DataView(out.buffer).getBigUint64(1, true), 2n ** 33n);
  });
});
