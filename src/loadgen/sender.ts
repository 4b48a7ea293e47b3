// Sends pooled OTLP/protobuf requests to an OTLP/HTTP endpoint: N clients on
// keep-alive connections, paced to a span rate, stopped by a duration and/or a
// request count. Like OpenTelemetry exporters it retries 429/502/503/504,
// waiting as long as Retry-After says (or backing off when it says nothing).

import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { buildRequestPool, rewriteRequest, type EncodeRequest, type PooledRequest } from './request-pool.js';
import { Rng } from './rng.js';
import { LatencyRecorder, type LatencySummary } from './latency.js';

const gzip = promisify(gzipCallback);

const RETRYABLE = new Set([429, 502, 503, 504]);
const DEFAULT_MAX_RETRIES = 5;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const BACKOFF_BASE_MS = 200;
const MAX_RETRY_WAIT_MS = 60_000;

export interface SendOptions {
  /** OTLP/HTTP traces URL, e.g. http://127.0.0.1:4318/v1/traces */
  endpoint: string;
  pool: readonly PooledRequest[];
  concurrency: number;
  /** target spans per second over all clients; 0 = as fast as the endpoint answers */
  spansPerSecond: number;
  /** stop starting requests after this long; 0 = no time bound */
  durationMs: number;
  /** stop after this many requests (retries not counted); 0 = no count bound */
  maxRequests: number;
  bearerToken?: string;
  gzip?: boolean;
  /** fresh trace ids and times on every send (default true); false sends the pool verbatim */
  rewrite?: boolean;
  maxRetries?: number;
  requestTimeoutMs?: number;
  /** seeds the trace-id masks */
  seed?: number;
}

export interface LoadSummary {
  /** requests finished, each once however often it was retried */
  requests: number;
  /** spans in requests that got a 2xx */
  spans: number;
  spansPerSecond: number;
  /** request body bytes sent, retries included (after gzip when on) */
  bytes: number;
  /** responses by HTTP status, retried ones included */
  status: Record<string, number>;
  retries: number;
  /** requests that never got a 2xx: other statuses, retries exhausted or out of time, network errors */
  failed: number;
  networkErrors: number;
  durationMs: number;
  latencyMs: LatencySummary;
}

interface Response {
  status: number;
  retryAfter: string | undefined;
}

class Run {
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  private readonly rng: Rng;
  private readonly startedAt = performance.now();
  private readonly deadline: number;
  private readonly latency = new LatencyRecorder();
  private readonly status = new Map<number, number>();
  private started = 0;
  private scheduledSpans = 0;
  private finished = 0;
  private spans = 0;
  private bytes = 0;
  private retries = 0;
  private failed = 0;
  private networkErrors = 0;

  constructor(private readonly o: SendOptions) {
    this.url = new URL(o.endpoint);
    this.transport = this.url.protocol === 'https:' ? https : http;
    this.agent = new this.transport.Agent({ keepAlive: true, maxSockets: o.concurrency });
    this.rng = new Rng(o.seed ?? Date.now());
    this.deadline = o.durationMs > 0 ? this.startedAt + o.durationMs : Infinity;
  }

  async run(): Promise<LoadSummary> {
    const largest = Math.max(...this.o.pool.map((r) => r.body.length));
    try {
      await Promise.all(Array.from({ length: this.o.concurrency }, () => this.client(new Uint8Array(largest))));
    } finally {
      this.agent.destroy();
    }
    return this.summary();
  }

  /** One client: its requests go one after the other; `scratch` holds the body being sent. */
  private async client(scratch: Uint8Array): Promise<void> {
    const { pool, maxRequests, spansPerSecond } = this.o;
    for (;;) {
      if (performance.now() >= this.deadline) return;
      if (maxRequests > 0 && this.started >= maxRequests) return;
      const req = pool[this.started++ % pool.length]!;
      if (spansPerSecond > 0) {
        const sendAt = this.startedAt + (this.scheduledSpans / spansPerSecond) * 1000;
        this.scheduledSpans += req.spans;
        if (sendAt >= this.deadline) return;
        const wait = sendAt - performance.now();
        if (wait > 0) await sleep(wait);
      }
      const body = await this.prepare(req, scratch);
      await this.sendWithRetries(body, req.spans);
      this.finished++;
    }
  }

  private async prepare(req: PooledRequest, scratch: Uint8Array): Promise<Uint8Array> {
    let body = req.body;
    if (this.o.rewrite ?? true) {
      const mask = new Uint8Array(16);
      this.rng.fillBytes(mask, 0, 16);
      const shiftNs = Math.max(0, Number(BigInt(Date.now()) * 1_000_000n - req.generatedAtUnixNano));
      body = rewriteRequest(req, scratch, mask, shiftNs);
    }
    return this.o.gzip ? gzip(body) : body;
  }

  private async sendWithRetries(body: Uint8Array, spans: number): Promise<void> {
    const maxRetries = this.o.maxRetries ?? DEFAULT_MAX_RETRIES;
    for (let attempt = 0; ; attempt++) {
      const sentAt = performance.now();
      let res: Response;
      try {
        res = await this.post(body);
      } catch {
        this.networkErrors++;
        this.failed++;
        return;
      }
      this.latency.add(performance.now() - sentAt);
      this.bytes += body.length;
      this.status.set(res.status, (this.status.get(res.status) ?? 0) + 1);
      if (res.status >= 200 && res.status < 300) {
        this.spans += spans;
        return;
      }
      if (!RETRYABLE.has(res.status) || attempt >= maxRetries) break;
      const wait = retryAfterMs(res.retryAfter) ?? BACKOFF_BASE_MS * 2 ** attempt * (0.5 + this.rng.float());
      if (performance.now() + wait >= this.deadline) break;
      this.retries++;
      await sleep(wait);
    }
    this.failed++;
  }

  private post(body: Uint8Array): Promise<Response> {
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/x-protobuf',
      'content-length': body.length,
      'user-agent': 'marquetry-loadgen/0.1',
    };
    if (this.o.gzip) headers['content-encoding'] = 'gzip';
    if (this.o.bearerToken) headers['authorization'] = `Bearer ${this.o.bearerToken}`;
    return new Promise((resolve, reject) => {
      const req = this.transport.request(this.url, { method: 'POST', agent: this.agent, headers }, (res) => {
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
        res.resume(); // drain so the connection can be reused
      });
      req.setTimeout(this.o.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, () => req.destroy(new Error('loadgen: request timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }

  private summary(): LoadSummary {
    const durationMs = performance.now() - this.startedAt;
    const status: Record<string, number> = {};
    for (const [code, n] of [...this.status].sort((a, b) => a[0] - b[0])) status[String(code)] = n;
    return {
      requests: this.finished,
      spans: this.spans,
      spansPerSecond: Math.round(this.spans / (durationMs / 1000)),
      bytes: this.bytes,
      status,
      retries: this.retries,
      failed: this.failed,
      networkErrors: this.networkErrors,
      durationMs: Math.round(durationMs),
      latencyMs: this.latency.summary(),
    };
  }
}

/** Retry-After in ms: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - nowMs;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, ms), MAX_RETRY_WAIT_MS);
}

/** Sends a prepared pool; see SendOptions for the bounds. */
export async function sendPool(options: SendOptions): Promise<LoadSummary> {
  if (options.pool.length === 0) throw new Error('loadgen: the request pool is empty');
  if (!(options.concurrency >= 1)) throw new Error(`loadgen: concurrency must be at least 1, got ${options.concurrency}`);
  if (options.durationMs <= 0 && options.maxRequests <= 0) throw new Error('loadgen: set a duration or a maximum request count');
  return new Run(options).run();
}

export interface LoadOptions extends Omit<SendOptions, 'pool'> {
  encode: EncodeRequest;
  spansPerRequest: number;
  /** distinct requests generated up front (default 32, fewer when maxRequests is smaller) */
  poolSize?: number;
  errorRate?: number;
  /** seeds the generated data (and the trace-id masks) */
  seed: number;
  /** called once the pool is ready, before the first request */
  onPoolReady?: (pool: PoolInfo) => void;
}

export interface PoolInfo {
  requests: number;
  spans: number;
  /** encoded bytes, before gzip */
  bytes: number;
  generateMs: number;
}

export interface LoadResult {
  summary: LoadSummary;
  pool: PoolInfo;
}

/** Generates and encodes a pool of requests, then sends it. */
export async function sendLoad(options: LoadOptions): Promise<LoadResult> {
  const { encode, spansPerRequest, poolSize, errorRate, seed, onPoolReady, ...send } = options;
  const size = Math.max(1, Math.min(poolSize ?? 32, options.maxRequests > 0 ? options.maxRequests : Infinity));
  const t0 = performance.now();
  const pool = buildRequestPool({
    encode,
    requests: size,
    spansPerRequest,
    rng: new Rng(seed),
    nowUnixNano: BigInt(Date.now()) * 1_000_000n,
    ...(errorRate === undefined ? {} : { errorRate }),
  });
  const info: PoolInfo = { requests: pool.length, spans: 0, bytes: 0, generateMs: Math.round(performance.now() - t0) };
  for (const r of pool) {
    info.spans += r.spans;
    info.bytes += r.body.length;
  }
  onPoolReady?.(info);
  const summary = await sendPool({ ...send, pool, seed: seed + 1 });
  return { summary, pool: info };
}
