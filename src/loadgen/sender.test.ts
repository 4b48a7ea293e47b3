import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { hexOf } from '../model/hex.js';
import { decodeExportTraceServiceRequest } from '../receive/otlp-proto-decode.js';
import { encodeExportTraceServiceRequest } from '../receive/otlp-proto-encode.js';
import { buildRequestPool, type PooledRequest } from './request-pool.js';
import { Rng } from './rng.js';
import { retryAfterMs, sendLoad, sendPool } from './sender.js';

interface Received {
  body: Buffer;
  headers: http.IncomingHttpHeaders;
  /** performance.now() when the body was complete */
  at: number;
}

type Answer = (n: number, res: http.ServerResponse) => void;

/** A local OTLP/HTTP sink that records requests and answers with `answer(requestNumber, res)`. */
async function withSink(answer: Answer, run: (endpoint: string, received: Received[]) => Promise<void>): Promise<void> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks), headers: req.headers, at: performance.now() });
      answer(received.length - 1, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await run(`http://127.0.0.1:${port}/v1/traces`, received);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

function ok(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
}

const pool: PooledRequest[] = buildRequestPool({
  encode: encodeExportTraceServiceRequest,
  requests: 4,
  spansPerRequest: 200,
  rng: new Rng(5),
  nowUnixNano: BigInt(Date.now()) * 1_000_000n,
});

describe('sendPool', () => {
  it('retries a 503 after its Retry-After and counts requests, spans, bytes and statuses', { timeout: 30_000 }, async () => {
    const answer: Answer = (n, res) => (n === 0 ? res.writeHead(503, { 'retry-after': '1' }).end() : ok(res));
    await withSink(answer, async (endpoint, received) => {
      const summary = await sendPool({ endpoint, pool, concurrency: 2, spansPerSecond: 0, durationMs: 30_000, maxRequests: 6, bearerToken: 's3cret' });
      assert.equal(summary.requests, 6);
      assert.equal(received.length, 7);
      assert.deepEqual(summary.status, { '200': 6, '503': 1 });
      assert.equal(summary.retries, 1);
      assert.equal(summary.failed, 0);
      const expectedSpans = [0, 1, 2, 3, 0, 1].reduce((sum, k) => sum + pool[k]!.spans, 0);
      assert.equal(summary.spans, expectedSpans);
      assert.equal(summary.bytes, received.reduce((sum, r) => sum + r.body.length, 0));
      assert.ok(summary.latencyMs.p50 > 0 && summary.latencyMs.p99 >= summary.latencyMs.p50);
      const retried = received.slice(1).find((r) => r.body.equals(received[0]!.body));
      assert.ok(retried, 'the retry did not resend the same body');
      assert.ok(retried.at - received[0]!.at >= 900, 'retried before Retry-After elapsed');
      for (const r of received) {
        assert.equal(r.headers['content-type'], 'application/x-protobuf');
        assert.equal(r.headers['authorization'], 'Bearer s3cret');
      }
    });
  });

  it('sends fresh trace ids each time a pooled request is reused', { timeout: 30_000 }, async () => {
    await withSink((_, res) => ok(res), async (endpoint, received) => {
      await sendPool({ endpoint, pool: pool.slice(0, 1), concurrency: 1, spansPerSecond: 0, durationMs: 30_000, maxRequests: 3 });
      const firstTraceIds = received.map((r) => hexOf(decodeExportTraceServiceRequest(r.body).batch.traceId, 0, 16));
      assert.equal(new Set(firstTraceIds).size, 3);
    });
  });

  it('does not retry other errors and counts them as failed', { timeout: 30_000 }, async () => {
    await withSink((_, res) => res.writeHead(400).end('bad'), async (endpoint, received) => {
      const summary = await sendPool({ endpoint, pool, concurrency: 2, spansPerSecond: 0, durationMs: 30_000, maxRequests: 4 });
      assert.equal(received.length, 4);
      assert.deepEqual(summary.status, { '400': 4 });
      assert.equal(summary.retries, 0);
      assert.equal(summary.failed, 4);
      assert.equal(summary.spans, 0);
    });
  });

  it('stops at the end of the duration when no request count is set', { timeout: 30_000 }, async () => {
    await withSink((_, res) => ok(res), async (endpoint, received) => {
      const summary = await sendPool({ endpoint, pool, concurrency: 2, spansPerSecond: 0, durationMs: 300, maxRequests: 0 });
      assert.ok(summary.requests > 0);
      assert.equal(summary.requests, received.length);
      assert.deepEqual(Object.keys(summary.status), ['200']);
    });
  });

  it('paces requests to the target span rate', { timeout: 30_000 }, async () => {
    const spans = pool[0]!.spans;
    await withSink((_, res) => ok(res), async (endpoint, received) => {
      // one request of `spans` spans every 200 ms: sends at 0, 200 and 400 ms fit in 500 ms
      const summary = await sendPool({ endpoint, pool: pool.slice(0, 1), concurrency: 4, spansPerSecond: spans * 5, durationMs: 500, maxRequests: 0 });
      assert.equal(summary.requests, 3);
      assert.equal(received.length, 3);
    });
  });

  it('gzips bodies when asked', { timeout: 30_000 }, async () => {
    await withSink((_, res) => ok(res), async (endpoint, received) => {
      const summary = await sendPool({ endpoint, pool, concurrency: 1, spansPerSecond: 0, durationMs: 30_000, maxRequests: 2, gzip: true });
      assert.equal(summary.spans, pool[0]!.spans + pool[1]!.spans);
      for (const [k, r] of received.entries()) {
        assert.equal(r.headers['content-encoding'], 'gzip');
        assert.equal(decodeExportTraceServiceRequest(gunzipSync(r.body)).batch.length, pool[k]!.spans);
      }
    });
  });

  it('refuses a run with neither a duration nor a request count', async () => {
    await assert.rejects(() => sendPool({ endpoint: 'http://127.0.0.1:1/', pool, concurrency: 1, spansPerSecond: 0, durationMs: 0, maxRequests: 0 }), /duration/);
  });
});

describe('sendLoad', () => {
  it('generates a pool with the injected encoder and sends it', { timeout: 30_000 }, async () => {
    await withSink((_, res) => ok(res), async (endpoint, received) => {
      const { summary, pool: info } = await sendLoad({
        endpoint,
        encode: encodeExportTraceServiceRequest,
        spansPerRequest: 100,
        seed: 1,
        concurrency: 1,
        spansPerSecond: 0,
        durationMs: 30_000,
        maxRequests: 2,
      });
      assert.equal(info.requests, 2);
      assert.equal(summary.spans, info.spans);
      assert.equal(received.length, 2);
    });
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates, and ignores what it cannot read', () => {
    assert.equal(retryAfterMs('2'), 2000);
    assert.equal(retryAfterMs('0.5'), 500);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(retryAfterMs(undefined), undefined);
    assert.equal(retryAfterMs('soon'), undefined);
  });
});
