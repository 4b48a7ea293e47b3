// Bytes and writer CPU of each column of one log part at each zstd level and
// page size, written as a flush writes it (LOG_PART_ENCODING, 16 Ki-row
// groups, one column at a time): the measurements behind the log parts'
// levels (docs/storage.md, "Session 11: zstd levels of log parts").
//
//   [LEVELS=1,3,6,9,12,15,19] [PAGES_KIB=256,1024] [ROUNDS=3] node --import tsx bench/logs-part-levels.ts <part.parquet>
//
// Prints one tab-separated row per column: B/record, then CPU µs/record of
// the column's add() (encoding, trials and compression; the median of the
// rounds, variants in turn within a round), per variant.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readParquetFooter } from '../src/parts/parquet/footer.js';
import { loadZstd } from '../src/parts/parquet/zstd.js';
import { ParquetColumnFileWriter, type ColumnFileOptions, type ParquetColumn } from '../src/parts/parquet/writer.js';
import { LOG_PART_ENCODING } from '../src/store/log-store.js';
import { TOKEN_CHUNK_ROWS } from '../src/parts/token-index.js';
import { allColumnsOf } from './log-part-columns.js';

const numbers = (name: string, fallback: string): number[] => (process.env[name] ?? fallback).split(',').map(Number);

interface Variant {
  name: string;
  options: ColumnFileOptions;
}

function variantsOf(levels: number[], pagesKiB: number[]): Variant[] {
  return pagesKiB.flatMap((kib) =>
    levels.map((level) => ({
      name: `zstd-${level}@${kib}k`,
      options: { ...LOG_PART_ENCODING, codec: { codec: 'zstd', level }, pageBytes: kib * 1024, rowGroupRows: TOKEN_CHUNK_ROWS },
    })),
  );
}

/** Writes every column under `options`; returns per column its bytes and its add()'s CPU µs. */
function writeOnce(path: string, rows: number, columns: readonly ParquetColumn[], options: ColumnFileOptions): Map<string, { bytes: number; cpuUs: number }> {
  const writer = new ParquetColumnFileWriter(path, rows, options);
  const cpu = new Map<string, number>();
  for (const c of columns) {
    const t0 = process.cpuUsage();
    writer.add(c);
    const t = process.cpuUsage(t0);
    cpu.set(c.name, t.user + t.system);
  }
  writer.finish();
  const bytes = new Map<string, number>();
  for (const group of readParquetFooter(path).rowGroups) for (const c of group.columns) bytes.set(c.path, (bytes.get(c.path) ?? 0) + c.totalBytes);
  return new Map(columns.map((c) => [c.name, { bytes: bytes.get(c.name) ?? 0, cpuUs: cpu.get(c.name) ?? 0 }]));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const [path] = process.argv.slice(2);
  if (!path) throw new Error('usage: logs-part-levels.ts <part.parquet>');
  await loadZstd();
  const { columns, rows } = await allColumnsOf(path);
  const variants = variantsOf(numbers('LEVELS', '1,3,6,9,12,15,19'), numbers('PAGES_KIB', '256,1024'));
  const rounds = Number(process.env['ROUNDS'] ?? 3);
  const dir = await mkdtemp(join(tmpdir(), 'marquetry-levels-'));
  // per variant, per column: bytes and the CPU of each round
  const seen = new Map<string, Map<string, { bytes: number; cpuUs: number[] }>>();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const v of variants) {
        const got = writeOnce(join(dir, `${v.name}.parquet`), rows, columns, v.options);
        const byColumn = seen.get(v.name) ?? new Map<string, { bytes: number; cpuUs: number[] }>();
        for (const [c, { bytes, cpuUs }] of got) {
          const entry = byColumn.get(c) ?? { bytes, cpuUs: [] };
          entry.cpuUs.push(cpuUs);
          byColumn.set(c, entry);
        }
        seen.set(v.name, byColumn);
        console.error(`round ${round} ${v.name}: ${([...got.values()].reduce((n, x) => n + x.cpuUs, 0) / rows).toFixed(2)} µs/record`);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const names = variants.map((v) => v.name);
  console.log(['column', ...names.map((n) => `B ${n}`), ...names.map((n) => `us ${n}`)].join('\t'));
  const totals = names.map(() => ({ bytes: 0, cpuUs: 0 }));
  for (const c of columns) {
    const cells = names.map((n, i) => {
      const e = seen.get(n)!.get(c.name)!;
      const cpuUs = median(e.cpuUs);
      totals[i]!.bytes += e.bytes;
      totals[i]!.cpuUs += cpuUs;
      return { b: e.bytes / rows, us: cpuUs / rows };
    });
    console.log([c.name, ...cells.map((x) => x.b.toFixed(4)), ...cells.map((x) => x.us.toFixed(3))].join('\t'));
  }
  console.log(['columns', ...totals.map((t) => (t.bytes / rows).toFixed(4)), ...totals.map((t) => (t.cpuUs / rows).toFixed(3))].join('\t'));
}

await main();
