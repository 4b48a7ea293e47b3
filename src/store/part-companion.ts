// Files a signal keeps beside each of its parts (traces: service-health
// rollups), written with the part by a flush or a merge and committed to the
// catalog with it, so a part and its companions appear and go together.

import type { Engine } from '../engine/duckdb.js';
import type { PartInfo } from '../parts/catalog.js';
import type { StagedFile } from '../head/head.js';

export interface PartCompanion {
  /**
   * Flush: writes a companion beside each new part from the staging files
   * being flushed; returns the parts with its path set. The staged rows of a
   * day all belong to its part — unless the flush split that day into several
   * parts by trace-id range (splitDays): those parts' companions come from
   * each part's own file.
   */
  afterFlush(engine: Engine, staged: readonly StagedFile[], parts: readonly PartInfo[]): Promise<PartInfo[]>;
  /**
   * Compaction: writes the companion of the part merged from `group` at
   * `partPath` (absolute); returns the catalog fields naming it.
   */
  afterMerge(engine: Engine, group: readonly PartInfo[], partPath: string): Promise<Partial<PartInfo>>;
  /** waits for background work to end */
  stop(): Promise<void>;
}

/** Days that a flush split into several parts: their staged rows are no one part's rows. */
export function splitDays(parts: readonly PartInfo[]): Set<string> {
  const seen = new Set<string>();
  const split = new Set<string>();
  for (const p of parts) (seen.has(p.day) ? split : seen).add(p.day);
  return split;
}
