// Block compaction, after Prometheus's: blocks persisted from the head are
// merged into blocks covering aligned windows of growing size (base span ×3,
// ×9, …: 6 h, 18 h, 54 h… for 2 h head blocks), chunks re-cut on the way, so a
// long query opens a few big blocks instead of hundreds of small ones and
// partly filled chunks at block edges are joined.
//
// Each block belongs to the window holding its minT, so every block is in
// exactly one window per range; a window is merged once it holds two or more
// blocks and a newer block starts at or after its end (it will get no more
// in-order data). Out-of-order data (a new series backfilled with old
// timestamps) lands in a head block with an old minT, so it is merged into
// the old window: the merged block may then reach past the window end and
// overlap its neighbours, which queries handle (series-merge.ts).

import type { FileHandle } from 'node:fs/promises';
import { BlockWriter, type BlockInfo, type BlockReader } from './block.js';
import { ChunkAppender, type ChunkEncoding } from './chunks/index.js';
import type { ClosedChunk, SeriesData } from './head.js';
import { labelsKey, type Labels } from './series-index.js';
import { compareLabels } from './promql/engine-labels.js';
import { mergePieces } from './series-merge.js';
import type { MetricMetadata } from '../model/sample-batch.js';

/** No block spans more than this (Prometheus's cap: 31 days)… */
export const MAX_BLOCK_SPAN_MS = 31 * 24 * 3600_000;
/** …nor more than this share of the retention period, so retention frees space in steps of at most ~10%. */
export const MAX_BLOCK_SPAN_OF_RETENTION = 0.1;
const RANGE_FACTOR = 3;

/** Window sizes to compact into, smallest first: base × 3^k up to the caps. */
export function compactionRanges(baseSpanMs: number, retentionMs: number): number[] {
  const cap = retentionMs > 0 ? Math.min(MAX_BLOCK_SPAN_MS, retentionMs * MAX_BLOCK_SPAN_OF_RETENTION) : MAX_BLOCK_SPAN_MS;
  const ranges: number[] = [];
  for (let r = baseSpanMs * RANGE_FACTOR; r <= cap; r *= RANGE_FACTOR) ranges.push(r);
  return ranges;
}

export interface CompactionPlan {
  /** 1-based index into the ranges: the merged block's level */
  level: number;
  windowStartMs: number;
  windowEndMs: number;
  sources: BlockInfo[];
}

/** The next merge due, smallest range and earliest window first (pure: decided from the catalog alone). */
export function planCompaction(blocks: readonly BlockInfo[], ranges: readonly number[]): CompactionPlan | undefined {
  if (blocks.length < 2) return undefined;
  let newestMinT = -Infinity;
  for (const b of blocks) if (b.minT > newestMinT) newestMinT = b.minT;
  for (let k = 0; k < ranges.length; k++) {
    const range = ranges[k]!;
    const windows = new Map<number, BlockInfo[]>();
    for (const b of blocks) {
      const start = Math.floor(b.minT / range) * range;
      const list = windows.get(start);
      if (list) list.push(b);
      else windows.set(start, [b]);
    }
    const due = [...windows].filter(([start, list]) => list.length >= 2 && start + range <= newestMinT).sort((a, b) => a[0] - b[0]);
    if (due.length > 0) {
      const [start, list] = due[0]!;
      const level = Math.max(k + 1, ...list.map((b) => b.level));
      return { level, windowStartMs: start, windowEndMs: start + range, sources: [...list].sort((a, b) => a.minT - b.minT) };
    }
  }
  return undefined;
}

/** Encodes ascending samples into chunks, cut as the head cuts them. */
export function encodeChunks(t: Float64Array, v: Float64Array, encoding: ChunkEncoding | 'auto'): ClosedChunk[] {
  const chunks: ClosedChunk[] = [];
  let appender = new ChunkAppender(encoding);
  let first = 0;
  for (let i = 0; i < t.length; i++) {
    if (!appender.append(t[i]!, v[i]!)) {
      chunks.push({ bytes: appender.bytes(), minT: t[first]!, maxT: t[i - 1]!, count: i - first });
      appender = new ChunkAppender(encoding);
      appender.append(t[i]!, v[i]!);
      first = i;
    }
  }
  if (t.length > first) chunks.push({ bytes: appender.bytes(), minT: t[first]!, maxT: t[t.length - 1]!, count: t.length - first });
  return chunks;
}

/**
 * Writes one block holding every sample of `sources`, series in label order,
 * each series' samples merged and re-encoded. The block is durable and named
 * when this returns; committing it (and retiring the sources) is the caller's.
 */
export async function compactBlocks(dataDir: string, sources: readonly BlockReader[], level: number, encoding: ChunkEncoding | 'auto', metadata: readonly MetricMetadata[]): Promise<BlockInfo> {
  const bySeries = new Map<string, { labels: Labels; refs: [source: number, id: number][] }>();
  sources.forEach((b, source) => {
    for (let id = 0; id < b.index.size; id++) {
      const labels = b.index.labels(id);
      const key = labelsKey(labels);
      const got = bySeries.get(key);
      if (got) got.refs.push([source, id]);
      else bySeries.set(key, { labels, refs: [[source, id]] });
    }
  });
  const series = [...bySeries.values()].sort((a, b) => compareLabels(a.labels, b.labels));
  const handles: FileHandle[] = [];
  const writer = await BlockWriter.create(dataDir, level);
  try {
    for (const b of sources) handles.push(await b.openChunks());
    for (const s of series) {
      const pieces: SeriesData[] = [];
      for (const [source, id] of s.refs) {
        const piece = await sources[source]!.readSeries(handles[source]!, id, -Infinity, Infinity);
        if (piece) pieces.push(piece);
      }
      if (pieces.length === 0) continue;
      const merged = mergePieces(pieces);
      const n = merged.t.length;
      await writer.add({ labels: s.labels, chunks: encodeChunks(merged.t, merged.v, encoding), lastT: merged.t[n - 1]!, lastV: merged.v[n - 1]! });
    }
    return await writer.finish(metadata);
  } catch (err) {
    await writer.abort();
    throw err;
  } finally {
    for (const fh of handles) await fh.close();
  }
}
