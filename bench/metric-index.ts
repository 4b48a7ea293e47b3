// Block label index formats compared, for docs/format/metric-block.md.
//
// Index: 10,000 node_exporter-like series (4 labels; the metrics suite's
// label set), 2 h at a 15 s scrape (480 samples, one varbit chunk each), as
// the JSON index (version 1), the binary index (version 2: symbols, series
// table, postings) and the alternative issue 6 names: Parquet (zstd) with one
// row per series, labels as columns, chunk refs as list columns. Reported:
// bytes, open time, a lookup (`{__name__="bench_metric_7_total"}`: 100
// series, labels and chunk refs) — Parquet's through DuckDB.
//
// Whole block: the synthetic values repeat across series (zstd over them
// would flatter Parquet), so ours (chunks + binary index) and Parquet with
// the chunks as a BLOB column are compared on the real node_exporter +
// Prometheus fixture the chunks suite uses (882 series × 1,500 samples at 1 s).

import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeChunks } from '../src/tsdb/compaction.js';
import { BinaryBlockIndex, encodeBlockIndex, type BlockIndex, type IndexSeries } from '../src/tsdb/block-index.js';
import { JsonBlockIndex } from '../src/tsdb/block.js';
import { newLabelMatcher } from '../src/tsdb/promql/matchers.js';
import { Engine, sqlString } from '../src/engine/duckdb.js';
import { trackDir } from './cleanup.js';
import { labelsOf, valueOf } from './metrics.js';
import { readFixture } from './chunks-dataset.js';
import { median, metric, type Metric } from './report.js';

const SCRAPE_MS = 15_000;
const ROUNDS = 480;
const REPEAT = 20;

function timeMs(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

async function timeMsAsync(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function lookup(index: BlockIndex): number {
  let refs = 0;
  for (const id of index.select([newLabelMatcher('__name__', '=', 'bench_metric_7_total')])) {
    index.labels(id);
    refs += index.chunkRefs(id).length;
  }
  return refs;
}

/** `target|name{a="b",…}` (the fixture's series keys) as label pairs. */
function fixtureLabels(key: string): Record<string, string> {
  const [target, rest] = [key.slice(0, key.indexOf('|')), key.slice(key.indexOf('|') + 1)];
  const brace = rest.indexOf('{');
  const labels: Record<string, string> = { __name__: brace < 0 ? rest : rest.slice(0, brace), instance: target };
  for (const m of (brace < 0 ? '' : rest.slice(brace)).matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]!] = m[2]!;
  return labels;
}

/** Ours (chunks + binary index) and a Parquet block with chunks as BLOBs, on real data. */
async function wholeBlock(engine: Engine, dir: string, fixturePath: string): Promise<Metric[]> {
  const data = readFixture(fixturePath);
  const rows: string[] = [];
  const series: IndexSeries[] = [];
  let offset = 0;
  let samples = 0;
  const labelNames = new Set<string>();
  for (const s of data.series) {
    const chunks = encodeChunks(s.timestampsMs, s.values, 'varbit');
    if (chunks.length === 0) continue;
    samples += s.timestampsMs.length;
    const record = fixtureLabels(s.key);
    for (const n of Object.keys(record)) labelNames.add(n);
    const labels = Object.keys(record).sort().map((name) => ({ name, value: record[name]! }));
    const refs = chunks.map((c): IndexSeries['chunks'][number] => {
      const ref: IndexSeries['chunks'][number] = [offset, c.bytes.length, c.minT, c.maxT, c.count];
      offset += c.bytes.length;
      return ref;
    });
    series.push({ labels, chunks: refs, lastT: s.timestampsMs[s.timestampsMs.length - 1]!, lastV: s.values[s.values.length - 1]! });
    rows.push(JSON.stringify({ ...record, chunk_min_t: refs.map((r) => r[2]), chunk_max_t: refs.map((r) => r[3]), chunk_count: refs.map((r) => r[4]), chunks: Buffer.concat(chunks.map((c) => c.bytes)).toString('base64') }));
  }
  const minT = Math.min(...series.map((s) => s.chunks[0]![2]));
  const maxT = Math.max(...series.map((s) => s.lastT));
  const ourBytes = offset + encodeBlockIndex(series, minT, maxT, []).length;
  writeFileSync(join(dir, 'real.jsonl'), rows.join('\n'));
  const parquet = join(dir, 'real.parquet');
  const cols = [...labelNames].sort().map((n) => `"${n}"::VARCHAR AS "${n}"`).join(', ');
  await engine.run(
    `COPY (SELECT ${cols}, chunk_min_t::BIGINT[] AS chunk_min_t, chunk_max_t::BIGINT[] AS chunk_max_t, chunk_count::INTEGER[] AS chunk_count, from_base64(chunks) AS chunks ` +
      `FROM read_json(${sqlString(join(dir, 'real.jsonl'))}, format = 'newline_delimited', sample_size = -1) ORDER BY "__name__", instance) TO ${sqlString(parquet)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  const lookups: number[] = [];
  for (let i = 0; i < REPEAT; i++) lookups.push(await timeMsAsync(() => engine.all(`SELECT * FROM read_parquet(${sqlString(parquet)}) WHERE "__name__" = 'node_cpu_seconds_total'`)));
  return [
    metric('real-block-series', series.length),
    metric('real-block-ours-bytes-per-sample', ourBytes / samples, 'bytes'),
    metric('real-block-parquet-bytes-per-sample', statSync(parquet).size / samples, 'bytes'),
    metric('real-block-parquet-lookup-with-chunks', median(lookups), 'ms'),
  ];
}

export async function benchMetricIndex(seriesCount: number, fixturePath: string): Promise<{ metrics: Metric[]; config: Record<string, number> }> {
  const dir = trackDir(mkdtempSync(join(tmpdir(), 'marquetry-bench-index-')));
  const startMs = 1_700_000_000_000;
  const series: IndexSeries[] = [];
  let offset = 0;
  const t = new Float64Array(ROUNDS);
  const v = new Float64Array(ROUNDS);
  for (let i = 0; i < seriesCount; i++) {
    for (let r = 0; r < ROUNDS; r++) {
      t[r] = startMs + r * SCRAPE_MS;
      v[r] = valueOf(i, r);
    }
    const chunks = encodeChunks(t, v, 'varbit');
    const labels = labelsOf(i).map(([name, value]) => ({ name, value }));
    series.push({ labels, chunks: chunks.map((c) => { const ref: IndexSeries['chunks'][number] = [offset, c.bytes.length, c.minT, c.maxT, c.count]; offset += c.bytes.length; return ref; }), lastT: t[ROUNDS - 1]!, lastV: v[ROUNDS - 1]! });
  }
  const maxT = startMs + (ROUNDS - 1) * SCRAPE_MS;

  const jsonPath = join(dir, 'index.json');
  writeFileSync(jsonPath, JSON.stringify({ version: 1, minT: startMs, maxT, metadata: [], series: series.map((s) => ({ labels: s.labels.map((l) => [l.name, l.value]), chunks: s.chunks, lastT: s.lastT, lastV: s.lastV })) }));
  const binPath = join(dir, 'index');
  writeFileSync(binPath, encodeBlockIndex(series, startMs, maxT, []));

  // JSON lines → DuckDB → Parquet (zstd), label names as columns.
  const names = ['__name__', 'instance', 'job', 'mode'];
  const rows = series.map((s) => {
    const row: Record<string, unknown> = {};
    for (const l of s.labels) row[l.name] = l.value;
    return JSON.stringify({ ...row, chunk_len: s.chunks.map((c) => c[1]), chunk_min_t: s.chunks.map((c) => c[2]), chunk_max_t: s.chunks.map((c) => c[3]), chunk_count: s.chunks.map((c) => c[4]), last_t: s.lastT, last_v: s.lastV });
  });
  writeFileSync(join(dir, 'rows.jsonl'), rows.join('\n'));
  mkdirSync(join(dir, 'duckdb'), { recursive: true });
  const engine = await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '1GB' });
  const labelCols = names.map((n) => `"${n}"`).join(', ');
  const refCols = 'chunk_len::INTEGER[] AS chunk_len, chunk_min_t::BIGINT[] AS chunk_min_t, chunk_max_t::BIGINT[] AS chunk_max_t, chunk_count::INTEGER[] AS chunk_count, last_t::BIGINT AS last_t, last_v::DOUBLE AS last_v';
  const parquetIndex = join(dir, 'index.parquet');
  const source = `read_json(${sqlString(join(dir, 'rows.jsonl'))}, format = 'newline_delimited')`;
  await engine.run(`COPY (SELECT ${labelCols}, ${refCols} FROM ${source} ORDER BY ALL) TO ${sqlString(parquetIndex)} (FORMAT parquet, COMPRESSION zstd)`);

  const jsonOpen: number[] = [];
  const binOpen: number[] = [];
  let json!: BlockIndex;
  let bin!: BlockIndex;
  for (let i = 0; i < REPEAT; i++) {
    jsonOpen.push(timeMs(() => (json = new JsonBlockIndex(JSON.parse(readFileSync(jsonPath, 'utf8')) as ConstructorParameters<typeof JsonBlockIndex>[0]))));
    binOpen.push(timeMs(() => (bin = new BinaryBlockIndex(readFileSync(binPath)))));
  }
  if (lookup(json) !== lookup(bin)) throw new Error('bench: JSON and binary index disagree');
  const jsonLookup: number[] = [];
  const binLookup: number[] = [];
  const binFirstLookup = timeMs(() => lookup(new BinaryBlockIndex(readFileSync(binPath))));
  for (let i = 0; i < REPEAT; i++) {
    jsonLookup.push(timeMs(() => lookup(json)));
    binLookup.push(timeMs(() => lookup(bin)));
  }
  const parquetLookup: number[] = [];
  const where = `WHERE "__name__" = 'bench_metric_7_total'`;
  for (let i = 0; i < REPEAT; i++) {
    parquetLookup.push(await timeMsAsync(() => engine.all(`SELECT ${labelCols}, chunk_len, chunk_min_t, chunk_max_t, chunk_count FROM read_parquet(${sqlString(parquetIndex)}) ${where}`)));
  }
  const real = await wholeBlock(engine, dir, fixturePath);
  const [{ rows: parquetRows }] = (await engine.all(`SELECT count(*)::INTEGER AS rows FROM read_parquet(${sqlString(parquetIndex)})`)) as [{ rows: number }];
  if (parquetRows !== seriesCount) throw new Error(`bench: parquet block has ${parquetRows} rows`);
  engine.close();

  return {
    config: { indexSeries: seriesCount, indexSamplesPerSeries: ROUNDS },
    metrics: [
      metric('index-json-bytes-per-series', statSync(jsonPath).size / seriesCount, 'bytes'),
      metric('index-binary-bytes-per-series', statSync(binPath).size / seriesCount, 'bytes'),
      metric('index-parquet-bytes-per-series', statSync(parquetIndex).size / seriesCount, 'bytes'),
      metric('index-json-open', median(jsonOpen), 'ms'),
      metric('index-binary-open', median(binOpen), 'ms'),
      metric('index-json-lookup', median(jsonLookup), 'ms'),
      metric('index-binary-lookup', median(binLookup), 'ms'),
      metric('index-binary-open-and-first-lookup', binFirstLookup, 'ms'),
      metric('index-parquet-lookup', median(parquetLookup), 'ms'),
      ...real,
    ],
  };
}
