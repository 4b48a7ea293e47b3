// Trace parts written several ways from the same staging files: DuckDB's
// COPY of the regrouped rows (zstd 9), and our own writer at several zstd
// levels and page sizes. Per variant: flush CPU (whole process, worker and
// DuckDB threads included), part bytes/span, and the CPU DuckDB spends to
// read one trace from the parts (SELECT * of a trace id, as a lookup's row
// group read), and the CPU of a lookup as the server makes it: trace index,
// the page reader (src/query/part-pages.ts), OTLP assembly and JSON, over
// 100 known traces of all the variant's parts. Prints JSON lines.
//
//   node --import tsx bench/trace-part-encodings.ts [spans=300000] [variant,…]
//
// KEEP_PARTS=1 keeps the parts (folder on stderr), LOOKUP_ROUNDS=n (default 3) page-reader rounds,
// SEARCH_ROUNDS=n (default 0) rounds of the traces bench's four searches over each variant's parts
// (with trace summaries, as the server searches; CPU ms per search, the least of 5 runs).
//
// variants: duckdb (events compact, as the server flushes), duckdb-json (events as OTLP JSON, before),
// ours (TRACE_PART_ENCODING: per-column zstd levels), ours-<16|32|64|128|256>k (the same, other page bytes),
// ours-ids-times-<8|16|32|64>k (pages of that size for trace, span and parent ids, start and duration),
// uncompressed-1024k, zstd<1-6|9>-<64|256|1024>k (level, page bytes, one level for every column); default all

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir, trackDir } from './cleanup.js';
import { stageLoadgenSpans } from './flush.js';
import { stagedSource } from '../src/store/signal-store.js';
import { Engine, readParquetSql } from '../src/engine/duckdb.js';
import { TRACE_PART_ENCODING, TRACE_PART_LAYOUT, writeParts, type PartLayout } from '../src/parts/part-writer.js';
import { lookupTrace, TraceIndexCache, LOOKUP_ENGINE_MEMORY } from '../src/query/trace-lookup.js';
import { search } from '../src/query/search.js';
import { TraceSummaries } from '../src/store/trace-summary-store.js';
import { PartReader } from './part-reader.js';
import { searchCases } from './queries.js';
import { PartPagesCache } from '../src/query/part-pages.js';
import { assembleResourceSpans } from '../src/query/otlp-assemble.js';
import type { PartInfo } from '../src/parts/catalog.js';
import type { ColumnFileOptions } from '../src/parts/parquet/writer.js';

const spanCount = Number(process.argv[2] ?? 300_000);
const only = process.argv[3]?.split(',');

const ours = (level: number, pageBytes: number, extra: Partial<ColumnFileOptions> = {}): ColumnFileOptions => ({
  ...(level > 0 ? { codec: { codec: 'zstd', level } } : {}),
  pageBytes,
  tryDeltaInt64: true,
  tryPlainStrings: true,
  allOptional: true,
  ...extra,
});

const KIB = 1024;
const variants: Record<string, ColumnFileOptions | 'json' | undefined> = {
  duckdb: undefined,
  'duckdb-json': 'json',
  ours: TRACE_PART_ENCODING,
  ...Object.fromEntries([16, 32, 64, 128, 256].map((k) => [`ours-${k}k`, { ...TRACE_PART_ENCODING, pageBytes: k * KIB }])),
  ...Object.fromEntries([64, 256, 1024].map((k) => [`ours-trace-id-${k}k`, { ...TRACE_PART_ENCODING, columnPageBytes: { trace_id: k * KIB } }])),
  ...Object.fromEntries(
    [8, 16, 32, 64].map((k) => [`ours-ids-times-${k}k`, { ...TRACE_PART_ENCODING, columnPageBytes: Object.fromEntries(['trace_id', 'span_id', 'parent_span_id', 'start_time_unix_nano', 'duration_nano'].map((c) => [c, k * KIB])) }]),
  ),
  [`uncompressed-${KIB}k`]: ours(0, KIB * KIB),
  ...Object.fromEntries([1, 2, 3, 4, 5, 6, 9].flatMap((level) => [64, 256, KIB].map((k) => [`zstd${level}-${k}k`, ours(level, k * KIB)]))),
};

/** CPU ms of each lookup of 100 known traces through the page reader, as the server looks up (JSON answer included). */
async function pageReaderLookups(engine: Engine, dataDir: string, parts: PartInfo[]): Promise<{ cpuMs: number[]; wrong: number }> {
  const files = parts.map((p) => `'${join(dataDir, p.path)}'`).join(', ');
  const known = await engine.all(
    `SELECT trace_id AS id, count(*) AS spans FROM read_parquet([${files}], union_by_name = true, hive_partitioning = false) ` +
      `WHERE trace_id IN (SELECT trace_id FROM (SELECT trace_id FROM read_parquet([${files}], union_by_name = true, hive_partitioning = false) WHERE parent_span_id IS NULL) USING SAMPLE reservoir(100 ROWS) REPEATABLE (1)) GROUP BY trace_id ORDER BY hex(trace_id)`,
  );
  const indexes = new TraceIndexCache();
  const pages = new PartPagesCache();
  const input = { dataDir, parts, staged: [] };
  await Promise.all(parts.map((p) => indexes.get(dataDir, p)));
  const cpuMs: number[] = [];
  let wrong = 0;
  for (const { id, spans } of known) {
    const c0 = process.cpuUsage();
    const rows = await lookupTrace(engine, input, id as Uint8Array, indexes, pages);
    JSON.stringify({ batches: assembleResourceSpans(rows) });
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
    if (rows.length !== Number(spans)) wrong++;
  }
  return { cpuMs, wrong };
}

/** CPU ms of each of the traces bench's searches over the parts (least of 5 warm runs), as the server searches. */
async function searches(root: string, parts: PartInfo[], spanName: string): Promise<Record<string, number>> {
  const engine = await Engine.create({ dataDir: root, threads: 2, memoryLimit: '2GB' });
  const lookupEngine = await Engine.create({ dataDir: root, threads: 1, memoryLimit: LOOKUP_ENGINE_MEMORY, tempSubdir: 'duckdb-lookup' });
  try {
    const indexes = new TraceIndexCache();
    const input = { dataDir: root, parts, staged: [] };
    const out: Record<string, number> = {};
    for (const c of searchCases(spanName)) {
      let best = Infinity;
      for (let run = 0; run < 6; run++) {
        const c0 = process.cpuUsage();
        await search(engine, input, { query: c.traceql, limit: 20, spss: 3 }, indexes, lookupEngine);
        const cpu = process.cpuUsage(c0);
        if (run > 0) best = Math.min(best, (cpu.user + cpu.system) / 1000);
      }
      out[c.key] = Number(best.toFixed(1));
    }
    return out;
  } finally {
    engine.close();
    lookupEngine.close();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const root = trackDir(await mkdtemp(join(tmpdir(), 'marquetry-bench-trace-parts-')));
try {
  const { files, spans } = await stageLoadgenSpans(root, spanCount, 7);
  const engine = await Engine.create({ dataDir: root, threads: 1, memoryLimit: '1GB' });
  try {
    const written: { name: string; parts: PartInfo[] }[] = [];
    for (const name of only ?? Object.keys(variants)) {
      if (!(name in variants)) throw new Error(`unknown variant ${name}`);
      const encoding = variants[name];
      // DuckDB's COPY writes the part when the layout names no encoding of ours
      const { encoding: _ours, ...duckdbLayout } = TRACE_PART_LAYOUT;
      const layout: PartLayout = encoding === 'json' ? { ...duckdbLayout, compactEvents: false } : encoding ? { ...TRACE_PART_LAYOUT, encoding } : duckdbLayout;
      const cpu0 = process.cpuUsage();
      const parts = await writeParts(engine, root, layout, stagedSource(files), 0);
      const cpu = process.cpuUsage(cpu0);
      const bytes = parts.reduce((n, p) => n + p.bytes, 0);
      // lookups: 40 trace ids from the first part, each a SELECT * of its rows
      const path = join(root, parts[0]!.path);
      const ids = await engine.all(`SELECT DISTINCT hex(trace_id) AS id FROM ${readParquetSql([path])} USING SAMPLE 40 ROWS`);
      const lookup0 = process.cpuUsage();
      let rows = 0;
      for (const { id } of ids) {
        const found = await engine.all(`SELECT * FROM ${readParquetSql([path])} WHERE trace_id BETWEEN from_hex('${String(id)}') AND from_hex('${String(id)}')`);
        rows += found.length;
      }
      const lookup = process.cpuUsage(lookup0);
      // the first pass also parses footers and loads zstd
      await pageReaderLookups(engine, root, parts);
      written.push({ name, parts });
      console.log(
        JSON.stringify({
          variant: name,
          spans,
          flushCpuSPerMillion: Number((((cpu.user + cpu.system) / 1e6) * (1e6 / spans)).toFixed(2)),
          bytesPerSpan: Number((bytes / spans).toFixed(2)),
          parts: parts.length,
          lookupCpuMs: Number(((lookup.user + lookup.system) / 1e3 / ids.length).toFixed(1)),
          lookupRows: rows,
        }),
      );
    }
    const searchRounds = Number(process.env['SEARCH_ROUNDS'] ?? 0);
    if (searchRounds > 0) {
      const reader = await PartReader.open();
      const spanName = await reader.mediumSpanName(written[0]!.parts.map((p) => join(root, p.path)));
      reader.close();
      const summaries = new TraceSummaries(root);
      for (const w of written) w.parts = await summaries.afterFlush(engine, undefined, w.parts);
      for (let round = 0; round < searchRounds; round++) {
        for (const { name, parts } of written) console.log(JSON.stringify({ variant: name, round, searchCpuMs: await searches(root, parts, spanName) }));
      }
    }
    // page-reader lookups of the variants in turn, LOOKUP_ROUNDS times (default 3), so load changes hit all alike
    const rounds = Number(process.env['LOOKUP_ROUNDS'] ?? 3);
    for (let round = 0; round < rounds; round++) {
      for (const { name, parts } of written) {
        const pageReader = await pageReaderLookups(engine, root, parts);
        console.log(
          JSON.stringify({
            variant: name,
            round,
            pageReaderLookupCpuMsP50: Number(median(pageReader.cpuMs).toFixed(2)),
            pageReaderLookupCpuMsMean: Number((pageReader.cpuMs.reduce((a, b) => a + b, 0) / pageReader.cpuMs.length).toFixed(2)),
            pageReaderWrong: pageReader.wrong,
          }),
        );
      }
    }
  } finally {
    engine.close();
  }
} finally {
  // KEEP_PARTS=1: the parts stay for a look (path on stderr)
  if (process.env['KEEP_PARTS']) console.error(`parts kept in ${root}`);
  else removeDir(root);
}
