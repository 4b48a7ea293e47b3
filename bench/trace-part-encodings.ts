// Trace parts written several ways from the same staging files: DuckDB's
// COPY of the regrouped rows (zstd 9), and our own writer at several zstd
// levels and page sizes. Per variant: flush CPU (whole process, worker and
// DuckDB threads included), part bytes/span, and the CPU DuckDB spends to
// read one trace from the parts (SELECT * of a trace id, as a lookup's row
// group read). Prints JSON lines.
//
//   node --import tsx bench/trace-part-encodings.ts [spans=300000] [variant,…]
//
// variants: duckdb (events compact, as the server flushes), duckdb-json (events as OTLP JSON, before),
// ours (TRACE_PART_ENCODING: per-column zstd levels), uncompressed-1024k,
// zstd<1-6|9>-<64|256|1024>k (level, page bytes, one level for every column); default all

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir, trackDir } from './cleanup.js';
import { stageLoadgenSpans } from './flush.js';
import { stagedSource } from '../src/store/signal-store.js';
import { Engine, readParquetSql } from '../src/engine/duckdb.js';
import { TRACE_PART_ENCODING, TRACE_PART_LAYOUT, writeParts, type PartLayout } from '../src/parts/part-writer.js';
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
  [`uncompressed-${KIB}k`]: ours(0, KIB * KIB),
  ...Object.fromEntries([1, 2, 3, 4, 5, 6, 9].flatMap((level) => [64, 256, KIB].map((k) => [`zstd${level}-${k}k`, ours(level, k * KIB)]))),
};

const root = trackDir(await mkdtemp(join(tmpdir(), 'marquetry-bench-trace-parts-')));
try {
  const { files, spans } = await stageLoadgenSpans(root, spanCount, 7);
  const engine = await Engine.create({ dataDir: root, threads: 1, memoryLimit: '1GB' });
  try {
    for (const name of only ?? Object.keys(variants)) {
      if (!(name in variants)) throw new Error(`unknown variant ${name}`);
      const encoding = variants[name];
      const layout: PartLayout = encoding === 'json' ? { ...TRACE_PART_LAYOUT, compactEvents: false } : encoding ? { ...TRACE_PART_LAYOUT, encoding } : TRACE_PART_LAYOUT;
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
  } finally {
    engine.close();
  }
} finally {
  removeDir(root);
}
