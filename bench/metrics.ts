// Metrics suite: remote_write ingest samples/s into `marquetry serve` (8
// shards sending their series in time order, like Prometheus's queue
// manager), bytes per sample once persisted, and the latency of a 10-query
// dashboard — with a real Prometheus (Debian's) given the same requests and
// queries in the same run as the peer.
//
//   node dist/bench/main.js metrics [--series 10000] [--rounds 720]

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { encodeWriteRequestV1, type RemoteWriteSeries } from '../src/receive/metrics/remote-write-encode.js';
import { snappyCompress } from '../src/receive/metrics/snappy.js';
import { ServerProcess, sampleProc } from './server-process.js';
import { trackChild, trackDir } from './cleanup.js';
import { median, metric, percentile, round, type SuiteReport } from './report.js';
import { benchCompaction } from './metrics-compaction.js';
import { benchMetricIndex } from './metric-index.js';
import { defaultFixturePath } from './chunks.js';

export interface MetricsBenchOptions {
  series: number;
  /** scrape rounds (15 s apart) per series */
  rounds: number;
  shards: number;
  /** rounds per request: each request carries `rounds` samples of its shard's series */
  roundsPerRequest: number;
  withPrometheus: boolean;
}

const SCRAPE_MS = 15_000;
const METRIC_NAMES = 100;

/** Labels of series i: 100 metric names × (series/100) instances, node_exporter-like. */
export function labelsOf(i: number): [string, string][] {
  const name = `bench_metric_${i % METRIC_NAMES}${i % METRIC_NAMES < 40 ? '_total' : ''}`;
  const instance = Math.floor(i / METRIC_NAMES);
  return [
    ['__name__', name],
    ['instance', `host-${instance}:9100`],
    ['job', 'node'],
    ['mode', ['user', 'system', 'idle', 'iowait'][instance % 4]!],
  ];
}

/** Deterministic values: counters grow by a few per scrape, gauges wander. */
export function valueOf(i: number, round: number): number {
  if (i % METRIC_NAMES < 40) return Math.floor(round * (1 + (i % 7)) + ((round * 2654435761 + i) % 5));
  return Math.round((1000 + 100 * Math.sin((round + i) / 17) + (i % 13)) * 100) / 100;
}

/** One snappy body per (shard, request index), in the order each shard must send them. */
export function buildRequests(o: MetricsBenchOptions, startMs: number): Uint8Array[][] {
  const perShard: Uint8Array[][] = [];
  for (let s = 0; s < o.shards; s++) {
    const bodies: Uint8Array[] = [];
    for (let r0 = 0; r0 < o.rounds; r0 += o.roundsPerRequest) {
      const series: RemoteWriteSeries[] = [];
      for (let i = s; i < o.series; i += o.shards) {
        const samples: { value: number; timestampMs: number }[] = [];
        for (let r = r0; r < Math.min(o.rounds, r0 + o.roundsPerRequest); r++) samples.push({ value: valueOf(i, r), timestampMs: startMs + r * SCRAPE_MS });
        series.push({ labels: labelsOf(i), samples });
      }
      bodies.push(snappyCompress(encodeWriteRequestV1(series)));
    }
    perShard.push(bodies);
  }
  return perShard;
}

export async function send(url: string, perShard: Uint8Array[][]): Promise<{ ms: number; failures: number; latencies: number[] }> {
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    perShard.map(async (bodies) => {
      for (const body of bodies) {
        for (let attempt = 0; ; attempt++) {
          const t0 = performance.now();
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' },
            body: body as Uint8Array<ArrayBuffer>,
          });
          await res.arrayBuffer();
          latencies.push(performance.now() - t0);
          if (res.status < 300) break;
          if ((res.status === 503 || res.status === 429) && attempt < 50) {
            await new Promise((r) => setTimeout(r, 200));
            continue;
          }
          failures++;
          break;
        }
      }
    }),
  );
  return { ms: performance.now() - started, failures, latencies };
}

export function dashboard(endS: number): { query: string; start: number; end: number; step: number }[] {
  const start = endS - 3600;
  const q = (query: string) => ({ query, start, end: endS, step: 60 });
  return [
    q('sum(rate(bench_metric_0_total[5m]))'),
    q('sum by (mode) (rate(bench_metric_1_total[5m]))'),
    q('topk(5, rate(bench_metric_2_total[5m]))'),
    q('avg by (instance) (bench_metric_50)'),
    q('max_over_time(bench_metric_51[10m])'),
    q('quantile(0.9, bench_metric_52)'),
    q('bench_metric_53 / on (instance, mode) bench_metric_54'),
    q('increase(bench_metric_3_total[1h])'),
    q('count by (job) (bench_metric_55)'),
    q('predict_linear(bench_metric_56[15m], 3600)'),
  ];
}

// Rounds of the dashboard: the first is cold (caches, JIT), the figure is
// each query's median over the rounds, so one stall on this shared machine
// does not decide the comparison.
const DASHBOARD_ROUNDS = 5;

async function timeDashboard(baseUrl: string, endS: number): Promise<number[]> {
  const queries = dashboard(endS);
  const rounds: number[][] = queries.map(() => []);
  for (let round = 0; round < DASHBOARD_ROUNDS; round++) {
    for (const [i, d] of queries.entries()) {
      const t0 = performance.now();
      const res = await fetch(`${baseUrl}/api/v1/query_range?${new URLSearchParams({ query: d.query, start: String(d.start), end: String(d.end), step: String(d.step) })}`);
      const body = (await res.json()) as { status: string; error?: string };
      if (body.status !== 'success') throw new Error(`bench: ${d.query} failed at ${baseUrl}: ${body.error}`);
      rounds[i]!.push(performance.now() - t0);
    }
  }
  return rounds.map((times) => median(times));
}

/** Bytes of files under `dir` named `name` (or all files when omitted). */
function dirBytes(dir: string, name?: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += dirBytes(p, name);
    else if (name === undefined || e.name === name) n += statSync(p).size;
  }
  return n;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

async function startPrometheus(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'prometheus.yml'), 'global: {}\n');
  const child = spawn('/usr/bin/prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver', '--storage.tsdb.retention.time=100y'], { stdio: 'ignore' });
  trackChild(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/-/ready`)).status === 200) return { child, url };
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('bench: prometheus did not become ready');
}

function perQuery(endS: number, ours: number[], theirs: number[]): Record<string, { ours: number; prometheus: number }> {
  const out: Record<string, { ours: number; prometheus: number }> = {};
  dashboard(endS).forEach((d, i) => (out[d.query] = { ours: round(ours[i]!, 2), prometheus: round(theirs[i]!, 2) }));
  return out;
}

export async function benchMetrics(o: MetricsBenchOptions): Promise<SuiteReport> {
  const root = trackDir(mkdtempSync(join(tmpdir(), 'marquetry-bench-metrics-')));
  // Data ends a minute ago, so it is inside Prometheus's accepted window too.
  const endMs = Math.floor((Date.now() - 60_000) / SCRAPE_MS) * SCRAPE_MS;
  const startMs = endMs - (o.rounds - 1) * SCRAPE_MS;
  const requests = buildRequests(o, startMs);
  const samples = o.series * o.rounds;

  const server = await ServerProcess.start(join(root, 'marquetry'));
  const ours = await send(`http://127.0.0.1:${server.ports.http}/api/v1/write`, requests);
  const rss = sampleProc(server.pid);
  const dashboardOurs = await timeDashboard(`http://127.0.0.1:${server.ports.http}`, endMs / 1000);
  await server.stop(120_000);
  const blocksDir = join(root, 'marquetry', 'blocks');
  const ourBytes = dirBytes(blocksDir);
  const chunkBytes = dirBytes(blocksDir, 'chunks');
  // A quarter of the series keeps the 13 in-process head blocks quick to build.
  const compaction = await benchCompaction(Math.max(100, Math.round(o.series / 4)));
  const labelIndex = await benchMetricIndex(o.series, defaultFixturePath());

  const report: SuiteReport = {
    key: 'metrics',
    config: { series: o.series, rounds: o.rounds, samples, shards: o.shards, samplesPerRequest: (o.series / o.shards) * o.roundsPerRequest, ...compaction.config, ...labelIndex.config },
    metrics: [
      metric('remote-write-samples-per-s', (samples / ours.ms) * 1000, 'samples/s', '>= 500000'),
      metric('remote-write-request-p99', percentile(ours.latencies, 0.99), 'ms'),
      metric('failed-requests', ours.failures),
      metric('chunk-bytes-per-sample', chunkBytes / samples, 'bytes', 'varbit <= 1.3'),
      metric('block-bytes-per-sample', ourBytes / samples, 'bytes'),
      metric('dashboard-10-queries-total', dashboardOurs.reduce((a, b) => a + b, 0), 'ms'),
      metric('dashboard-query-p50', percentile(dashboardOurs, 0.5), 'ms'),
      metric('server-peak-rss', (rss?.hwmBytes ?? NaN) / 2 ** 20, 'MiB'),
      ...compaction.metrics,
      ...labelIndex.metrics,
    ],
  };

  if (o.withPrometheus) {
    const promDir = join(root, 'prometheus');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(promDir, { recursive: true });
    const prom = await startPrometheus(promDir);
    try {
      const theirs = await send(`${prom.url}/api/v1/write`, requests);
      const dashboardTheirs = await timeDashboard(prom.url, endMs / 1000);
      const promSamplesPerS = (samples / theirs.ms) * 1000;
      const ourSamplesPerS = (samples / ours.ms) * 1000;
      report.peer = {
        key: 'prometheus',
        version: '2.42 (Debian)',
        metrics: [
          metric('remote-write-samples-per-s', promSamplesPerS, 'samples/s'),
          metric('dashboard-10-queries-total', dashboardTheirs.reduce((a, b) => a + b, 0), 'ms'),
          metric('failed-requests', theirs.failures),
        ],
        detail: { dashboardMedianMs: perQuery(endMs / 1000, dashboardOurs, dashboardTheirs) },
        ratios: [
          metric('ingest-ours-over-prometheus', round(ourSamplesPerS / promSamplesPerS, 3)),
          metric('dashboard-ours-over-prometheus', round(dashboardOurs.reduce((a, b) => a + b, 0) / dashboardTheirs.reduce((a, b) => a + b, 0), 3)),
        ],
      };
    } finally {
      prom.child.kill('SIGTERM');
    }
  }
  return report;
}
