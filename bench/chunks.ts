// Metric chunk encodings on real data: node_exporter (and Prometheus's own
// metrics) scraped every second. Bytes per sample of double-delta, varbit
// and auto under the default cut (1024 bytes or 480 samples) and the two it
// was chosen between (1024-byte chunks, 120-sample chunks), a varbit sweep
// of cut rules, decode speed (sequential, and seed 002's worst case: one
// sample from the middle of every chunk), and, as the peer, Prometheus's own
// block for the very same samples (bench/chunks-peer.ts). Prints one JSON
// line; docs/format/chunks.md discusses the figures.
//
//   node --import tsx bench/chunks.ts [flags]
//   --fixture <file>          dataset (default bench/fixtures/node-exporter-1s-prometheus.jsonl.gz:
//                             samples as Prometheus stored them; node-exporter-1s-raw.jsonl.gz:
//                             scraped by bench/chunks-dataset.ts, timestamps with the timer's jitter)
//   --collect-seconds <n>     scrape a node_exporter this bench starts instead of reading the fixture
//   --from-prometheus <url> --seconds <n>
//                             read the raw samples a running Prometheus stored in the last n seconds
//   --write-fixture <file>    save the dataset
//   --no-peer                 skip promtool

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ChunkAppender, chunkInfo, chunkIterator, DEFAULT_CHUNK_CUT, sampleAt, type ChunkCut, type ChunkEncoding } from '../src/tsdb/chunks/index.js';
import { cleanupNow, cleanupOnSignals, trackChild } from './cleanup.js';
import { collect, readFixture, readFromPrometheus, writeFixture, type Dataset } from './chunks-dataset.js';
import { prometheusPeer, type PeerFigures } from './chunks-peer.js';
import { metric, round, type Metric, type PeerReport, type SuiteReport } from './report.js';

const ENCODINGS = ['double-delta', 'varbit', 'auto'] as const;
type Encoding = (typeof ENCODINGS)[number];
const CUTS: Record<string, Partial<ChunkCut>> = {
  default: DEFAULT_CHUNK_CUT,
  '1024-bytes': { maxBytes: 1024, maxSamples: 65535 },
  '120-samples': { maxSamples: 120, maxBytes: Infinity },
};
const DEFAULT_CUT = 'default';
/** Repeat each timed pass until it has run this long, and keep the fastest of 5 runs. */
const MIN_PASS_MS = 200;

export type DatasetSource =
  | { kind: 'fixture'; path: string }
  /** start node_exporter, scrape it every second */
  | { kind: 'node-exporter'; seconds: number }
  /** raw samples a running Prometheus stored in the `seconds` before `endMs` */
  | { kind: 'prometheus'; url: string; seconds: number; endMs?: number };

export interface ChunksOptions {
  source: DatasetSource;
  writeFixture?: string;
  peer: boolean;
}

export function defaultFixturePath(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const inDist = /[/\\]dist[/\\]bench[/\\]$/.test(here);
  const name = 'fixtures/node-exporter-1s-prometheus.jsonl.gz';
  return fileURLToPath(new URL(inDist ? `../../bench/${name}` : `./${name}`, import.meta.url));
}

interface Encoded {
  chunks: Uint8Array[];
  bytes: number;
  samples: number;
}

function encodeDataset(data: Dataset, encoding: Encoding | ChunkEncoding, cut: Partial<ChunkCut>): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (const s of data.series) {
    let appender = new ChunkAppender(encoding, cut);
    for (let i = 0; i < s.values.length; i++) {
      if (appender.append(s.timestampsMs[i]!, s.values[i]!)) continue;
      chunks.push(appender.bytes());
      appender = new ChunkAppender(encoding, cut);
      appender.append(s.timestampsMs[i]!, s.values[i]!);
    }
    if (appender.count > 0) chunks.push(appender.bytes());
  }
  return chunks;
}

function encoded(data: Dataset, encoding: Encoding, cut: Partial<ChunkCut>, samples: number): Encoded {
  const chunks = encodeDataset(data, encoding, cut);
  return { chunks, bytes: chunks.reduce((sum, c) => sum + c.length, 0), samples };
}

/** Appends every sample of the dataset (chunks cut, bytes() taken): ns per sample, fastest of 3 passes. */
function appendNs(data: Dataset, encoding: Encoding, cut: Partial<ChunkCut>, samples: number): number {
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const started = performance.now();
    encodeDataset(data, encoding, cut);
    best = Math.min(best, ((performance.now() - started) * 1e6) / samples);
  }
  return best;
}

/** Fastest of 5 runs of `pass` (each repeated to last MIN_PASS_MS), in ns per `units`. */
function timeNs(pass: () => number, units: number): number {
  let best = Infinity;
  let sink = 0;
  for (let r = 0; r < 5; r++) {
    let reps = 0;
    const started = performance.now();
    do {
      sink += pass();
      reps++;
    } while (performance.now() - started < MIN_PASS_MS);
    best = Math.min(best, ((performance.now() - started) * 1e6) / (reps * units));
  }
  if (sink === 42.4242) console.error('bench: (sink)'); // keeps the decode from being optimized away
  return best;
}

function decodeAll(chunks: Uint8Array[]): number {
  let sum = 0;
  for (const c of chunks) for (const it = chunkIterator(c); it.next(); ) sum += it.t;
  return sum;
}

function middleOfEach(chunks: Uint8Array[]): number {
  let sum = 0;
  for (const c of chunks) sum += sampleAt(c, chunkInfo(c).count >> 1).t;
  return sum;
}

// ---- collecting a dataset at run time ----------------------------------------------------

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts node_exporter on a free local port, scrapes it every second, stops it (by its PID). */
async function collectFromNodeExporter(seconds: number): Promise<Dataset> {
  const port = await freePort();
  const child = spawn('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  trackChild(child);
  try {
    const url = `http://127.0.0.1:${port}/metrics`;
    for (let tries = 0; ; tries++) {
      const ok = await fetch(url).then((r) => r.ok, () => false);
      if (ok) break;
      if (tries > 50) throw new Error(`chunks-bench: node_exporter did not answer on ${url}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return await collect([url], seconds);
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
  }
}

// ---- the suite ----------------------------------------------------------------------------

async function loadDataset(source: DatasetSource): Promise<Dataset> {
  if (source.kind === 'node-exporter') return collectFromNodeExporter(source.seconds);
  if (source.kind === 'prometheus') return readFromPrometheus(source.url, source.seconds, source.endMs ?? Date.now());
  return readFixture(source.path);
}

function describeSource(source: DatasetSource): string {
  if (source.kind === 'node-exporter') return `node_exporter scraped every 1 s for ${source.seconds} s`;
  if (source.kind === 'prometheus') return `raw samples of the last ${source.seconds} s of ${source.url}`;
  return source.path.split(/[/\\]/).pop()!;
}

/** Varbit bytes/sample and random-access cost under other cut rules (the doc's "where a chunk ends"). */
function cutSweep(data: Dataset, samples: number): Record<string, { bytesPerSample: number; samplesPerChunk: number; randomAccessNs: number }> {
  const rules: Record<string, Partial<ChunkCut>> = {
    '120-samples': { maxSamples: 120, maxBytes: Infinity },
    '240-samples': { maxSamples: 240, maxBytes: Infinity },
    '480-samples': { maxSamples: 480, maxBytes: Infinity },
    '512-bytes': { maxBytes: 512, maxSamples: 65535 },
    '1024-bytes': { maxBytes: 1024, maxSamples: 65535 },
    '2048-bytes': { maxBytes: 2048, maxSamples: 65535 },
    '1024-bytes-or-240-samples': { maxBytes: 1024, maxSamples: 240 },
    '1024-bytes-or-480-samples': { maxBytes: 1024, maxSamples: 480 },
  };
  return Object.fromEntries(
    Object.entries(rules).map(([name, cut]) => {
      const e = encoded(data, 'varbit', cut, samples);
      return [name, { bytesPerSample: round(e.bytes / samples, 3), samplesPerChunk: round(samples / e.chunks.length, 1), randomAccessNs: round(timeNs(() => middleOfEach(e.chunks), e.chunks.length), 1) }];
    }),
  );
}

export async function benchChunks(options: ChunksOptions): Promise<SuiteReport> {
  const data = await loadDataset(options.source);
  if (options.writeFixture !== undefined) writeFixture(options.writeFixture, data, describeSource(options.source));
  const samples = data.series.reduce((n, s) => n + s.values.length, 0);
  const perCut: Record<string, Record<Encoding, Encoded>> = {};
  for (const [cutName, cut] of Object.entries(CUTS)) {
    perCut[cutName] = Object.fromEntries(ENCODINGS.map((e) => [e, encoded(data, e, cut, samples)])) as Record<Encoding, Encoded>;
  }
  const main = perCut[DEFAULT_CUT]!;
  const bps = (e: Encoded): number => e.bytes / e.samples;
  const decodeNs = (e: Encoded): number => timeNs(() => decodeAll(e.chunks), e.samples);
  const randomNs = (e: Encoded): number => timeNs(() => middleOfEach(e.chunks), e.chunks.length);
  const varbitShare = (e: Encoded): number => e.chunks.filter((c) => chunkInfo(c).encoding === 'varbit').length / e.chunks.length;

  const metrics: Metric[] = [
    metric('double-delta-bytes-per-sample', bps(main['double-delta']), 'B/sample'),
    metric('varbit-bytes-per-sample', bps(main.varbit), 'B/sample', '≤ 1.3 and below Prometheus'),
    metric('auto-bytes-per-sample', bps(main.auto), 'B/sample'),
    metric('decode-seq-ns-per-sample', decodeNs(main.auto), 'ns/sample'),
    metric('decode-seq-ns-per-sample-double-delta', decodeNs(main['double-delta']), 'ns/sample'),
    metric('decode-seq-ns-per-sample-varbit', decodeNs(main.varbit), 'ns/sample'),
    metric('random-access-ns-double-delta', randomNs(main['double-delta']), 'ns/lookup'),
    metric('random-access-ns-varbit', randomNs(main.varbit), 'ns/lookup'),
    metric('random-access-ns-auto', randomNs(main.auto), 'ns/lookup'),
    ...ENCODINGS.map((e) => metric(`append-ns-per-sample-${e}`, appendNs(data, e, CUTS[DEFAULT_CUT]!, samples), 'ns/sample')),
  ];
  const report: SuiteReport = {
    key: 'chunks',
    metrics,
    config: {
      dataset: describeSource(options.source),
      series: data.series.length,
      samples,
      scrapeIntervalMs: data.intervalMs,
      cut: `${DEFAULT_CHUNK_CUT.maxBytes} bytes or ${DEFAULT_CHUNK_CUT.maxSamples} samples`,
    },
    detail: {
      byCut: Object.fromEntries(
        Object.entries(perCut).map(([cutName, byEncoding]) => [
          cutName,
          Object.fromEntries(
            ENCODINGS.map((e) => {
              const x = byEncoding[e];
              return [e, { bytesPerSample: round(bps(x), 3), chunks: x.chunks.length, samplesPerChunk: round(x.samples / x.chunks.length, 1), varbitChunkShare: round(varbitShare(x), 3) }];
            }),
          ),
        ]),
      ),
      varbitCutSweep: cutSweep(data, samples),
    },
  };
  if (options.peer) report.peer = peerReport(await prometheusPeer(data), samples, main);
  return report;
}

function peerReport(p: PeerFigures, samples: number, main: Record<Encoding, Encoded>): PeerReport {
  const promFile = p.chunkFileBytes / p.samples;
  const promData = p.chunkDataBytes / p.samples;
  const varbit = main.varbit.bytes / main.varbit.samples;
  return {
    key: 'prometheus',
    version: p.version,
    metrics: [
      metric('prometheus-bytes-per-sample', promFile, 'B/sample'),
      metric('prometheus-chunk-data-bytes-per-sample', promData, 'B/sample'),
      metric('prometheus-samples', p.samples, 'samples'),
      metric('prometheus-samples-per-chunk', p.samples / p.chunks, 'samples'),
    ],
    ratios: [
      metric('varbit-vs-prometheus-chunk-files', varbit / promFile, 'ours/peer', '< 1'),
      metric('varbit-vs-prometheus-chunk-data', varbit / promData, 'ours/peer'),
    ],
    detail: { sameSamples: p.samples === samples },
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      fixture: { type: 'string' },
      'collect-seconds': { type: 'string' },
      'from-prometheus': { type: 'string' },
      seconds: { type: 'string' },
      'write-fixture': { type: 'string' },
      'no-peer': { type: 'boolean' },
    },
  });
  cleanupOnSignals();
  const seconds = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (!(n > 0)) throw new Error(`chunks-bench: ${flag} needs a number of seconds, got "${value}"`);
    return n;
  };
  let source: DatasetSource;
  if (values['collect-seconds'] !== undefined) source = { kind: 'node-exporter', seconds: seconds('--collect-seconds', values['collect-seconds']) };
  else if (values['from-prometheus'] !== undefined) source = { kind: 'prometheus', url: values['from-prometheus'], seconds: seconds('--seconds', values.seconds) };
  else source = { kind: 'fixture', path: values.fixture ?? defaultFixturePath() };
  if (source.kind === 'fixture' && !existsSync(source.path)) throw new Error(`chunks-bench: no fixture at ${source.path}; pass --collect-seconds <n> to scrape node_exporter`);
  const options: ChunksOptions = { source, peer: !values['no-peer'] };
  if (values['write-fixture'] !== undefined) options.writeFixture = values['write-fixture'];
  try {
    console.log(JSON.stringify(await benchChunks(options)));
  } finally {
    cleanupNow();
  }
}
