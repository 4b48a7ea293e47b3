// The analysis suite: over N spans of shop traffic (analysis-dataset.ts) a
// real server answers the RED overview (from rollups and exactly from spans,
// per service, per operation of one service, grouped by an attribute) and
// root-cause comparisons (exact and sampled, errors and slow spans, span and
// trace level) over HTTP; then ClickHouse (chdb, seed 001's schema, loaded
// from the same parts) answers the same questions in SQL in the same run,
// and the report gives ours/peer ratios. Prints one JSON line.

import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompareResponse } from '../src/analysis/compare-types.js';
import type { HealthResponse } from '../src/analysis/health-types.js';
import { ensureDataset, type Dataset } from './analysis-dataset.js';
import { removeDir, trackDir } from './cleanup.js';
import { ClickHousePeer } from './clickhouse.js';
import { comparisonSql, overviewSql, timeQuery, type OverviewSql } from './clickhouse-analysis.js';
import { compareHealthAnswers } from './health.js';
import { median, metric, round, type Metric, type SuiteReport } from './report.js';
import { ServerProcess } from './server-process.js';

export interface AnalysisOptions {
  spans: number;
  seed: number;
  /** keep the dataset here and reuse it in later runs (default: a temporary folder, removed) */
  dataDir?: string;
  warmRuns: number;
  peer: boolean;
}

function progress(text: string): void {
  process.stderr.write(`bench analysis: ${text}\n`);
}

interface Timed<T> {
  firstMs: number;
  warmMs: number;
  answer: T;
}

async function timedRuns<T>(runs: number, fn: () => Promise<T>): Promise<Timed<T>> {
  let t0 = performance.now();
  const answer = await fn();
  const firstMs = performance.now() - t0;
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return { firstMs, warmMs: ms.length ? median(ms) : firstMs, answer };
}

async function getJson<T>(server: ServerProcess, path: string): Promise<T> {
  return server.getJson<T>(path);
}

async function postJson<T>(server: ServerProcess, path: string, body: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${server.ports.http}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`bench: POST ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

/** The dataset's range, widened to whole minutes (what the overview is asked for). */
function dataRange(d: Dataset): { startMs: number; endMs: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const p of d.parts) {
    min = Math.min(min, Number(BigInt(p.minStartNs) / 1_000_000n));
    max = Math.max(max, Number(BigInt(p.maxStartNs) / 1_000_000n));
  }
  return { startMs: Math.floor(min / 60_000) * 60_000, endMs: Math.ceil((max + 1) / 60_000) * 60_000 };
}

interface CompareCase {
  key: string;
  body: Record<string, unknown>;
}

function compareCases(startS: number, endS: number): CompareCase[] {
  const range = { start: startS, end: endS };
  return [
    // from span cubes where parts have them; the high-cardinality columns from every span (exact) or a sample of traces (default)
    { key: 'compare-errors-exact', body: { ...range, target: { kind: 'errors' }, maxSpans: 0 } },
    { key: 'compare-slow-p90-exact', body: { ...range, target: { kind: 'slow', percentile: 90 }, maxSpans: 0 } },
    { key: 'compare-errors-sampled', body: { ...range, target: { kind: 'errors' } } },
    { key: 'compare-slow-p90-sampled', body: { ...range, target: { kind: 'slow', percentile: 90 } } },
    // the scan of every span, without cubes: what the cubes save
    { key: 'compare-errors-spans-exact', body: { ...range, target: { kind: 'errors' }, maxSpans: 0, source: 'spans' } },
    { key: 'compare-trace-errors-sampled', body: { ...range, target: { kind: 'errors' }, level: 'trace' } },
  ];
}

interface OursFigures {
  overview: Timed<HealthResponse>;
  overviewExact: Timed<HealthResponse>;
  oneService: Timed<HealthResponse>;
  groupByRoute: Timed<HealthResponse>;
  service: string;
  comparisons: { key: string; timed: Timed<CompareResponse> }[];
}

async function runOurs(d: Dataset, o: AnalysisOptions): Promise<OursFigures> {
  // exact answers over 10 M spans on a shared 2-core machine can outlast the 30 s default
  const server = await ServerProcess.start(d.dataDir, ['--query-timeout', '600s']);
  try {
    const { startMs, endMs } = dataRange(d);
    const q = `start=${startMs}&end=${endMs}&step=60`;
    progress(`overview of ${startMs}..${endMs} (1-minute steps) from rollups and from spans`);
    const overview = await timedRuns(o.warmRuns, () => getJson<HealthResponse>(server, `/api/v1/health?${q}`));
    const overviewExact = await timedRuns(1, () => getJson<HealthResponse>(server, `/api/v1/health?${q}&exact=true`));
    const service = overview.answer.groups[0]?.labels['service'] ?? 'frontend';
    const oneService = await timedRuns(o.warmRuns, () => getJson<HealthResponse>(server, `/api/v1/health?${q}&service=${encodeURIComponent(service)}`));
    const groupByRoute = await timedRuns(1, () => getJson<HealthResponse>(server, `/api/v1/health?${q}&groupBy=span.http.route`));
    const comparisons: OursFigures['comparisons'] = [];
    for (const c of compareCases(startMs / 1000, endMs / 1000)) {
      progress(`${c.key}`);
      // an exact comparison reads every span: once is the figure
      const timed = await timedRuns(c.key.endsWith('exact') ? 0 : 2, () => postJson<CompareResponse>(server, '/api/v1/compare', c.body));
      progress(`${c.key}: ${Math.round(timed.firstMs)} ms first, ${Math.round(timed.warmMs)} ms warm; culprit ${JSON.stringify(timed.answer.culprit?.dimension)}=${JSON.stringify(timed.answer.culprit?.value)}`);
      comparisons.push({ key: c.key, timed });
    }
    return { overview, overviewExact, oneService, groupByRoute, service, comparisons };
  } finally {
    await server.stop(120_000);
  }
}

interface PeerFigures {
  version: string;
  loadMs: number;
  timings: { key: string; firstMs: number; warmMs: number }[];
  /** our top errors dimension=value (of those its schema has) is among ClickHouse's candidates */
  topAgrees: boolean;
}

function runPeer(d: Dataset, root: string, ours: OursFigures, o: AnalysisOptions): Promise<PeerFigures> {
  return (async () => {
    const dir = join(root, 'clickhouse');
    await mkdir(dir, { recursive: true });
    const ch = await ClickHousePeer.open(dir);
    try {
      ch.createSchema();
      progress(`loading ${d.spans} spans into ClickHouse (chdb)`);
      const load = ch.load(d.parts.map((p) => join(d.dataDir, p.path)));
      const { startMs, endMs } = dataRange(d);
      const base: OverviewSql = { startMs, endMs, stepSeconds: 60, quantiles: 'quantilesExact' };
      const timings: PeerFigures['timings'] = [];
      const time = (key: string, sql: string, runs: number): Record<string, unknown>[] => {
        const t = timeQuery(ch, sql, runs);
        timings.push({ key, firstMs: t.firstMs, warmMs: t.warmMs });
        progress(`clickhouse ${key}: ${Math.round(t.firstMs)} ms first, ${Math.round(t.warmMs)} ms warm`);
        return t.rows;
      };
      time('overview-exact', overviewSql(base), o.warmRuns);
      time('overview-sampled-quantiles', overviewSql({ ...base, quantiles: 'quantiles' }), o.warmRuns);
      time('overview-one-service', overviewSql({ ...base, service: ours.service }), o.warmRuns);
      time('overview-group-by-route', overviewSql({ ...base, groupBy: `SpanAttributes['http.route']` }), 1);
      const errors = time('compare-errors', comparisonSql({ startMs, endMs, target: 'errors', perDimension: 25 }), 0);
      time('compare-slow-p90', comparisonSql({ startMs, endMs, target: 'slow-p90', perDimension: 25 }), 0);
      // our first value of a dimension ClickHouse's schema has (not hasException, scope fields or ranges)
      const shared = (dimension: string, value: string): boolean => /^(name$|resource\.|span\.)/.test(dimension) && !value.startsWith('[');
      const top = ours.comparisons.find((c) => c.key === 'compare-errors-exact')?.timed.answer.dimensions.find((r) => shared(r.dimension, r.value));
      const topAgrees = top !== undefined && errors.some((r) => r['dimension'] === top.dimension && r['value'] === top.value);
      return { version: ch.version, loadMs: load.insertMs + load.optimizeMs, timings, topAgrees };
    } finally {
      ch.close();
    }
  })();
}

function comparisonMs(ours: OursFigures, key: string): Timed<CompareResponse> {
  return ours.comparisons.find((c) => c.key === key)!.timed;
}

export async function benchAnalysis(o: AnalysisOptions): Promise<SuiteReport> {
  const root = o.dataDir === undefined ? trackDir(await mkdtemp(join(tmpdir(), 'marquetry-bench-analysis-'))) : undefined;
  try {
    const d = await ensureDataset({ spans: o.spans, seed: o.seed, dataDir: o.dataDir ?? join(root!, 'data') });
    const ours = await runOurs(d, o);
    const check = compareHealthAnswers(ours.overview.answer, ours.overviewExact.answer);
    const metrics: Metric[] = [
      metric('stored-spans', d.spans, 'spans'),
      metric('overview-rollups-ms', ours.overview.warmMs, 'ms', '≤ 100'),
      metric('overview-rollups-first-ms', ours.overview.firstMs, 'ms'),
      metric('overview-one-service-rollups-ms', ours.oneService.warmMs, 'ms', '≤ 100'),
      metric('overview-spans-ms', ours.overviewExact.firstMs, 'ms'),
      metric('overview-group-by-route-spans-ms', ours.groupByRoute.firstMs, 'ms'),
      metric('quantile-max-error-ppm', check.maxRelativeError * 1e6, 'ppm', '≤ 10000'),
      metric('counts-equal', check.countsEqual ? 1 : 0, 'bool', '1'),
    ];
    for (const c of ours.comparisons) {
      const exact = c.key.endsWith('exact');
      const target = c.key === 'compare-errors-exact' || c.key === 'compare-errors-sampled' || c.key === 'compare-slow-p90-sampled' ? '≤ 1000' : undefined;
      metrics.push(metric(`${c.key}-ms`, exact ? c.timed.firstMs : c.timed.warmMs, 'ms', target));
      metrics.push(metric(`${c.key}-confident-culprit`, c.timed.answer.culprit ? 1 : 0, 'bool'));
    }
    const detail: Record<string, unknown> = {
      built: d.built,
      ingestMs: round(d.ingestMs),
      parts: d.parts.length,
      overviewGroups: ours.overview.answer.groups.length,
      cellsCompared: check.cells,
      culprits: Object.fromEntries(ours.comparisons.map((c) => [c.key, c.timed.answer.culprit ? `${c.timed.answer.culprit.dimension}=${c.timed.answer.culprit.value}` : null])),
      sampled: Object.fromEntries(ours.comparisons.map((c) => [c.key, c.timed.answer.sample?.fraction ?? c.timed.answer.answeredBy?.fromSpansFraction ?? 1])),
      answeredBy: Object.fromEntries(ours.comparisons.map((c) => [c.key, c.timed.answer.answeredBy?.path ?? null])),
    };
    const report: SuiteReport = { key: 'analysis', metrics, config: { spans: o.spans, seed: o.seed }, detail };
    if (o.peer) {
      const peer = await runPeer(d, root ?? (await mkdtemp(join(tmpdir(), 'marquetry-bench-analysis-ch-'))), ours, o);
      const p = (key: string): number => peer.timings.find((t) => t.key === key)!.warmMs;
      const ratio = (key: string, value: number, target?: string): Metric => ({ ...metric(key, value, 'ours/peer', target) });
      report.peer = {
        key: 'clickhouse',
        version: `chdb, ClickHouse ${peer.version}`,
        metrics: peer.timings.map((t) => metric(`${t.key}-ms`, t.warmMs, 'ms')).concat([metric('load-ms', peer.loadMs, 'ms')]),
        ratios: [
          ratio('overview-rollups-vs-sql-exact-quantiles', ours.overview.warmMs / p('overview-exact'), '< 1'),
          ratio('overview-rollups-vs-sql-sampled-quantiles', ours.overview.warmMs / p('overview-sampled-quantiles')),
          ratio('overview-spans-vs-sql-exact-quantiles', ours.overviewExact.firstMs / p('overview-exact')),
          ratio('overview-one-service-rollups-vs-sql', ours.oneService.warmMs / p('overview-one-service')),
          ratio('overview-group-by-route-spans-vs-sql', ours.groupByRoute.firstMs / p('overview-group-by-route')),
          ratio('compare-errors-exact-vs-sql', comparisonMs(ours, 'compare-errors-exact').firstMs / p('compare-errors'), '< 1'),
          ratio('compare-errors-sampled-vs-sql-exact', comparisonMs(ours, 'compare-errors-sampled').warmMs / p('compare-errors')),
          ratio('compare-slow-p90-exact-vs-sql', comparisonMs(ours, 'compare-slow-p90-exact').firstMs / p('compare-slow-p90'), '< 1'),
          ratio('compare-slow-p90-sampled-vs-sql-exact', comparisonMs(ours, 'compare-slow-p90-sampled').warmMs / p('compare-slow-p90')),
          ratio('compare-errors-spans-exact-vs-sql', comparisonMs(ours, 'compare-errors-spans-exact').firstMs / p('compare-errors')),
        ],
        detail: {
          note:
            'ClickHouse answers in process (no HTTP, no JSON shaping); ours through the HTTP API. Its comparison counts target and baseline per ' +
            'attribute value (ARRAY JOIN over the Map columns) and ranks by share difference; ours also computes the latency view, numeric ranges, ' +
            'high-cardinality detection and aliases.',
          ourTopValueAmongPeerCandidates: peer.topAgrees,
        },
      };
      if (o.dataDir !== undefined) removeDir(join(root ?? '', 'clickhouse'));
    }
    return report;
  } finally {
    if (root !== undefined) removeDir(root);
  }
}
