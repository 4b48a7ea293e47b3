// A real Prometheus (Debian's package) scrapes a real node_exporter and
// itself every second and remote_writes everything to marquetry. The same
// PromQL, instant and range, asked of Prometheus and of marquetry must give
// the same series with values equal within 1e-9 relative.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiGet, freePort, PROMETHEUS_BINARY, stopProcess, waitReady, type PrometheusApiAnswer } from '../helpers/prometheus.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
const COLLECT_MS = 30_000;

const INSTANT_QUERIES = [
  'up',
  'count by (job) (up)',
  'node_load1',
  'node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes',
  'rate(node_cpu_seconds_total[10s])',
  'sum by (mode) (rate(node_cpu_seconds_total[15s]))',
  'irate(node_cpu_seconds_total{mode="idle"}[10s])',
  'increase(prometheus_http_requests_total[20s])',
  'delta(node_memory_MemFree_bytes[20s])',
  'idelta(node_memory_MemFree_bytes[20s])',
  'changes(node_memory_MemFree_bytes[20s])',
  'resets(node_cpu_seconds_total[20s])',
  'avg_over_time(node_load1[20s])',
  'max_over_time(node_memory_Active_bytes[20s]) - min_over_time(node_memory_Active_bytes[20s])',
  'quantile_over_time(0.9, node_memory_Active_bytes[20s])',
  'stddev_over_time(node_memory_Active_bytes[20s])',
  'count_over_time(up[20s])',
  'last_over_time(node_load5[20s])',
  'deriv(node_memory_Active_bytes[20s])',
  'predict_linear(node_memory_Active_bytes[20s], 60)',
  'histogram_quantile(0.9, sum by (le) (rate(prometheus_http_request_duration_seconds_bucket[20s])))',
  'histogram_quantile(0.5, rate(prometheus_tsdb_compaction_chunk_range_seconds_bucket[20s]))',
  'topk(3, node_network_receive_bytes_total)',
  'bottomk(2, sum by (cpu) (node_cpu_seconds_total))',
  'quantile(0.5, node_cpu_seconds_total)',
  'count_values("v", up)',
  'stddev by (mode) (node_cpu_seconds_total)',
  'avg without (cpu) (node_cpu_seconds_total)',
  'group by (job) (up)',
  'node_cpu_seconds_total{mode=~"sys.*|user"} > 0',
  'node_cpu_seconds_total{mode!="idle"} > bool 1',
  'node_memory_MemTotal_bytes and on (instance) up',
  'up unless on (job) node_load1',
  'node_cpu_seconds_total * on (instance) group_left (nodename) node_uname_info',
  'label_replace(up, "host", "$1", "instance", "(.*):.*")',
  'label_join(up, "both", "/", "job", "instance")',
  'absent(nonexistent_metric{job="x"})',
  'absent_over_time(up[20s])',
  'timestamp(up)',
  'scalar(count(up)) * 2',
  'vector(1) + time() * 0',
  'sum(rate(node_cpu_seconds_total[15s] offset 5s))',
  'abs(delta(node_memory_MemFree_bytes[20s])) ^ 0.5',
  'clamp(node_load1, 0, 0.5)',
  'round(node_memory_Active_bytes / 1e6, 0.5)',
  'sgn(deriv(node_memory_Active_bytes[20s]))',
  'max_over_time(rate(node_cpu_seconds_total{mode="user"}[10s])[20s:2s])',
  'sort_desc(sum by (mode) (node_cpu_seconds_total))',
];

const RANGE_QUERIES = [
  'up',
  'rate(node_cpu_seconds_total{mode="user"}[10s])',
  'sum by (mode) (irate(node_cpu_seconds_total[10s]))',
  'histogram_quantile(0.99, sum by (le) (rate(prometheus_http_request_duration_seconds_bucket[20s])))',
  'node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes',
  'avg_over_time(node_load1[10s])',
  'topk(2, rate(node_network_receive_bytes_total[10s]))',
];

function startProcess(binary: string, args: string[]): ChildProcess {
  return spawn(binary, args, { stdio: ['ignore', 'ignore', 'ignore'] });
}

interface Sample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

function closeEnough(a: string, b: string): boolean {
  if (a === b) return true;
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) && Number.isNaN(y)) return true;
  return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
}

/** Differences between two answers, as readable lines (empty = agree). */
function compare(query: string, ours: PrometheusApiAnswer, theirs: PrometheusApiAnswer): string[] {
  if (theirs.status !== ours.status) return [`${query}: status ${ours.status} (${ours.error ?? ''}) vs Prometheus ${theirs.status} (${theirs.error ?? ''})`];
  if (theirs.status !== 'success') return [];
  const a = ours.data as { resultType: string; result: Sample[] | [number, string] };
  const b = theirs.data as { resultType: string; result: Sample[] | [number, string] };
  if (a.resultType !== b.resultType) return [`${query}: result type ${a.resultType} vs ${b.resultType}`];
  if (a.resultType === 'scalar' || a.resultType === 'string') {
    const [, va] = a.result as [number, string];
    const [, vb] = b.result as [number, string];
    return closeEnough(va, vb) ? [] : [`${query}: ${va} vs ${vb}`];
  }
  const key = (s: Sample) => JSON.stringify(Object.entries(s.metric).sort());
  const mine = new Map((a.result as Sample[]).map((s) => [key(s), s]));
  const problems: string[] = [];
  const theirsList = b.result as Sample[];
  if (mine.size !== theirsList.length) problems.push(`${query}: ${mine.size} series vs Prometheus ${theirsList.length}`);
  for (const s of theirsList) {
    const m = mine.get(key(s));
    if (!m) {
      problems.push(`${query}: missing series ${key(s)}`);
      continue;
    }
    const pa = m.values ?? [m.value!];
    const pb = s.values ?? [s.value!];
    if (pa.length !== pb.length) problems.push(`${query}: ${key(s)} has ${pa.length} points vs ${pb.length}`);
    else pb.forEach((p, i) => {
      if (p[0] !== pa[i]![0] || !closeEnough(pa[i]![1], p[1])) problems.push(`${query}: ${key(s)} at ${p[0]}: ${pa[i]![1]} vs ${p[1]}`);
    });
  }
  return problems.slice(0, 5);
}

describe('Prometheus remote_write into marquetry, PromQL agreement', () => {
  let server: TestServer;
  let dir: string;
  let exporter: ChildProcess;
  let prometheus: ChildProcess;
  let promUrl: string;
  /** a query time both have complete data for, ms */
  let atMs: number;

  before(async () => {
    server = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'marquetry-prom-rw-'));
    const exporterPort = await freePort();
    exporter = startProcess(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${exporterPort}`]);
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    await writeFile(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: node',
        `    static_configs: [{ targets: ["127.0.0.1:${exporterPort}"] }]`,
        '  - job_name: prometheus',
        `    static_configs: [{ targets: ["127.0.0.1:${promPort}"] }]`,
        'remote_write:',
        `  - url: ${server.apiUrl}/api/v1/write`,
        '    queue_config: { batch_send_deadline: 500ms, max_samples_per_send: 5000 }',
        '    metadata_config: { send_interval: 5s }',
        '',
      ].join('\n'),
    );
    prometheus = startProcess(PROMETHEUS_BINARY, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--query.lookback-delta=5m',
    ]);
    await waitReady(promUrl, prometheus);
    await new Promise((r) => setTimeout(r, COLLECT_MS));
    // Query a few seconds back, once marquetry has received samples past that time.
    atMs = Math.floor((Date.now() - 6000) / 1000) * 1000;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const r = (await apiGet(server.apiUrl, '/api/v1/query', { query: 'max(timestamp(up))', time: String(Date.now() / 1000) })) as any;
      const latest = Number(r.data?.result?.[0]?.value?.[1] ?? 0) * 1000;
      if (latest >= atMs + 3000) break;
      if (Date.now() > deadline) throw new Error(`marquetry has samples only up to ${latest}, wanted past ${atMs + 3000}`);
      await new Promise((r2) => setTimeout(r2, 250));
    }
  });

  after(async () => {
    await stopProcess(prometheus);
    await stopProcess(exporter);
    await server.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores what Prometheus remote_writes: same series for up and node metrics', async () => {
    const r = (await apiGet(server.apiUrl, '/api/v1/series', { 'match[]': 'up', start: String(atMs / 1000 - 10), end: String(atMs / 1000) })) as any;
    assert.equal(r.status, 'success');
    assert.deepEqual(r.data.map((s: Record<string, string>) => s['job']).sort(), ['node', 'prometheus']);
    const names = (await apiGet(server.apiUrl, '/api/v1/label/__name__/values', {})) as any;
    assert.ok(names.data.includes('node_cpu_seconds_total'));
    const meta = (await apiGet(server.apiUrl, '/api/v1/metadata', { metric: 'node_cpu_seconds_total' })) as any;
    assert.equal(meta.data.node_cpu_seconds_total?.[0]?.type, 'counter');
  });

  it('answers instant queries like Prometheus does', async () => {
    const problems: string[] = [];
    let nonEmpty = 0;
    for (const q of INSTANT_QUERIES) {
      for (const t of [atMs, atMs - 2000, atMs - 7500]) {
        const params = { query: q, time: String(t / 1000) };
        const theirs = await apiGet(promUrl, '/api/v1/query', params);
        const result = (theirs.data as { result?: unknown[] } | undefined)?.result;
        if (Array.isArray(result) && result.length > 0) nonEmpty++;
        problems.push(...compare(`${q} @${t}`, await apiGet(server.apiUrl, '/api/v1/query', params), theirs));
      }
    }
    assert.deepEqual(problems, []);
    // The comparison means something only if the reference answers hold data.
    assert.ok(nonEmpty >= INSTANT_QUERIES.length * 3 * 0.8, `${nonEmpty} of ${INSTANT_QUERIES.length * 3} reference answers have series`);
  });

  it('answers range queries like Prometheus does', async () => {
    const problems: string[] = [];
    for (const q of RANGE_QUERIES) {
      const params = { query: q, start: String(atMs / 1000 - 20), end: String(atMs / 1000), step: '1' };
      problems.push(...compare(q, await apiGet(server.apiUrl, '/api/v1/query_range', params), await apiGet(promUrl, '/api/v1/query_range', params)));
    }
    assert.deepEqual(problems, []);
  });

  it('refuses a malformed remote_write body with 400 and a wrong content type with 415', async () => {
    const bad = await fetch(`${server.apiUrl}/api/v1/write`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' }, body: 'not snappy at all' });
    assert.equal(bad.status, 400);
    const wrongType = await fetch(`${server.apiUrl}/api/v1/write`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(wrongType.status, 415);
  });
});
