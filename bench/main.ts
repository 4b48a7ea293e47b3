// `npm run bench`: runs the benchmark suites and prints one JSON line per suite
// on stdout (progress goes to stderr). Flags: see USAGE.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cleanupNow, cleanupOnSignals } from './cleanup.js';
import { compareWithBaseline, writeBaseline, type SuiteReport } from './report.js';
import type { TracesOptions } from './traces.js';
import type { LogsOptions } from './logs.js';

const USAGE = `Usage: node dist/bench/main.js [suite…] [flags]      (npm run bench -- [suite…] [flags])
Prints one JSON line per suite on stdout; progress on stderr.
  suites                  wal, otlp-proto-codec (alias decode-proto), chunks, metrics, health, analysis, traces, flush, logs; default: all
  flush:                  staging files of --spans spans (default 1000000, 300000 with --quick) into parts, as the
                          server flushes and with DuckDB's ORDER BY (the peer); --seed
  traces, analysis:
  --quick                 ~1 M spans instead of 10 M (a run of a few minutes)
  --spans <n>             spans to ingest (default 10000000)
  --pool-size <n>         distinct requests generated up front, then resent with fresh ids and times (default 200)
  --concurrency <n>       ingest clients (default 8)
  --spans-per-request <n> spans per OTLP request (default 1000)
  --lookups <n>           known traces looked up by id (default 500, 300 with --quick)
  --seed <n>              seed of the generated data and of the trace sample (default 1)
  analysis:
  --data-dir <dir>        keep the ingested spans here and reuse them in later runs with the same --spans
  logs:
  --quick                 1 M records instead of 10 M
  --records <n>           JSON-lines records to ingest and search (default 10000000)
  --otlp-records <n>      OTLP log records for the OTLP ingest rate (default 1000000, 300000 with --quick)
  metrics:
  --series <n>            remote_write series (default 10000)
  --rounds <n>            scrape rounds, 15 s apart, per series (default 720)
  all:
  --no-peer               skip the peers (ClickHouse for traces, Prometheus for metrics and chunks)
  --compare, compare      add baseline and deltaPct to each metric the baseline has (same suite and span count)
  --write-baseline        store this run's lines in the baseline file
  --baseline <file>       baseline file (default bench/baseline.json of the checkout)
  --time-limit <min>      stop everything and clean up after this many minutes (default 15 + 6 per million spans)`;

const FULL_SPANS = 10_000_000;
const QUICK_SPANS = 1_000_000;
const SUITES = ['wal', 'otlp-proto-codec', 'chunks', 'metrics', 'health', 'analysis', 'traces', 'flush', 'logs'] as const;
type SuiteName = (typeof SUITES)[number];
const ALIASES: Record<string, SuiteName> = { 'decode-proto': 'otlp-proto-codec', proto: 'otlp-proto-codec' };

/** bench/baseline.json of the checkout, whether running from dist/bench or from bench/ under tsx. */
function defaultBaselinePath(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const inDist = /[/\\]dist[/\\]bench[/\\]$/.test(here);
  return fileURLToPath(new URL(inDist ? '../../bench/baseline.json' : './baseline.json', import.meta.url));
}

function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`bench: --${flag} must be a positive integer, got "${value}"`);
  return n;
}

interface Plan {
  suites: SuiteName[];
  traces: TracesOptions;
  flush: { spans: number; seed: number; peer: boolean };
  dataDir: string | undefined;
  logs: LogsOptions;
  metrics: { series: number; rounds: number };
  peer: boolean;
  compare: boolean;
  writeBaseline: boolean;
  baselinePath: string;
  timeLimitMs: number;
}

function parsePlan(argv: string[]): Plan {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      spans: { type: 'string' },
      'pool-size': { type: 'string' },
      concurrency: { type: 'string' },
      'spans-per-request': { type: 'string' },
      lookups: { type: 'string' },
      seed: { type: 'string' },
      series: { type: 'string' },
      records: { type: 'string' },
      'otlp-records': { type: 'string' },
      rounds: { type: 'string' },
      'no-peer': { type: 'boolean', default: false },
      compare: { type: 'boolean', default: false },
      'write-baseline': { type: 'boolean', default: false },
      baseline: { type: 'string' },
      'time-limit': { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  let compare = values.compare;
  const suites: SuiteName[] = [];
  for (const p of positionals) {
    if (p === 'compare') {
      compare = true;
      continue;
    }
    const name = ALIASES[p] ?? ((SUITES as readonly string[]).includes(p) ? (p as SuiteName) : undefined);
    if (!name) throw new Error(`bench: unknown suite "${p}"; suites are ${SUITES.join(', ')}`);
    suites.push(name);
  }
  const spans = positiveInt('spans', values.spans, values.quick ? QUICK_SPANS : FULL_SPANS);
  const lookups = positiveInt('lookups', values.lookups, values.quick ? 300 : 500);
  const traces: TracesOptions = {
    spans,
    concurrency: positiveInt('concurrency', values.concurrency, 8),
    spansPerRequest: positiveInt('spans-per-request', values['spans-per-request'], 1000),
    poolSize: positiveInt('pool-size', values['pool-size'], 200),
    seed: positiveInt('seed', values.seed, 1),
    lookups,
    coldLookups: Math.min(50, lookups),
    searchWarmRuns: 10,
    peer: !values['no-peer'],
    // Generous: a run this slow is itself the finding; the figures report what was sent.
    ingestTimeLimitMs: 60_000 + (spans / 10_000) * 1000,
    compactionTimeLimitMs: 60_000 + (spans / 10_000) * 1000,
    stopTimeLimitMs: 120_000 + (spans / 50_000) * 1000,
  };
  const records = positiveInt('records', values.records, values.quick ? QUICK_SPANS : FULL_SPANS);
  const logs: LogsOptions = {
    records,
    seed: positiveInt('seed', values.seed, 1),
    concurrency: positiveInt('concurrency', values.concurrency, 4),
    linesPerRequest: 5000,
    otlpRecords: positiveInt('otlp-records', values['otlp-records'], values.quick ? 300_000 : 1_000_000),
    searchRuns: 5,
    readBackSamples: 100,
    compressionSample: 200_000,
    peer: !values['no-peer'],
  };
  const defaultMinutes = Math.ceil(15 + (Math.max(spans, records) / 1_000_000) * 6);
  return {
    suites: suites.length ? suites : [...SUITES],
    traces,
    flush: { spans: positiveInt('spans', values.spans, values.quick ? 300_000 : 1_000_000), seed: traces.seed, peer: !values['no-peer'] },
    dataDir: values['data-dir'],
    logs,
    metrics: { series: positiveInt('series', values.series, 10_000), rounds: positiveInt('rounds', values.rounds, 720) },
    peer: !values['no-peer'],
    compare,
    writeBaseline: values['write-baseline'],
    baselinePath: values.baseline ?? defaultBaselinePath(),
    timeLimitMs: positiveInt('time-limit', values['time-limit'], defaultMinutes) * 60_000,
  };
}

/** Suites are imported when run, so one suite's dependencies (chdb, fixtures) never slow another. */
async function runSuite(name: SuiteName, plan: Plan): Promise<SuiteReport> {
  switch (name) {
    case 'wal':
      return (await import('./wal.js')).benchWal();
    case 'otlp-proto-codec':
      return (await import('./decode-proto.js')).benchDecodeProto();
    case 'chunks': {
      const chunks = await import('./chunks.js');
      return chunks.benchChunks({ source: { kind: 'fixture', path: chunks.defaultFixturePath() }, peer: plan.peer });
    }
    case 'metrics':
      return (await import('./metrics.js')).benchMetrics({ ...plan.metrics, shards: 8, roundsPerRequest: 4, withPrometheus: plan.peer });
    case 'health':
      return (await import('./health.js')).benchHealth();
    case 'analysis':
      return (await import('./analysis.js')).benchAnalysis({
        spans: plan.traces.spans,
        seed: plan.traces.seed,
        ...(plan.dataDir !== undefined ? { dataDir: plan.dataDir } : {}),
        warmRuns: 3,
        peer: plan.peer,
      });
    case 'traces':
      return (await import('./traces.js')).benchTraces(plan.traces);
    case 'flush':
      return (await import('./flush.js')).benchFlush(plan.flush);
    case 'logs':
      return (await import('./logs.js')).benchLogs(plan.logs);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  let plan: Plan;
  try {
    plan = parsePlan(argv);
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    process.exit(2);
  }
  cleanupOnSignals();
  const deadline = setTimeout(() => {
    console.error(`bench: time limit of ${plan.timeLimitMs / 60_000} min reached; stopping`);
    cleanupNow();
    process.exit(1);
  }, plan.timeLimitMs);
  deadline.unref();
  const reports: SuiteReport[] = [];
  let failed = false;
  for (const name of plan.suites) {
    try {
      let report = await runSuite(name, plan);
      if (plan.compare && existsSync(plan.baselinePath)) report = compareWithBaseline(report, plan.baselinePath);
      reports.push(report);
      console.log(JSON.stringify(report));
    } catch (err) {
      failed = true;
      console.error(`bench: suite ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  if (plan.writeBaseline && reports.length > 0) {
    writeBaseline(plan.baselinePath, reports);
    console.error(`bench: baseline written to ${plan.baselinePath}`);
  }
  cleanupNow();
  // chdb and DuckDB may keep native handles alive: exit explicitly.
  process.exit(failed ? 1 : 0);
}

await main();
