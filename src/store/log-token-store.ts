// The token indexes of the log parts (src/parts/token-index.ts): written
// beside each part by the flush's worker (from the word hashes the head
// computed at seal time: src/parts/sorted-run.ts) or by a merge (the inputs'
// chunks, their rows shifted), and held in memory for queries once read. A
// part without a usable index (one DuckDB sorted, when the worker failed) is
// searched whole: correct, only slower.

import { join, relative } from 'node:path';
import type { Engine } from '../engine/duckdb.js';
import type { PartInfo } from '../parts/catalog.js';
import type { StagedFile } from '../head/head.js';
import { TOKEN_INDEX_SUFFIX, readTokenIndex, writeTokenIndex, type TokenChunk } from '../parts/token-index.js';
import type { PartCompanion } from './part-companion.js';

export class LogTokenIndexes implements PartCompanion {
  private readonly cache = new Map<string, Promise<TokenChunk[]>>();

  constructor(private readonly dataDir: string) {}

  /**
   * The flush's worker wrote each part's index from the rows it wrote
   * (PartSource.logRows), and the part writer named it: read when a search
   * first needs it. Merges (afterMerge) still build theirs here, off the
   * ingest path.
   */
  async afterFlush(_engine: Engine, _staged: readonly StagedFile[], parts: readonly PartInfo[]): Promise<PartInfo[]> {
    return [...parts];
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
