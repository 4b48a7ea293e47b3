// The token indexes of the log parts (src/parts/token-index.ts): written
// beside each part by a flush (from the word hashes the head computed at seal
// time) or a merge (the inputs' chunks, concatenated), and held in memory for
// queries once read.

import { dirname, join, relative } from 'node:path';
import type { PartInfo } from '../parts/catalog.js';
import type { StagedFile } from '../head/head.js';
import { tokenChunksOf } from '../parts/log-token-chunks.js';
import { readTokenIndex, writeTokenIndex, type TokenChunk } from '../parts/token-index.js';
import type { PartCompanion } from './part-companion.js';

const TOKEN_INDEX_SUFFIX = '.tokens';
const NS_PER_DAY = 86_400_000_000_000n;

export class LogTokenIndexes implements PartCompanion {
  private readonly cache = new Map<string, Promise<TokenChunk[]>>();

  constructor(private readonly dataDir: string) {}

  async afterFlush(_engine: unknown, staged: readonly StagedFile[], parts: readonly PartInfo[]): Promise<PartInfo[]> {
    const out: PartInfo[] = [];
    for (const part of parts) {
      const from = BigInt(Date.parse(`${part.day}T00:00:00Z`)) * 1_000_000n;
      const chunks = tokenChunksOf(staged, from, from + NS_PER_DAY);
      const tokenIndexPath = join(dirname(part.path), `${part.id}${TOKEN_INDEX_SUFFIX}`);
      await writeTokenIndex(join(this.dataDir, tokenIndexPath), chunks);
      this.cache.set(tokenIndexPath, Promise.resolve(chunks));
      out.push({ ...part, tokenIndexPath });
    }
    return out;
  }

  async afterMerge(_engine: unknown, group: readonly PartInfo[], partPath: string): Promise<Partial<PartInfo>> {
    const chunks: TokenChunk[] = [];
    for (const p of group) chunks.push(...(await this.chunksOf(p)));
    const absolute = partPath.replace(/\.parquet$/, TOKEN_INDEX_SUFFIX);
    await writeTokenIndex(absolute, chunks);
    const tokenIndexPath = relative(this.dataDir, absolute);
    this.cache.set(tokenIndexPath, Promise.resolve(chunks));
    return { tokenIndexPath };
  }

  async stop(): Promise<void> {}

  /** The chunks of a part; [] for a part without an index. */
  chunksOf(part: PartInfo): Promise<TokenChunk[]> {
    const path = part.tokenIndexPath;
    if (!path) return Promise.resolve([]);
    let chunks = this.cache.get(path);
    if (!chunks) {
      chunks = readTokenIndex(join(this.dataDir, path));
      chunks.catch(() => this.cache.delete(path));
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
