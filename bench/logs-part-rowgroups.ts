// Bytes of one log part rewritten as the flush writes it (LOG_PART_ENCODING)
// with other row group sizes, and without its columns that carry nothing (all
// null, or one value in every row): what each row group and each column
// costs beyond its values (footer entries, page headers, zstd frames,
// dictionary pages). docs/storage.md, "Session 12".
//
//   [GROUPS=16384,32768,65536] node --import tsx bench/logs-part-rowgroups.ts <part.parquet>

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { readParquetFooter } from '../src/parts/parquet/footer.js';
import { loadZstd } from '../src/parts/parquet/zstd.js';
import { ParquetColumnFileWriter, type ParquetColumn } from '../src/parts/parquet/writer.js';
import { LOG_PART_ENCODING } from '../src/store/log-store.js';
import { allColumnsOf } from './log-part-columns.js';

/** Whether every row of the column holds the same value (null included). */
function carriesNothing(c: ParquetColumn, rows: number): boolean {
  if (c.kind === 'string') return c.values.every((v) => v === c.values[0]);
  if (c.kind === 'string-entries' || c.kind === 'fixed16' || c.kind === 'fixed8') return false;
  const nulls = c.nulls;
  const values: ArrayLike<unknown> = c.values;
  for (let i = 1; i < rows; i++) if (values[i] !== values[0] || (nulls ? nulls[i] !== nulls[0] : false)) return false;
  return true;
}

async function sizeOf(path: string, rows: number, columns: readonly ParquetColumn[], rowGroupRows: number): Promise<{ file: number; footer: number; pages: number }> {
  const writer = new ParquetColumnFileWriter(path, rows, { ...LOG_PART_ENCODING, rowGroupRows });
  for (const c of columns) writer.add(c);
  writer.finish();
  const file = (await stat(path)).size;
  const bytes = readFileSync(path);
  const footer = bytes.readUInt32LE(file - 8) + 8;
  let pages = 0;
  for (const g of readParquetFooter(path).rowGroups) for (const c of g.columns) pages += c.totalBytes;
  return { file, footer, pages };
}

async function main(): Promise<void> {
  const [path] = process.argv.slice(2);
  if (!path) throw new Error('usage: logs-part-rowgroups.ts <part.parquet>');
  await loadZstd();
  const { columns, rows } = await allColumnsOf(path);
  const informative = columns.filter((c) => !carriesNothing(c, rows));
  console.error(`${columns.length - informative.length} of ${columns.length} columns carry nothing: ${columns.filter((c) => !informative.includes(c)).map((c) => c.name).join(', ')}`);
  const groups = (process.env['GROUPS'] ?? '16384,32768,65536').split(',').map(Number);
  const dir = await mkdtemp(join(tmpdir(), 'marquetry-rowgroups-'));
  try {
    console.log(['row group rows', 'columns', 'file B/record', 'footer B/record', 'pages B/record'].join('\t'));
    for (const g of groups) {
      for (const [label, set] of [['all', columns], ['informative', informative]] as const) {
        const s = await sizeOf(join(dir, `${g}-${label}.parquet`), rows, set, g);
        console.log([g, label, (s.file / rows).toFixed(4), (s.footer / rows).toFixed(4), (s.pages / rows).toFixed(4)].join('\t'));
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
