// Persisted metric blocks (docs/format/metric-block.md): an immutable folder
// per block with the chunks of every series back to back (`chunks`) and an
// index (`index.json`) of series labels and chunk references. A series' chunks
// are contiguous, so one positional read fetches all chunks a query needs.

import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chunkIterator } from './chunks/index.js';
import type { ClosedChunk, SeriesData } from './head.js';
import { SeriesIndex, type Labels } from './series-index.js';
import type { LabelMatcher } from './promql/ast.js';
import type { MetricMetadata } from '../model/sample-batch.js';

export interface BlockInfo {
  id: string;
  /** relative to the data folder */
  dir: string;
  minT: number;
  maxT: number;
  series: number;
  samples: number;
  chunkBytes: number;
  indexBytes: number;
  level: number;
}

interface IndexFile {
  version: 1;
  minT: number;
  maxT: number;
  /** metric family metadata known when the block was written (absent in older blocks) */
  metadata?: MetricMetadata[];
  /** per series: labels as [name, value] pairs, chunk refs [offset, length, minT, maxT, count], last sample */
  series: { labels: [string, string][]; chunks: [number, number, number, number, number][]; lastT: number; lastV: number | string }[];
}

export interface BlockSeriesInput {
  labels: Labels;
  chunks: ClosedChunk[];
  lastT: number;
  lastV: number;
}

function jsonNumber(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

export function newBlockId(): string {
  return `${Date.now().toString(36).padStart(9, '0')}-${randomBytes(8).toString('hex')}`;
}

/** Writes a block (chunks fsynced before the index, folder renamed into place last). */
export async function writeBlock(dataDir: string, series: readonly BlockSeriesInput[], level = 0, metadata: readonly MetricMetadata[] = []): Promise<BlockInfo> {
  const id = newBlockId();
  const rel = join('blocks', 'metrics', id);
  const tmp = join(dataDir, 'blocks', 'metrics', `.${id}.tmp`);
  await mkdir(tmp, { recursive: true });
  const index: IndexFile = { version: 1, minT: Infinity, maxT: -Infinity, metadata: [...metadata], series: [] };
  const fh = await open(join(tmp, 'chunks'), 'w');
  let offset = 0;
  let samples = 0;
  try {
    for (const s of series) {
      const refs: [number, number, number, number, number][] = [];
      for (const c of s.chunks) {
        await fh.write(c.bytes);
        refs.push([offset, c.bytes.length, c.minT, c.maxT, c.count]);
        offset += c.bytes.length;
        samples += c.count;
        if (c.minT < index.minT) index.minT = c.minT;
        if (c.maxT > index.maxT) index.maxT = c.maxT;
      }
      index.series.push({ labels: s.labels.map((l) => [l.name, l.value]), chunks: refs, lastT: s.lastT, lastV: jsonNumber(s.lastV) });
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  const indexText = JSON.stringify(index);
  await writeFile(join(tmp, 'index.json'), indexText, { flush: true });
  await rename(tmp, join(dataDir, rel));
  return { id, dir: rel, minT: index.minT, maxT: index.maxT, series: series.length, samples, chunkBytes: offset, indexBytes: Buffer.byteLength(indexText), level };
}

/** An opened block: its index in memory, chunks read on demand. */
export class BlockReader {
  readonly index = new SeriesIndex();
  private constructor(
    readonly info: BlockInfo,
    private readonly chunksPath: string,
    private readonly refs: [number, number, number, number, number][][],
    readonly last: { t: number; v: number }[],
    readonly metadata: readonly MetricMetadata[],
  ) {}

  static async open(dataDir: string, info: BlockInfo): Promise<BlockReader> {
    const file = JSON.parse(await readFile(join(dataDir, info.dir, 'index.json'), 'utf8')) as IndexFile;
    const reader = new BlockReader(
      info,
      join(dataDir, info.dir, 'chunks'),
      file.series.map((s) => s.chunks),
      file.series.map((s) => ({ t: s.lastT, v: Number(s.lastV) })),
      file.metadata ?? [],
    );
    for (const s of file.series) reader.index.getOrCreate(s.labels.map(([name, value]) => ({ name, value })));
    return reader;
  }

  /** Samples within [minT, maxT] of the series matching `matchers`. */
  async select(matchers: readonly LabelMatcher[], minT: number, maxT: number): Promise<SeriesData[]> {
    if (maxT < this.info.minT || minT > this.info.maxT) return [];
    const ids = this.index.select(matchers);
    if (ids.length === 0) return [];
    const fh = await open(this.chunksPath, 'r');
    try {
      const out: SeriesData[] = [];
      for (const id of ids) {
        const refs = this.refs[id]!.filter((r) => r[3] >= minT && r[2] <= maxT);
        if (refs.length === 0) continue;
        const from = refs[0]![0];
        const to = refs[refs.length - 1]![0] + refs[refs.length - 1]![1];
        const buf = Buffer.alloc(to - from);
        await fh.read(buf, 0, buf.length, from);
        let n = 0;
        for (const r of refs) n += r[4];
        const t = new Float64Array(n);
        const v = new Float64Array(n);
        let k = 0;
        for (const r of refs) {
          const it = chunkIterator(buf.subarray(r[0] - from, r[0] - from + r[1]));
          while (it.next()) {
            if (it.t < minT || it.t > maxT) continue;
            t[k] = it.t;
            v[k] = it.v;
            k++;
          }
        }
        if (k > 0) out.push({ labels: this.index.labels(id), t: t.subarray(0, k), v: v.subarray(0, k) });
      }
      return out;
    } finally {
      await fh.close();
    }
  }
}
