// Background upkeep of a signal's parts: retention drops whole parts older
// than the retention period; compaction merges small parts of the same day
// into one (fewer, bigger files compress better and open faster, seed 000).
// Each part's companions (src/store/part-companion.ts) are merged and retired
// with it.

import { dirname, join, relative } from 'node:path';
import { mkdir, stat } from 'node:fs/promises';
import type { Engine } from '../engine/duckdb.js';
import { readParquetSql, sqlIdent } from '../engine/duckdb.js';
import { partFilePaths, type Catalog, type PartInfo } from '../parts/catalog.js';
import type { FileLeases } from '../parts/file-leases.js';
import { columnsOfForm, mergeParts, type MergedForm, newPartId, partFilePath, PART_MAX_ROWS, TRACE_INDEX_SUFFIX, type PartLayout } from '../parts/part-writer.js';
import { fsyncFile } from '../parts/fsync.js';
import { TraceIndex } from '../parts/trace-index.js';
import type { ServerConfig } from '../config/config.js';
import type { PartCompanion } from './part-companion.js';
import { unitColumnName } from '../parts/log-unit-columns.js';

/** Merge when a day has at least this many small parts of one level… */
export const COMPACT_MIN_PARTS = 4;
/** …taking at most this many rows into one merge; parts above half of it are left alone. */
export const COMPACT_MAX_ROWS = PART_MAX_ROWS;

export class Compactor {
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly engine: Engine,
    private readonly dataDir: string,
    private readonly catalog: Catalog,
    private readonly leases: FileLeases,
    private readonly config: Pick<ServerConfig, 'retentionMs'>,
    private readonly layout: PartLayout,
    private readonly companions: readonly PartCompanion[],
  ) {}

  /** One round: retention, then every merge that is due. Returns parts merged away. */
  runOnce(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    if (!this.running) {
      this.running = this.round().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }

  private async round(): Promise<number> {
    await this.applyRetention();
    let merged = 0;
    for (;;) {
      if (this.stopped) return merged;
      const group = pickMerge(this.catalog.snapshot.parts);
      if (!group) return merged;
      await this.merge(group);
      merged += group.length;
    }
  }

  private async applyRetention(): Promise<void> {
    if (this.config.retentionMs <= 0) return;
    const cutoffNs = BigInt(Date.now() - this.config.retentionMs) * 1_000_000n;
    const expired = this.catalog.snapshot.parts.filter((p) => BigInt(p.maxStartNs) < cutoffNs);
    if (expired.length === 0) return;
    const ids = new Set(expired.map((p) => p.id));
    await this.catalog.commit((s) => ({ ...s, parts: s.parts.filter((p) => !ids.has(p.id)) }));
    this.retire(expired);
  }

  private async merge(group: PartInfo[]): Promise<void> {
    const paths = group.map((p) => join(this.dataDir, p.path));
    const release = this.leases.acquire(paths);
    try {
      const id = newPartId();
      const day = group[0]!.day;
      const path = partFilePath(this.dataDir, this.layout, day, id);
      const indexPath = join(dirname(path), `${id}${TRACE_INDEX_SUFFIX}`);
      await mkdir(dirname(path), { recursive: true });
      const form = await mergeParts(this.engine, paths, path, this.layout);
      await fsyncFile(path);
      // The merged part is its inputs one after another: so is its index.
      const inputs = await Promise.all(group.map(async (p) => ({ index: await this.indexOf(p), rows: p.rows })));
      await TraceIndex.concatenate(inputs).write(indexPath);
      let fromCompanions: Partial<PartInfo> = {};
      for (const c of this.companions) fromCompanions = { ...fromCompanions, ...(await c.afterMerge(this.engine, group, path)) };
      const part: PartInfo = {
        id,
        path: relative(this.dataDir, path),
        traceIndexPath: relative(this.dataDir, indexPath),
        rows: group.reduce((n, p) => n + p.rows, 0),
        bytes: (await stat(path)).size,
        minStartNs: String(group.reduce((m, p) => (BigInt(p.minStartNs) < m ? BigInt(p.minStartNs) : m), BigInt(group[0]!.minStartNs))),
        maxStartNs: String(group.reduce((m, p) => (BigInt(p.maxStartNs) > m ? BigInt(p.maxStartNs) : m), BigInt(group[0]!.maxStartNs))),
        day,
        level: Math.max(...group.map((p) => p.level)) + 1,
        createdAtMs: Date.now(),
        columns: mergedColumns(group, form),
        services: [...new Set(group.flatMap((p) => p.services))].sort(),
        ...fromCompanions,
      };
      const gone = new Set(group.map((p) => p.id));
      // Parts dropped by retention meanwhile must stay dropped: merge only if all inputs are still there.
      await this.catalog.commit((s) => {
        const present = s.parts.filter((p) => gone.has(p.id)).length === gone.size;
        return present ? { ...s, parts: [...s.parts.filter((p) => !gone.has(p.id)), part] } : s;
      });
      if (this.catalog.snapshot.parts.some((p) => p.id === id)) this.retire(group);
      else this.leases.retire(partFilePaths(this.dataDir, part));
    } finally {
      release();
    }
  }

  /**
   * The input's trace index; for a part without a readable one (written
   * before indexes, or damaged), one run built from its distinct trace ids.
   */
  private async indexOf(part: PartInfo): Promise<TraceIndex> {
    if (part.traceIndexPath) {
      try {
        return await TraceIndex.read(join(this.dataDir, part.traceIndexPath));
      } catch (err) {
        console.error(`compaction: rebuilding the trace index of part ${part.id}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const sql = distinctTraceIdsSql(join(this.dataDir, part.path), part.columns);
    // a log part with no trace id leaves the column out (src/parts/log-empty-columns.ts)
    if (sql === undefined) return TraceIndex.ofUnsortedRun(new Uint8Array(0), 0, part.rows);
    const ids = await this.engine.all(sql);
    const packed = new Uint8Array(ids.length * 16);
    ids.forEach((r, i) => packed.set(r['trace_id'] as Uint8Array, i * 16));
    return TraceIndex.ofUnsortedRun(packed, ids.length, part.rows);
  }

  private retire(parts: readonly PartInfo[]): void {
    this.leases.retire(parts.flatMap((p) => partFilePaths(this.dataDir, p)));
  }
}

/**
 * The distinct trace ids of a part's lines, or undefined when it stores
 * none: a part in the units form may hold them once per unit
 * (`trace_id::unit`), on rows its lines name, so the ids of both columns.
 */
export function distinctTraceIdsSql(path: string, columns: readonly string[]): string | undefined {
  const stored = ['trace_id', unitColumnName('trace_id')].filter((c) => columns.includes(c));
  if (stored.length === 0) return undefined;
  const file = readParquetSql([path]);
  return `SELECT DISTINCT trace_id FROM (${stored.map((c) => `SELECT ${sqlIdent(c)} AS trace_id FROM ${file}`).join(' UNION ALL ')}) WHERE trace_id IS NOT NULL`;
}


/** The merged part's stored columns: its inputs', by their line-form names where DuckDB wrote the rows in line form. */
export function mergedColumns(group: readonly PartInfo[], form: MergedForm): string[] {
  return columnsOfForm([...new Set(group.flatMap((p) => p.columns))], form);
}

/** The next merge: ≥ COMPACT_MIN_PARTS small parts of one day and level, oldest first, bounded in rows. */
export function pickMerge(parts: readonly PartInfo[]): PartInfo[] | undefined {
  const groups = new Map<string, PartInfo[]>();
  for (const p of parts) {
    if (p.rows > COMPACT_MAX_ROWS / 2) continue; // big enough: merging it would only make lookups slower
    const key = `${p.day}/${p.level}`;
    const g = groups.get(key);
    if (g) g.push(p);
    else groups.set(key, [p]);
  }
  for (const g of [...groups.values()].sort((a, b) => a[0]!.day.localeCompare(b[0]!.day))) {
    if (g.length < COMPACT_MIN_PARTS) continue;
    g.sort((a, b) => a.createdAtMs - b.createdAtMs);
    const pick: PartInfo[] = [];
    let rows = 0;
    for (const p of g) {
      if (rows + p.rows > COMPACT_MAX_ROWS) break;
      pick.push(p);
      rows += p.rows;
    }
    if (pick.length >= 2) return pick;
  }
  return undefined;
}
