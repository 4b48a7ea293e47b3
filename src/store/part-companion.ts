// Files a signal keeps beside each of its parts (traces: service-health
// rollups), written with the part by a flush or a merge and committed to the
// catalog with it, so a part and its companions appear and go together.

import type { Engine } from '../engine/duckdb.js';
import type { PartInfo } from '../parts/catalog.js';
import type { StagedFile } from '../head/head.js';

export interface PartCompanion {
  /**
   * Flush: writes a companion beside each new part from the staging files
   * being flushed; returns the parts with its path set.
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
