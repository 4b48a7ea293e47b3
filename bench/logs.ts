// The logs suite: generated application logs (bench/logs-dataset.ts) as JSON
// lines into a real server (child process), then: bytes per record on disk
// against the same NDJSON compressed by gzip -9 and zstd -19, full-text search
// latency for a rare and a common word and for unique request ids, a lossless
// read-back of sampled records against their source, and OTLP ingest on a
// fresh server. Peer: DuckDB with the same NDJSON loaded into a table.

import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { deepStrictEqual } from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { SeverityNumber } from '@opentelemetry/api';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { removeDir, trackDir } from './cleanup.js';
import { COMMON_WORD, RARE_WORD, logRecord, ndjsonLines } from './logs-dataset.js';
import { median, metric, percentile, round, type SuiteReport } from './report.js';
import { ServerProcess, sampleProc } from './server-process.js';
import { accountCpu, type CpuAccount } from './cpu-account.js';
import { readCatalog } from './storage.js';
import { threadCpuMetrics } from './traces-report.js';
import { PartReader, sqlList } from './part-reader.js';
import { seededRandom } from '../src/model/seeded-random.js';
import { withLogPartSql } from '../src/parts/log-part-projection.js';

export interface LogsOptions {
  records: number;
  seed: number;
  concurrency: number;
  linesPerRequest: number;
  otlpRecords: number;
  searchRuns: number;
  readBackSamples: number;
  /** records compressed by gzip / zstd for the size comparison (the first ones) */
  compressionSample: number;
  peer: boolean;
}

function log(line: string): void {
  console.error(`bench logs: ${line}`);
}

/** Writes the dataset as NDJSON; returns its size. */
async function writeDataset(path: string, o: LogsOptions): Promise<number> {
  const out = createWriteStream(path);
  const step = 10_000;
  for (let i = 0; i < o.records; i += step) {
    const text = ndjsonLines(o.seed, i, Math.min(o.records, i + step), o.records);
    if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return (await stat(path)).size;
}

/** Batches of `lines` lines of the file, in order. */
async function* lineBatches(path: string, lines: number): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let batch: string[] = [];
  for await (const line of rl) {
    batch.push(line);
    if (batch.length === lines) {
      yield batch.join('\n');
      batch = [];
    }
  }
  if (batch.length) yield batch.join('\n');
}

/** POSTs until accepted: 503/429 are waited out as a client should. */
async function postUntilAccepted(url: string, body: string | Uint8Array, contentType: string): Promise<Response> {
  for (;;) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body: body as BodyInit });
    if (res.status !== 503 && res.status !== 429) return res;
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
  }
}

async function ingestNdjson(server: ServerProcess, path: string, o: LogsOptions): Promise<{ ms: number; accepted: number }> {
  const url = `http://127.0.0.1:${server.ports.http}/api/v1/ingest/app?time_field=ts`;
  const batches = lineBatches(path, o.linesPerRequest);
  let accepted = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (;;) {
      const next = await batches.next();
      if (next.done) return;
      const res = await postUntilAccepted(url, next.value, 'application/x-ndjson');
      const answer = (await res.json()) as { accepted: number; rejected: number };
      if (res.status !== 200 || answer.rejected > 0) throw new Error(`bench: ingest answered ${res.status} ${JSON.stringify(answer).slice(0, 200)}`);
      accepted += answer.accepted;
      if (accepted % 1_000_000 < o.linesPerRequest) log(`${accepted} records ingested`);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return { ms: performance.now() - started, accepted };
}

/** OTLP protobuf requests of 1000 records each, made by the real SDK and serializer. */
async function otlpRequestPool(size: number, seed: number): Promise<Uint8Array[]> {
  const pool: Uint8Array[] = [];
  for (let k = 0; k < size; k++) {
    const memory = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': `otlp-${k % 8}`, 'host.name': `h${k}` }), processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
    const logger = provider.getLogger('bench', '1.0');
    for (let i = 0; i < 1000; i++) {
      const rec = logRecord(seed, k * 1000 + i, size * 1000);
      logger.emit({ severityNumber: SeverityNumber.INFO, severityText: String(rec['level']), body: String(rec['msg']), attributes: { 'http.route': (rec['http'] as { path: string }).path, 'req.id': String(rec['req_id']) } });
    }
    await provider.forceFlush();
    pool.push(ProtobufLogsSerializer.serializeRequest(memory.getFinishedLogRecords())!);
    await provider.shutdown();
  }
  return pool;
}

async function ingestOtlp(o: LogsOptions): Promise<{ ms: number; records: number; cpu: CpuAccount }> {
  const dataDir = trackDir(await mkdtemp(join(tmpdir(), 'marquetry-bench-otlp-logs-')));
  const pool = await otlpRequestPool(50, o.seed);
  const server = await ServerProcess.start(dataDir);
  try {
    const url = `http://127.0.0.1:${server.ports.otlpHttp}/v1/logs`;
    const requests = Math.ceil(o.otlpRecords / 1000);
    let next = 0;
    const started = performance.now();
    const worker = async (): Promise<void> => {
      while (next < requests) {
        const body = pool[next++ % pool.length]!;
        const res = await postUntilAccepted(url, body, 'application/x-protobuf');
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`bench: OTLP logs answered ${res.status}`);
      }
    };
    const { cpu } = await accountCpu(server.pid, () => Promise.all(Array.from({ length: o.concurrency }, worker)));
    return { ms: performance.now() - started, records: requests * 1000, cpu };
  } finally {
    await server.stop(600_000);
    removeDir(dataDir);
  }
}

/**
 * CPU µs per line that JSON.parse alone takes over the NDJSON at `path` (one
 * string per line, as a server must at least do): the floor the server's
 * ingest cost per record is compared with.
 */
function jsonParseCpuUs(path: string): number {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
  let best = Infinity;
  for (let pass = 0; pass < 3; pass++) {
    const t = process.cpuUsage();
    for (const line of lines) JSON.parse(line);
    const u = process.cpuUsage(t);
    best = Math.min(best, (u.user + u.system) / lines.length);
  }
  return best;
}

function compressedBytes(path: string, command: string, args: string[]): number {
  const r = spawnSync('sh', ['-c', `${command} ${args.join(' ')} < '${path}' | wc -c`], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`bench: ${command} failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

async function filesBytes(dir: string, suffix: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(suffix)) n += (await stat(join(e.parentPath, e.name))).size;
  }
  return n;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
}

interface SearchAnswer {
  records: { body: Record<string, unknown> }[];
  stats: { unitsRead: number; unitsPlanned: number; chunksSkipped: number };
}

async function searchLatency(server: ServerProcess, query: string, runs: number): Promise<{ ms: number[]; hits: number; stats: SearchAnswer['stats'] }> {
  const path = `/api/v1/logs?query=${encodeURIComponent(query)}&limit=100`;
  await server.getJson<SearchAnswer>(path); // warm: footers and token indexes in memory
  const ms: number[] = [];
  let last: SearchAnswer | undefined;
  for (let i = 0; i < runs; i++) {
    const [t, answer] = await timed(() => server.getJson<SearchAnswer>(path));
    ms.push(t);
    last = answer;
  }
  return { ms, hits: last!.records.length, stats: last!.stats };
}

/** DuckDB alone over our part files: the same word match on `body.msg`, newest first, limit 100, no token index. */
async function duckdbOverParts(reader: PartReader, files: readonly string[], columns: readonly string[], o: LogsOptions): Promise<{ rareMs: number; commonMs: number }> {
  // the time in ns also from parts that hold it in µs (src/parts/log-time-micros.ts)
  const relation = withLogPartSql(`read_parquet(${sqlList(files)}, union_by_name = true, hive_partitioning = false)`, columns);
  const search = async (word: string): Promise<number> => {
    const q =
      `SELECT * FROM ${relation} ` +
      `WHERE regexp_matches("body.msg", '(?i)(^|[^\\p{L}\\p{N}_])${word}($|[^\\p{L}\\p{N}_])') ORDER BY time_unix_nano DESC LIMIT 100`;
    await reader.rows(q);
    const ms: number[] = [];
    for (let i = 0; i < o.searchRuns; i++) ms.push((await timed(() => reader.rows(q)))[0]);
    return median(ms);
  };
  return { rareMs: await search(RARE_WORD), commonMs: await search(COMMON_WORD) };
}

async function duckdbPeer(ndjson: string, o: LogsOptions): Promise<{ version: string; loadMs: number; bytes: number; rareMs: number; commonMs: number; rareHits: number }> {
  const dir = trackDir(await mkdtemp(join(tmpdir(), 'marquetry-bench-logs-duckdb-')));
  try {
    const db = await DuckDBInstance.create(join(dir, 'logs.duckdb'), { threads: '2' });
    const conn = await db.connect();
    const version = String((await conn.runAndReadAll('SELECT version()')).getRows()[0]![0]);
    const [loadMs] = await timed(() => conn.run(`CREATE TABLE logs AS SELECT * FROM read_ndjson_auto('${ndjson}', maximum_object_size = 1048576)`));
    await conn.run('CHECKPOINT');
    const search = async (word: string): Promise<[number, number]> => {
      const q = `SELECT * FROM logs WHERE regexp_matches(msg, '(?i)(^|[^\\p{L}\\p{N}_])${word}($|[^\\p{L}\\p{N}_])') ORDER BY ts DESC LIMIT 100`;
      await conn.runAndReadAll(q);
      const ms: number[] = [];
      let hits = 0;
      for (let i = 0; i < o.searchRuns; i++) {
        const [t, r] = await timed(() => conn.runAndReadAll(q));
        ms.push(t);
        hits = r.currentRowCount;
      }
      return [median(ms), hits];
    };
    const [rareMs, rareHits] = await search(RARE_WORD);
    const [commonMs] = await search(COMMON_WORD);
    conn.closeSync();
    db.closeSync();
    const bytes = (await stat(join(dir, 'logs.duckdb'))).size;
    return { version, loadMs, bytes, rareMs, commonMs, rareHits };
  } finally {
    removeDir(dir);
  }
}

export async function benchLogs(o: LogsOptions): Promise<SuiteReport> {
  const work = trackDir(await mkdtemp(join(tmpdir(), 'marquetry-bench-logs-')));
  try {
    const ndjson = join(work, 'logs.ndjson');
    const [genMs, rawBytes] = await timed(() => writeDataset(ndjson, o));
    log(`generated ${o.records} records, ${rawBytes} bytes of NDJSON in ${round(genMs / 1000, 1)} s`);

    const sample = Math.min(o.records, o.compressionSample);
    const samplePath = sample === o.records ? ndjson : join(work, 'sample.ndjson');
    if (samplePath !== ndjson) spawnSync('sh', ['-c', `head -n ${sample} '${ndjson}' > '${samplePath}'`]);
    const sampleBytes = (await stat(samplePath)).size;
    const gzip9 = compressedBytes(samplePath, 'gzip', ['-9', '-c']);
    const zstd19 = compressedBytes(samplePath, 'zstd', ['-19', '-T2', '-q', '-c']);
    log(`gzip -9: ${round(gzip9 / sample, 1)} B/record, zstd -19: ${round(zstd19 / sample, 1)} B/record (first ${sample} records)`);

    const dataDir = join(work, 'data');
    let server = await ServerProcess.start(dataDir);
    const { value: ingest, cpu: ingestCpu } = await accountCpu(server.pid, () => ingestNdjson(server, ndjson, o));
    const serverUsPerRecord = (ingestCpu.cpuS * 1e6) / ingest.accepted;
    log(`NDJSON ingest: ${round(ingest.accepted / (ingest.ms / 1000))} records/s, server CPU ${round(serverUsPerRecord, 2)} µs/record, ${round(ingestCpu.otherCores, 1)} cores busy with other work`);
    // VmHWM: the server's peak resident set since it started, the ingest's flushes included
    const ingestPeakRssBytes = sampleProc(server.pid)?.hwmBytes ?? NaN;
    const parseUsPerRecord = jsonParseCpuUs(samplePath);
    log(`JSON.parse alone: ${round(parseUsPerRecord, 2)} µs/record (first ${sample} lines, this process)`);
    const stop = await server.stop(1_800_000);
    log(`stopped (head flushed into parts) in ${round(stop.ms / 1000, 1)} s`);
    // the server's CPU by thread from start to exit: the ingest and every flush, the shutdown's included
    const ingestThreadCpu = threadCpuMetrics(server.threadCpuAtExit(), ingest.accepted, 'ndjson_server_cpu_us_per_record');

    const catalog = await readCatalog(dataDir, 'logs');
    const rows = catalog.parts.reduce((n, p) => n + p.rows, 0);
    const parquetBytes = catalog.parts.reduce((n, p) => n + p.bytes, 0);
    const partsDir = join(dataDir, 'parts', 'logs');
    const tokenBytes = await filesBytes(partsDir, '.tokens');
    const bloomBytes = await filesBytes(partsDir, '.bloom');
    const storedBytes = parquetBytes + tokenBytes + bloomBytes;
    const perRecord = storedBytes / rows;
    const partFiles = catalog.parts.map((p) => join(dataDir, p.path));
    const reader = await PartReader.open();
    let topColumns: Record<string, number>;
    let partsPeer: { rareMs: number; commonMs: number };
    try {
      topColumns = Object.fromEntries((await reader.columnBytes(partFiles)).slice(0, 15).map((c) => [c.column, round(c.bytes / rows, 3)]));
      partsPeer = await duckdbOverParts(reader, partFiles, catalog.parts.flatMap((p) => p.columns), o);
    } finally {
      reader.close();
    }
    log(`DuckDB over our parts: rare ${round(partsPeer.rareMs)} ms, common ${round(partsPeer.commonMs)} ms`);

    server = await ServerProcess.start(dataDir);
    const rare = await searchLatency(server, RARE_WORD, o.searchRuns);
    const common = await searchLatency(server, COMMON_WORD, o.searchRuns);
    const phrase = await searchLatency(server, `"connection refused"`, o.searchRuns);
    log(`search: rare ${round(median(rare.ms))} ms (${rare.hits} hits), common ${round(median(common.ms))} ms, phrase ${round(median(phrase.ms))} ms`);

    // Lossless read-back: sampled records found by their request id, compared with their source.
    const pick = seededRandom(o.seed + 17);
    const idMs: number[] = [];
    let mismatches = 0;
    for (let k = 0; k < o.readBackSamples; k++) {
      const i = Math.floor(pick() * o.records);
      const source = logRecord(o.seed, i, o.records);
      const [t, answer] = await timed(() => server.getJson<SearchAnswer>(`/api/v1/logs?query=${encodeURIComponent(String(source['req_id']))}&limit=10`));
      idMs.push(t);
      const found = answer.records.filter((r) => r.body['seq'] === i);
      try {
        if (found.length !== 1) throw new Error(`${found.length} records`);
        deepStrictEqual(found[0]!.body, JSON.parse(JSON.stringify(source)));
      } catch (err) {
        mismatches++;
        if (mismatches <= 3) log(`read-back of record ${i} differs: ${String(err).slice(0, 300)}`);
      }
    }
    await server.stop(600_000);

    const otlp = await ingestOtlp(o);
    log(`OTLP ingest: ${round(otlp.records / (otlp.ms / 1000))} records/s`);

    const report: SuiteReport = {
      key: 'logs',
      config: { records: o.records, concurrency: o.concurrency, linesPerRequest: o.linesPerRequest, otlpRecords: o.otlpRecords, seed: o.seed, compressionSample: sample },
      metrics: [
        metric('ndjson_ingest_records_per_s', ingest.accepted / (ingest.ms / 1000), 'records/s', '>= 100000'),
        metric('otlp_ingest_records_per_s', otlp.records / (otlp.ms / 1000), 'records/s', '>= 100000'),
        // CPU time swings less with the machine's load than rates do
        metric('ndjson_ingest_server_cpu_us_per_record', serverUsPerRecord, 'µs'),
        metric('ndjson_ingest_other_cores', ingestCpu.otherCores, 'cores'),
        metric('ndjson_ingest_server_peak_rss_mib', ingestPeakRssBytes / 2 ** 20, 'MiB'),
        ...ingestThreadCpu,
        metric('json_parse_cpu_us_per_record', parseUsPerRecord, 'µs'),
        metric('ndjson_server_cpu_vs_json_parse', serverUsPerRecord / parseUsPerRecord, 'ratio'),
        metric('otlp_ingest_server_cpu_us_per_record', (otlp.cpu.cpuS * 1e6) / otlp.records, 'µs'),
        metric('shutdown_flush_s', stop.ms / 1000, 's'),
        metric('raw_ndjson_bytes_per_record', sampleBytes / sample, 'B'),
        metric('stored_bytes_per_record', perRecord, 'B'),
        metric('parquet_bytes_per_record', parquetBytes / rows, 'B'),
        metric('token_index_bytes_per_record', tokenBytes / rows, 'B'),
        metric('gzip9_bytes_per_record', gzip9 / sample, 'B'),
        metric('zstd19_bytes_per_record', zstd19 / sample, 'B'),
        metric('stored_vs_gzip9', perRecord / (gzip9 / sample), 'ratio', '<= 0.5'),
        metric('stored_vs_zstd19', perRecord / (zstd19 / sample), 'ratio'),
        metric('rare_word_search_ms_p50', median(rare.ms), 'ms', '<= 200 at 10M records'),
        metric('rare_word_search_ms_max', Math.max(...rare.ms), 'ms'),
        metric('common_word_search_ms_p50', median(common.ms), 'ms'),
        metric('phrase_search_ms_p50', median(phrase.ms), 'ms'),
        metric('request_id_lookup_ms_p50', median(idMs), 'ms'),
        metric('request_id_lookup_ms_p90', percentile(idMs, 0.9), 'ms'),
        metric('read_back_mismatches', mismatches, 'records'),
        metric('read_back_checked', o.readBackSamples, 'records'),
        metric('stored_rows', rows, 'records'),
        metric('parts', catalog.parts.length, 'parts'),
      ],
      detail: {
        rare: { hits: rare.hits, ...rare.stats },
        common: { hits: common.hits, ...common.stats },
        phrase: { hits: phrase.hits, ...phrase.stats },
        bloomBytesPerRecord: round(bloomBytes / rows, 3),
        topColumnsBytesPerRecord: topColumns,
        duckdbOverOurParts: {
          note: 'DuckDB (bench process, 2 threads) over the same part files: regexp on body.msg, newest first, limit 100, no token index',
          rareWordMsP50: round(partsPeer.rareMs),
          commonWordMsP50: round(partsPeer.commonMs),
          rareRatio: round(median(rare.ms) / partsPeer.rareMs, 3),
          commonRatio: round(median(common.ms) / partsPeer.commonMs, 3),
        },
      },
    };
    if (o.peer) {
      const peer = await duckdbPeer(ndjson, o);
      log(`DuckDB: ${round(peer.bytes / o.records, 1)} B/record, rare ${round(peer.rareMs)} ms, common ${round(peer.commonMs)} ms`);
      report.peer = {
        key: 'duckdb',
        version: peer.version,
        metrics: [
          metric('load_s', peer.loadMs / 1000, 's'),
          metric('stored_bytes_per_record', peer.bytes / o.records, 'B'),
          metric('rare_word_search_ms_p50', peer.rareMs, 'ms'),
          metric('common_word_search_ms_p50', peer.commonMs, 'ms'),
          metric('rare_word_hits', peer.rareHits, 'records'),
        ],
        ratios: [
          metric('stored_bytes_per_record', perRecord / (peer.bytes / o.records), 'ratio'),
          metric('rare_word_search_ms_p50', median(rare.ms) / peer.rareMs, 'ratio'),
          metric('common_word_search_ms_p50', median(common.ms) / peer.commonMs, 'ratio'),
        ],
        detail: { note: 'DuckDB table from read_ndjson_auto of the same NDJSON; word match with the same RE2 pattern on msg, newest first, limit 100' },
      };
    }
    return report;
  } finally {
    removeDir(work);
  }
}
