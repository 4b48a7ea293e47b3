// Trace summaries kept consistent with a trace store's parts (a part
// companion, src/store/part-companion.ts): written beside each part a flush
// creates, merged when compaction merges parts, retired with the part by
// retention (the catalog lists the file with the part). Parts written before
// summaries get theirs built in the background after a start, one at a
// time; until then a search reads their spans (src/query/search.ts).

import { dirname, join, relative } from 'node:path';
import type { Engine } from '../engine/duckdb.js';
import type { PartInfo } from '../parts/catalog.js';
import { SUMMARY_FILE_SUFFIX, writeMergedSummary, writeSummaryFromSpans } from '../parts/trace-summary.js';
import { BackfilledCompanion } from './part-companion.js';

export class TraceSummaries extends BackfilledCompanion {
  constructor(dataDir: string) {
    super(dataDir, 'trace summary');
  }

  private fileOf(part: PartInfo): string {
    return join(this.dataDir, dirname(part.path), `${part.id}${SUMMARY_FILE_SUFFIX}`);
  }

  private async fromPart(engine: Engine, partFile: string, path: string): Promise<Pick<PartInfo, 'summaryPath'>> {
    await writeSummaryFromSpans(engine, [partFile], path);
    return { summaryPath: relative(this.dataDir, path) };
  }

  /**
   * Flush: a summary beside each new part the regrouping worker gave none
   * (src/parts/trace-summary-builder.ts), from the part file itself (seven
   * of its columns; ~0.15 CPU s per 500 k spans): a part holds exactly its
   * traces' rows, whether or not the flush split its day by trace-id range.
   */
  async afterFlush(engine: Engine, _staged: unknown, parts: readonly PartInfo[]): Promise<PartInfo[]> {
    const out: PartInfo[] = [];
    for (const part of parts) out.push(part.summaryPath !== undefined ? part : { ...part, ...(await this.fromPart(engine, join(this.dataDir, part.path), this.fileOf(part))) });
    return out;
  }

  /**
   * Compaction: the merged part's summary merges its inputs' (a trace in
   * several inputs gets one row); an input without one (written before
   * summaries) → built from the merged part's spans instead.
   */
  async afterMerge(engine: Engine, group: readonly PartInfo[], partPath: string): Promise<Partial<PartInfo>> {
    const path = partPath.replace(/\.parquet$/, SUMMARY_FILE_SUFFIX);
    if (!group.every((p) => p.summaryPath)) return this.fromPart(engine, partPath, path);
    await writeMergedSummary(engine, group.map((p) => join(this.dataDir, p.summaryPath!)), path);
    return { summaryPath: relative(this.dataDir, path) };
  }

  protected has(part: PartInfo): boolean {
    return part.summaryPath !== undefined;
  }

  protected async buildForPart(engine: Engine, part: PartInfo): Promise<{ fields: Partial<PartInfo>; path: string }> {
    const path = this.fileOf(part);
    return { fields: await this.fromPart(engine, join(this.dataDir, part.path), path), path };
  }
}
