// Rewrites one log part with our Parquet writer under several encoding and
// compression choices and prints the bytes of each column per record, beside
// the part as it is: the measurements behind the log parts' encodings
// (docs/storage.md, "Log parts").
//
//   [VARIANTS=a,b] [PAGE_KIB=n] node --import tsx bench/logs-part-encodings.ts <part.parquet> [rows]
//
// PAGE_KIB=64 writes every variant with pages of that size (default 1 MiB).
// TIME_US=1 writes the ns time columns divided by 1000 (each must be whole
// µs): what a µs time column would take (docs/storage.md, "Log parts");
// every row then differs from the part's in the read-back count.

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../src/engine/sql-quote.js';
import { loadZstd } from '../src/parts/parquet/zstd.js';
import { ParquetColumnFileWriter, type ColumnFileOptions } from '../src/parts/parquet/writer.js';
import { columnsOf } from './log-part-columns.js';

async function columnBytes(conn: DuckDBConnection, path: string): Promise<Map<string, number>> {
  const rows = (
    await conn.runAndReadAll(`SELECT path_in_schema AS c, sum(total_compressed_size)::BIGINT AS b FROM parquet_metadata(${sqlString(path)}) GROUP BY c`)
  ).getRowObjectsJS();
  return new Map(rows.map((r) => [String(r['c']), Number(r['b'])]));
}

/**
 * CPU ms (this process, DuckDB's threads included) of reading the file back,
 * median of 5: the message column of every row (what a word search's text
 * check decodes), and every column of one 16 Ki-row group (a search's fetch).
 */
async function readCost(conn: DuckDBConnection, path: string): Promise<{ msgScanMs: number; rowGroupFetchMs: number }> {
  const cpuMs = async (sql: string): Promise<number> => {
    const runs: number[] = [];
    for (let k = 0; k < 5; k++) {
      const c0 = process.cpuUsage();
      await conn.runAndReadAll(sql);
      const c = process.cpuUsage(c0);
      runs.push((c.user + c.system) / 1000);
    }
    return Math.round(runs.sort((a, b) => a - b)[2]!);
  };
  const src = `read_parquet(${sqlString(path)}, file_row_number = true)`;
  return {
    msgScanMs: await cpuMs(`SELECT count(*) FROM ${src} WHERE contains(lower("body.msg::template"), 'quokkaflux')`),
    rowGroupFetchMs: await cpuMs(`SELECT * FROM ${src} WHERE file_row_number BETWEEN 32768 AND 49151`),
  };
}

/** Variants to write: VARIANTS=name,name (default all but the slow brotli-11). */
async function variants(): Promise<Record<string, ColumnFileOptions>> {
  const all: Record<string, ColumnFileOptions> = {
    'gzip-9': { codec: { codec: 'gzip', level: 9 } },
    'brotli-9': { codec: { codec: 'brotli', quality: 9 } },
    'brotli-5+delta+plain': { codec: { codec: 'brotli', quality: 5 }, tryDeltaInt64: true, tryPlainStrings: true },
    'brotli-6+delta+plain': { codec: { codec: 'brotli', quality: 6 }, tryDeltaInt64: true, tryPlainStrings: true },
    'brotli-6+delta+plain+optional': { codec: { codec: 'brotli', quality: 6 }, tryDeltaInt64: true, tryPlainStrings: true, allOptional: true },
    'brotli-7+delta+plain': { codec: { codec: 'brotli', quality: 7 }, tryDeltaInt64: true, tryPlainStrings: true },
    'brotli-9+delta+plain': { codec: { codec: 'brotli', quality: 9 }, tryDeltaInt64: true, tryPlainStrings: true },
    'brotli-11+delta+plain': { codec: { codec: 'brotli', quality: 11 }, tryDeltaInt64: true, tryPlainStrings: true },
  };
  await loadZstd();
  for (const level of [1, 3, 6, 9, 15, 19]) {
    all[`zstd-${level}+delta+plain`] = { codec: { codec: 'zstd', level }, tryDeltaInt64: true, tryDeltaInt32: true, tryPlainStrings: true, allOptional: true };
  }
  const wanted = process.env['VARIANTS']?.split(',');
  const pageKiB = process.env['PAGE_KIB'];
  return Object.fromEntries(
    Object.entries(all)
      .filter(([name]) => (wanted ? wanted.includes(name) : name !== 'brotli-11+delta+plain'))
      .map(([name, options]) => (pageKiB === undefined ? [name, options] : [`${name}@${pageKiB}KiB`, { ...options, pageBytes: Number(pageKiB) * 1024 }])),
  );
}

async function main(): Promise<void> {
  const [path, rowsArg] = process.argv.slice(2);
  if (!path) throw new Error('usage: logs-part-encodings.ts <part.parquet> [rows]');
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  const { columns, rows } = await columnsOf(conn, path, Number(rowsArg ?? 1 << 30));
  const table: Record<string, Record<string, number>> = {};
  const totals: Record<string, number> = {};
  const base = await columnBytes(conn, path);
  for (const [c, b] of base) (table[c] ??= {})['part'] = b / rows;
  totals['part'] = (await stat(path)).size / rows;
  const dir = await mkdtemp(join(tmpdir(), 'marquetry-encodings-'));
  try {
    // the peer: DuckDB's COPY as log parts were written before (zstd 9, v1 encodings), from an uncompressed copy
    const plainCopy = join(dir, 'uncompressed.parquet');
    await conn.run(`COPY (SELECT * FROM read_parquet(${sqlString(path)}) LIMIT ${rows}) TO ${sqlString(plainCopy)} (FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE 16384)`);
    const duckOut = join(dir, 'duckdb.parquet');
    const cpu0 = process.cpuUsage();
    await conn.run(`COPY (SELECT * FROM read_parquet(${sqlString(plainCopy)})) TO ${sqlString(duckOut)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 9, ROW_GROUP_SIZE 16384)`);
    const duckCpu = process.cpuUsage(cpu0);
    totals['duckdb-zstd-9'] = (await stat(duckOut)).size / rows;
    for (const [c, b] of await columnBytes(conn, duckOut)) (table[c] ??= {})['duckdb-zstd-9'] = b / rows;
    console.error(`duckdb-zstd-9: ${totals['duckdb-zstd-9'].toFixed(2)} B/record, ${Math.round((duckCpu.user + duckCpu.system) / 1000)} ms CPU to write, read: ${JSON.stringify(await readCost(conn, duckOut))}`);
    for (const [variant, options] of Object.entries(await variants())) {
      const out = join(dir, `${variant}.parquet`);
      const cpu0 = process.cpuUsage();
      // as a flush writes a part: column by column, row groups of 16 Ki rows
      const writer = new ParquetColumnFileWriter(out, rows, { rowGroupRows: 16 * 1024, ...options });
      for (const c of columns) writer.add(c);
      const bytes = writer.finish();
      const cpu = process.cpuUsage(cpu0);
      const ms = (cpu.user + cpu.system) / 1000;
      totals[variant] = bytes / rows;
      for (const [c, b] of await columnBytes(conn, out)) (table[c] ??= {})[variant] = b / rows;
      // read back: every value the same as the part's (as a multiset: CLUSTER reorders rows)
      const diff = await conn.runAndReadAll(
        `SELECT count(*) AS n FROM ((SELECT * FROM read_parquet(${sqlString(path)}) LIMIT ${rows}) EXCEPT ALL (SELECT * FROM read_parquet(${sqlString(out)})))`,
      );
      console.error(
        `${variant}: ${(bytes / rows).toFixed(2)} B/record, ${Math.round(ms)} ms CPU to write, rows differing from the part: ${String(diff.getRowObjectsJS()[0]!['n'])}, read: ${JSON.stringify(await readCost(conn, out))}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const names = Object.keys(totals);
  console.log(['column', ...names].join('\t'));
  const sorted = Object.entries(table).sort((a, b) => (b[1]['part'] ?? 0) - (a[1]['part'] ?? 0));
  for (const [c, v] of sorted) console.log([c, ...names.map((n) => (v[n] ?? 0).toFixed(3))].join('\t'));
  console.log(['file', ...names.map((n) => totals[n]!.toFixed(3))].join('\t'));
}

await main();
