// Span cubes kept consistent with a trace store's parts (a part companion,
// src/store/part-companion.ts): written beside each part a flush creates,
// summed when compaction merges parts, retired with the part by retention
// (the catalog lists the file with the part). Parts written before cubes get
// theirs built in the background after a start (backfill), one at a time;
// until then the comparison reads their spans.

import { unlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Engine } from '../engine/duckdb.js';
import type { Catalog, PartInfo } from '../parts/catalog.js';
import type { FileLeases } from '../parts/file-leases.js';
import type { StagedFile } from '../head/head.js';
import { splitDays, type PartCompanion } from '../store/part-companion.js';
import { CUBE_FILE_SUFFIX, readCubeColumns, writeCubeFromSpans, writeMergedCube, type CubeInput } from './cube-file.js';

function cubeFields(dataDir: string, absolute: string, highCardinality: string[]): Pick<PartInfo, 'cubePath' | 'cubeHighCardinality'> {
  return { cubePath: relative(dataDir, absolute), cubeHighCardinality: highCardinality };
}

export class CubeStore implements PartCompanion {
  private stopped = false;
  private backfilling: Promise<void> = Promise.resolve();

  constructor(private readonly dataDir: string) {}

  private cubeFileOf(part: PartInfo): string {
    return join(this.dataDir, dirname(part.path), `${part.id}${CUBE_FILE_SUFFIX}`);
  }

  private buildFromPart(engine: Engine, part: PartInfo, path: string) {
    const range = { fromNs: BigInt(part.minStartNs), toNs: BigInt(part.maxStartNs) };
    return writeCubeFromSpans(engine, [join(this.dataDir, part.path)], part.columns, range, path);
  }

  /** Flush: one cube beside each new part, from the staging files it was written from (the part's time range of them), or from the part file when the flush split its day (splitDays). */
  async afterFlush(engine: Engine, staged: readonly StagedFile[], parts: readonly PartInfo[]): Promise<PartInfo[]> {
    const out: PartInfo[] = [];
    const split = splitDays(parts);
    for (const part of parts) {
      const path = this.cubeFileOf(part);
      const range = { fromNs: BigInt(part.minStartNs), toNs: BigInt(part.maxStartNs) };
      const cube = split.has(part.day)
        ? await this.buildFromPart(engine, part, path)
        : await writeCubeFromSpans(engine, staged.map((f) => f.path), part.columns, range, path);
      out.push({ ...part, ...cubeFields(this.dataDir, path, cube.highCardinality) });
    }
    return out;
  }

  /**
   * Compaction: the merged part's cube is the sum of its inputs' cubes; an
   * input without one (written before cubes) is read as spans from the merged
   * part instead — then the whole cube is built from it.
   */
  async afterMerge(engine: Engine, group: readonly PartInfo[], partPath: string): Promise<Partial<PartInfo>> {
    const path = partPath.replace(/\.parquet$/, CUBE_FILE_SUFFIX);
    if (group.every((p) => p.cubePath)) {
      const inputs: CubeInput[] = [];
      for (const p of group) {
        const input = join(this.dataDir, p.cubePath!);
        inputs.push({ path: input, columns: await readCubeColumns(engine, input) });
      }
      const cube = await writeMergedCube(engine, inputs, path);
      return cubeFields(this.dataDir, path, cube.highCardinality);
    }
    const columns = [...new Set(group.flatMap((p) => p.columns))].sort();
    const range = {
      fromNs: group.reduce((m, p) => (BigInt(p.minStartNs) < m ? BigInt(p.minStartNs) : m), BigInt(group[0]!.minStartNs)),
      toNs: group.reduce((m, p) => (BigInt(p.maxStartNs) > m ? BigInt(p.maxStartNs) : m), BigInt(group[0]!.maxStartNs)),
    };
    const cube = await writeCubeFromSpans(engine, [partPath], columns, range, path);
    return cubeFields(this.dataDir, path, cube.highCardinality);
  }

  /**
   * Builds the cube of every committed part that has none, one part at a
   * time, committing each beside its part; a part merged or dropped meanwhile
   * keeps no cube (its file is deleted). Runs until done or stop().
   */
  backfill(engine: Engine, catalog: Catalog, leases: FileLeases): Promise<void> {
    const run = async (): Promise<void> => {
      for (const part of catalog.snapshot.parts) {
        if (this.stopped) return;
        if (part.cubePath) continue;
        const partFile = join(this.dataDir, part.path);
        const release = leases.acquire([partFile]);
        try {
          if (!catalog.snapshot.parts.some((p) => p.id === part.id)) continue;
          const path = this.cubeFileOf(part);
          const cube = await this.buildFromPart(engine, part, path);
          const fields = cubeFields(this.dataDir, path, cube.highCardinality);
          let kept = false;
          await catalog.commit((s) => {
            kept = s.parts.some((p) => p.id === part.id);
            return { ...s, parts: s.parts.map((p) => (p.id === part.id ? { ...p, ...fields } : p)) };
          });
          if (!kept) await unlink(path).catch(() => undefined);
        } catch (err) {
          console.error(`cube: building the cube of part ${part.id} failed: ${(err as Error).message}`);
        } finally {
          release();
        }
      }
    };
    this.backfilling = run();
    return this.backfilling;
  }

  /** Resolves when the backfill started last has ended. */
  backfilled(): Promise<void> {
    return this.backfilling;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.backfilling;
  }
}
