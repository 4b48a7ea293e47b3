// Files a signal keeps beside each of its parts (traces: service-health
// rollups), written with the part by a flush or a merge and committed to the
// catalog with it, so a part and its companions appear and go together.

import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../engine/duckdb.js';
import type { Catalog, PartInfo } from '../parts/catalog.js';
import type { FileLeases } from '../parts/file-leases.js';
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

/**
 * A companion that parts written before it existed get in the background
 * (backfill): after a start, each committed part without one gets it built,
 * one part at a time, committed beside its part; a part merged or dropped
 * meanwhile keeps none (its file is deleted).
 */
export abstract class BackfilledCompanion implements PartCompanion {
  private stopped = false;
  private backfilling: Promise<void> = Promise.resolve();

  constructor(
    protected readonly dataDir: string,
    /** names the companion in log lines */
    private readonly noun: string,
  ) {}

  abstract afterFlush(engine: Engine, staged: readonly StagedFile[], parts: readonly PartInfo[]): Promise<PartInfo[]>;
  abstract afterMerge(engine: Engine, group: readonly PartInfo[], partPath: string): Promise<Partial<PartInfo>>;
  /** does the committed part have this companion? */
  protected abstract has(part: PartInfo): boolean;
  /** writes the companion of `part` (its part file is leased meanwhile); returns its catalog fields and file */
  protected abstract buildForPart(engine: Engine, part: PartInfo): Promise<{ fields: Partial<PartInfo>; path: string }>;

  /** Builds the companion of every committed part that has none, once `after` (other background work) has ended; runs until done or stop(). */
  backfill(engine: Engine, catalog: Catalog, leases: FileLeases, after: Promise<unknown> = Promise.resolve()): Promise<void> {
    this.backfilling = after.catch(() => undefined).then(() => this.backfillParts(engine, catalog, leases));
    return this.backfilling;
  }

  private async backfillParts(engine: Engine, catalog: Catalog, leases: FileLeases): Promise<void> {
    for (const part of catalog.snapshot.parts) {
      if (this.stopped) return;
      if (this.has(part)) continue;
      const release = leases.acquire([join(this.dataDir, part.path)]);
      try {
        if (!catalog.snapshot.parts.some((p) => p.id === part.id)) continue;
        const { fields, path } = await this.buildForPart(engine, part);
        let kept = false;
        await catalog.commit((s) => {
          kept = s.parts.some((p) => p.id === part.id);
          return { ...s, parts: s.parts.map((p) => (p.id === part.id ? { ...p, ...fields } : p)) };
        });
        if (!kept) await unlink(path).catch(() => undefined);
      } catch (err) {
        console.error(`${this.noun}: building the ${this.noun} of part ${part.id} failed: ${(err as Error).message}`);
      } finally {
        release();
      }
    }
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
