// Span cubes kept consistent with a trace store's parts (a part companion,
// src/store/part-companion.ts): written beside each part a flush creates,
// summed when compaction merges parts, retired with the part by retention
// (the catalog lists the file with the part). Parts written before cubes get
// theirs built in the background after a start (backfill), one at a time;
// until then the comparison reads their spans.

import { dirname, join, relative } from 'node:path';
import type { Engine } from '../engine/duckdb.js';
import type { PartInfo } from '../parts/catalog.js';
import type { StagedFile } from '../head/head.js';
import { BackfilledCompanion, splitDays } from '../store/part-companion.js';
import { CUBE_FILE_SUFFIX, readCubeColumns, writeCubeFromSpans, writeMergedCube, type CubeInput } from './cube-file.js';

function cubeFields(dataDir: string, absolute: string, highCardinality: string[]): Pick<PartInfo, 'cubePath' | 'cubeHighCardinality'> {
  return { cubePath: relative(dataDir, absolute), cubeHighCardinality: highCardinality };
}

export class CubeStore extends BackfilledCompanion {
  constructor(dataDir: string) {
    super(dataDir, 'cube');
  }

  private cubeFileOf(part: PartInfo): string {
    return join(this.dataDir, dirname(part.path), `${part.id}${CUBE_FILE_SUFFIX}`);
  }

  private buildFromPart(engine: Engine, part: PartInfo, path: string) {
    const range = { fromNs: BigInt(part.minStartNs), toNs: BigInt(part.maxStartNs) };
    return writeCubeFromSpans(engine, [join(this.dataDir, part.path)], part.columns, range, path);
  }

  /** Flush: one cube beside each new part the writer gave none, from the staging files it was written from (the part's time range of them), or from the part file when the flush split its day (splitDays). */
  async afterFlush(engine: Engine, staged: readonly StagedFile[], parts: readonly PartInfo[]): Promise<PartInfo[]> {
    const out: PartInfo[] = [];
    const split = splitDays(parts);
    for (const part of parts) {
      // written with the part by the flush's regrouping worker (cube-builder.ts)
      if (part.cubePath !== undefined) {
        out.push(part);
        continue;
      }
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

  protected has(part: PartInfo): boolean {
    return part.cubePath !== undefined;
  }

  protected async buildForPart(engine: Engine, part: PartInfo): Promise<{ fields: Partial<PartInfo>; path: string }> {
    const path = this.cubeFileOf(part);
    const cube = await this.buildFromPart(engine, part, path);
    return { fields: cubeFields(this.dataDir, path, cube.highCardinality), path };
  }
}
