// The token indexes of the log parts (src/parts/token-index.ts): written
// beside each part by a flush (from the word hashes the head computed at seal
// time) or a merge (the inputs' chunks, their rows shifted), and held in
// memory for queries once read. A part without a usable index is searched
// whole: correct, only slower.

import { dirname, join, relative } from 'node:path';
import { readParquetSql, type Engine } from '../engine/duckdb.js';
import { sqlString } from '../engine/sql-quote.js';
import { CREATED_BY } from '../parts/parquet/writer.js';
import type { PartInfo } from '../parts/catalog.js';
import type { StagedFile } from '../head/head.js';
import { tokenChunksOf, type ExpectedRow } from '../parts/log-token-chunks.js';
import { readTokenIndex, writeTokenIndex, type TokenChunk } from '../parts/token-index.js';
import { LOG_TIME_COLUMN } from '../parts/log-columns.js';
import { withLogTimeSql } from '../parts/log-time-micros.js';
import type { PartCompanion } from './part-companion.js';

const TOKEN_INDEX_SUFFIX = '.tokens';
const NS_PER_DAY = 86_400_000_000_000n;

/**
 * Rows of `path` that differ from what the index expects (by row number,
 * time and service); all of them when DuckDB wrote the part (a flush that
 * could not regroup the rows itself): DuckDB sorts by service and time, not
 * by unit of work (log-token-chunks.ts), and chunks may then hold other rows
 * even where their first and last rows agree.
 */
async function unexpectedRows(engine: Engine, path: string, columns: readonly string[], expected: readonly ExpectedRow[]): Promise<number> {
  if (expected.length === 0) return 0;
  const [writer] = await engine.all(`SELECT created_by FROM parquet_file_metadata(${sqlString(path)})`);
  if (writer?.['created_by'] !== CREATED_BY) return expected.length;
  const rows = await engine.all(
    `SELECT file_row_number AS r, ${LOG_TIME_COLUMN} AS t, service_name AS s FROM ${withLogTimeSql(readParquetSql([path], { fileRowNumber: true }), columns)} ` +
      `WHERE file_row_number IN (${expected.map((e) => e.row).join(', ')})`,
  );
  const found = new Map(rows.map((r) => [Number(r['r']), r]));
  let bad = 0;
  for (const e of expected) {
    const r = found.get(e.row);
    if (!r || r['t'] !== e.timeNs || r['s'] !== e.service) bad++;
  }
  return bad;
}

export class LogTokenIndexes implements PartCompanion {
  private readonly cache = new Map<string, Promise<TokenChunk[]>>();

  constructor(private readonly dataDir: string) {}

  async afterFlush(engine: Engine, staged: readonly StagedFile[], parts: readonly PartInfo[]): Promise<PartInfo[]> {
    const out: PartInfo[] = [];
    for (const part of parts) {
      const from = BigInt(Date.parse(`${part.day}T00:00:00Z`)) * 1_000_000n;
      const { chunks, expected } = tokenChunksOf(staged, from, from + NS_PER_DAY);
      // The index locates rows by number: should the part's order ever differ from the one computed here, it is left without one.
      const bad = await unexpectedRows(engine, join(this.dataDir, part.path), part.columns, expected);
      if (bad > 0) {
        console.error(`logs: part ${part.path}: ${bad} rows not where the token index expects them; the part is searched without one`);
        out.push(part);
        continue;
      }
      const tokenIndexPath = join(dirname(part.path), `${part.id}${TOKEN_INDEX_SUFFIX}`);
      await writeTokenIndex(join(this.dataDir, tokenIndexPath), chunks);
      this.cache.set(tokenIndexPath, Promise.resolve(chunks));
      out.push({ ...part, tokenIndexPath });
    }
    return out;
  }

  /** The merged part is its inputs one after another: their chunks with rows shifted; none when an input has none. */
  async afterMerge(_engine: Engine, group: readonly PartInfo[], partPath: string): Promise<Partial<PartInfo>> {
    const chunks: TokenChunk[] = [];
    let firstRow = 0;
    for (const p of group) {
      const own = await this.chunksOf(p);
      if (own.length === 0 && p.rows > 0) return {};
      for (const c of own) chunks.push({ ...c, firstRow: firstRow + c.firstRow });
      firstRow += p.rows;
    }
    const absolute = partPath.replace(/\.parquet$/, TOKEN_INDEX_SUFFIX);
    await writeTokenIndex(absolute, chunks);
    const tokenIndexPath = relative(this.dataDir, absolute);
    this.cache.set(tokenIndexPath, Promise.resolve(chunks));
    return { tokenIndexPath };
  }

  async stop(): Promise<void> {}

  /** The chunks of a part; [] for a part without a (readable) index, which is then read whole. */
  chunksOf(part: PartInfo): Promise<TokenChunk[]> {
    const path = part.tokenIndexPath;
    if (!path) return Promise.resolve([]);
    let chunks = this.cache.get(path);
    if (!chunks) {
      chunks = readTokenIndex(join(this.dataDir, path)).catch((err: unknown) => {
        console.error(`logs: ${String(err)}; the part is searched without its token index`);
        return [];
      });
      this.cache.set(path, chunks);
    }
    return chunks;
  }

  /** Forgets indexes of parts no longer live. */
  keepOnly(parts: readonly PartInfo[]): void {
    const live = new Set(parts.map((p) => p.tokenIndexPath));
    for (const key of this.cache.keys()) if (!live.has(key)) this.cache.delete(key);
  }
}
