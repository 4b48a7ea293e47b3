// Runs a real Prometheus (Debian's /usr/bin/prometheus, package
// `prometheus`) on 127.0.0.1 over a temporary storage folder, loads samples
// into it through its remote-write receiver (the only way in that keeps
// staleness markers bit for bit), and asks its HTTP API. For tests that
// compare marquetry's PromQL answers with the reference implementation.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS_BINARY = '/usr/bin/prometheus';

export interface RemoteWriteSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: readonly (readonly [tMs: number, value: number | 'stale'])[];
}

export interface PrometheusApiAnswer {
  readonly status: 'success' | 'error';
  readonly data?: unknown;
  readonly errorType?: string;
  readonly error?: string;
}

export interface RunningPrometheus {
  readonly url: string;
  readonly pid: number;
  /** First line of `prometheus --version`. */
  readonly version: string;
  remoteWrite(series: readonly RemoteWriteSeries[]): Promise<void>;
  query(query: string, timeMs: number): Promise<PrometheusApiAnswer>;
  queryRange(query: string, startMs: number, endMs: number, stepMs: number): Promise<PrometheusApiAnswer>;
  /** Stops the process (SIGTERM, then SIGKILL after 10 s) and removes its folder. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 30_000;

export async function startPrometheus(): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'marquetry-prometheus-'));
  const version = await runVersion();
  const config = join(dir, 'prometheus.yml');
  // No scrape jobs: the TSDB holds only what the test writes.
  await writeFile(config, 'global:\n  evaluation_interval: 1m\n');
  const port = await freePort();
  const log = createWriteStream(join(dir, 'prometheus.log'));
  const child = spawn(
    PROMETHEUS_BINARY,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--storage.tsdb.retention.time=100y',
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--query.lookback-delta=5m',
      '--query.max-samples=50000000',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await stopProcess(child);
    log.end();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child);
  } catch (err) {
    const text = await readFile(join(dir, 'prometheus.log'), 'utf8').catch(() => '');
    await stop();
    throw new Error(`prometheus did not become ready: ${(err as Error).message}\n${text.slice(-2000)}`);
  }
  return {
    url,
    pid: child.pid!,
    version,
    remoteWrite: (series) => remoteWrite(url, series),
    query: (query, timeMs) => apiGet(url, '/api/v1/query', { query, time: seconds(timeMs) }),
    queryRange: (query, startMs, endMs, stepMs) =>
      apiGet(url, '/api/v1/query_range', { query, start: seconds(startMs), end: seconds(endMs), step: seconds(stepMs) }),
    stop,
  };
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function runVersion(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PROMETHEUS_BINARY, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${PROMETHEUS_BINARY} (Debian package "prometheus"): ${err.message}`));
    });
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(out.split('\n')[0]!.trim());
    });
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready after ${READY_TIMEOUT_MS} ms`);
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function apiGet(url: string, path: string, params: Record<string, string>): Promise<PrometheusApiAnswer> {
  const res = await fetch(`${url}${path}?${new URLSearchParams(params).toString()}`, {
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return (await res.json()) as PrometheusApiAnswer;
}

/**
 * Sends samples in time order, in slices of ten minutes, so that no sample
 * is older than the head's append window when it arrives.
 */
async function remoteWrite(url: string, series: readonly RemoteWriteSeries[]): Promise<void> {
  const all = series.flatMap((s) => s.samples.map(([t]) => t));
  if (all.length === 0) return;
  const SLICE_MS = 10 * 60_000;
  const first = Math.min(...all);
  const last = Math.max(...all);
  for (let from = first; from <= last; from += SLICE_MS) {
    const slice = series
      .map((s) => ({ labels: s.labels, samples: s.samples.filter(([t]) => t >= from && t < from + SLICE_MS) }))
      .filter((s) => s.samples.length > 0);
    const body = snappyLiteral(encodeWriteRequest(slice));
    const res = await fetch(`${url}/api/v1/write`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-protobuf',
        'Content-Encoding': 'snappy',
        'X-Prometheus-Remote-Write-Version': '0.1.0',
      },
      body: Buffer.from(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (res.status >= 300) throw new Error(`remote write answered ${res.status}: ${await res.text()}`);
  }
}

// prometheus.WriteRequest, the fields used here:
//   WriteRequest { repeated TimeSeries timeseries = 1; }
//   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
//   Label        { string name = 1; string value = 2; }
//   Sample       { double value = 1; int64 timestamp = 2; }
class ProtoWriter {
  private bytes: number[] = [];

  varint(n: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(n));
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint((field << 3) | wireType);
  }

  lengthDelimited(field: number, payload: Uint8Array): this {
    this.tag(field, 2).varint(payload.length);
    for (const b of payload) this.bytes.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.lengthDelimited(field, new TextEncoder().encode(s));
  }

  /** Eight raw little-endian bytes, so a staleness marker's NaN payload survives. */
  fixed64(field: number, raw: Uint8Array): this {
    this.tag(field, 1);
    for (const b of raw) this.bytes.push(b);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

function encodeWriteRequest(series: readonly RemoteWriteSeries[]): Uint8Array {
  const request = new ProtoWriter();
  const raw = new Float64Array(1);
  const rawBytes = new Uint8Array(raw.buffer);
  const rawWords = new Uint32Array(raw.buffer);
  for (const s of series) {
    const ts = new ProtoWriter();
    const names = Object.keys(s.labels).sort();
    for (const name of names) {
      if (s.labels[name] === '') continue;
      ts.lengthDelimited(1, new ProtoWriter().string(1, name).string(2, s.labels[name]!).finish());
    }
    for (const [t, value] of s.samples) {
      if (value === 'stale') {
        rawWords[0] = 0x00000002;
        rawWords[1] = 0x7ff00000;
      } else raw[0] = value;
      const sample = new ProtoWriter().fixed64(1, rawBytes.slice()).tag(2, 0).varint(t).finish();
      ts.lengthDelimited(2, sample);
    }
    request.lengthDelimited(1, ts.finish());
  }
  return request.finish();
}

/** Snappy block format with literals only: valid, uncompressed, and all a test needs. */
function snappyLiteral(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let n = data.length;
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  const CHUNK = 65536;
  for (let i = 0; i < data.length; i += CHUNK) {
    const len = Math.min(CHUNK, data.length - i);
    const m = len - 1;
    if (m < 60) out.push(m << 2);
    else if (m < 0x100) out.push(60 << 2, m);
    else out.push(61 << 2, m & 0xff, m >>> 8);
    for (let j = i; j < i + len; j++) out.push(data[j]!);
  }
  return Uint8Array.from(out);
}
