// The rollups of a trace store, kept consistent with its parts: written
// beside each part when a flush creates it, re-aggregated when compaction
// merges parts, deleted with the part by retention (the store retires the
// files; src/store/*.ts call the hooks below). Queries read them from memory:
// each file is loaded once (or handed over by the flush or merge that wrote
// it) and coarser tables — per operation or per service, per hour or per day
// — are derived from it on first use, so an overview over days merges a few
// thousand rows rather than scanning spans. Staging files (the head) get
// exact rollups computed from their spans, cached per file until flushed.

import { dirname, join, relative } from 'node:path';
import type { Engine } from '../engine/duckdb.js';
import type { PartInfo } from '../parts/catalog.js';
import type { FileLeases } from '../parts/file-leases.js';
import { splitDays } from '../store/part-companion.js';
import { computeRollups } from './rollup-compute.js';
import { ROLLUP_FILE_SUFFIX, readRollupFile, writeRollupFile } from './rollup-file.js';
import { RollupKeys, aggregateTables, type KeyLevel, type RollupTable } from './rollup-table.js';

/** Time grains of derived tables, in minutes; each divides the next. */
export const ROLLUP_GRAINS = [1, 5, 60, 1440] as const;
export type RollupGrain = (typeof ROLLUP_GRAINS)[number];

const MINUTES_PER_DAY = 1440;
const EVICT_GRACE_MS = 60_000;

/** One file's rollups: the stored 1-minute rows and tables derived from them on demand. */
export class RollupSource {
  private readonly derived = new Map<string, RollupTable>();

  constructor(
    private readonly keys: RollupKeys,
    readonly base: RollupTable,
    /** unix minutes [first, last] of the rows, for skipping sources outside a range */
    readonly firstMinute = base.length ? base.minute[0]! : 0,
    readonly lastMinute = base.length ? base.minute[base.length - 1]! : -1,
  ) {}

  /** Rows keyed at `level`, in `grain`-minute buckets. */
  table(level: KeyLevel, grain: RollupGrain): RollupTable {
    if (level === 'status' && grain === 1) return this.base;
    const name = `${level}/${grain}`;
    let t = this.derived.get(name);
    if (!t) {
      const finerGrain = ROLLUP_GRAINS[ROLLUP_GRAINS.indexOf(grain) - 1];
      if (finerGrain !== undefined) {
        t = aggregateTables([this.table(level, finerGrain)], { grainMinutes: grain });
      } else {
        const keys = this.keys;
        const mapKey = level === 'service' ? (k: number) => keys.serviceKey[k]! : (k: number) => keys.operationKey[k]!;
        t = aggregateTables([this.table(level === 'service' ? 'operation' : 'status', 1)], { grainMinutes: 1, mapKey });
      }
      this.derived.set(name, t);
    }
    return t;
  }

  /** Derives the per-operation and per-service tables overviews read, ahead of the first query. */
  prepare(): this {
    for (const level of ['operation', 'service'] as const) for (const grain of ROLLUP_GRAINS) this.table(level, grain);
    return this;
  }

  overlaps(fromMinute: number, toMinute: number): boolean {
    return this.firstMinute < toMinute && this.lastMinute >= fromMinute;
  }
}

/** Files a query reads: a store snapshot's parts and staging files. */
export interface RollupInput {
  dataDir: string;
  parts: readonly PartInfo[];
  staged: readonly { path: string; minStartNs: bigint; maxStartNs: bigint }[];
  /** when the snapshot was taken (Date.now()); cached sources younger than it are kept */
  takenAtMs?: number;
}

interface CacheEntry {
  source: Promise<RollupSource>;
  createdAtMs: number;
}

export class RollupStore {
  readonly keys = new RollupKeys();
  private readonly cache = new Map<string, CacheEntry>();
  private warming: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly dataDir: string,
    private readonly leases: FileLeases,
  ) {}

  // ---- hooks of the trace store ------------------------------------------

  /**
   * Flush: loads the rollups the flush's regrouping worker wrote beside a
   * part; for a part without, computes the rollups of the staging files
   * being flushed and writes one rollup file beside it (rows of the part's day). A day the
   * flush split into several parts (by trace-id range) has its parts' rollups
   * computed from each part file: the staged rows of the day belong to all of
   * them. Returns the parts with `rollupPath` set, to commit.
   */
  async writeForParts(engine: Engine, stagedPaths: readonly string[], parts: readonly PartInfo[]): Promise<PartInfo[]> {
    if (parts.length === 0) return [];
    const split = splitDays(parts);
    // the staged rows are read only for days that are one part's and that the flush worker wrote no rollups for
    const tables = parts.every((p) => p.rollupPath !== undefined || split.has(p.day)) ? [] : await this.stagedTables(engine, stagedPaths);
    for (const p of stagedPaths) this.cache.delete(stagedKey(p));
    const out: PartInfo[] = [];
    for (const part of parts) {
      if (part.rollupPath !== undefined) {
        // written by the flush's regrouping worker (rollup-builder.ts): loaded now (a few hundred rows), before a query needs it
        await this.partSource(engine, part).catch(() => undefined);
        out.push(part);
        continue;
      }
      const table = split.has(part.day) ? await this.partTable(engine, part) : stagedDayTable(tables, part.day);
      const rollupPath = join(dirname(part.path), `${part.id}${ROLLUP_FILE_SUFFIX}`);
      await writeRollupFile(engine, join(this.dataDir, rollupPath), table, this.keys);
      // derived right after the flush rather than in it, and before a query needs them
      const source = new RollupSource(this.keys, table);
      setTimeout(() => source.prepare(), 0).unref();
      this.put(rollupPath, source);
      out.push({ ...part, rollupPath });
    }
    return out;
  }

  /**
   * Compaction: merges the rollups of `group` into one file beside the merged
   * part at `partPath` (absolute); returns its path relative to the data folder.
   */
  async writeMerged(engine: Engine, group: readonly PartInfo[], partPath: string): Promise<string> {
    const tables = await Promise.all(group.map(async (p) => (await this.partSource(engine, p)).base));
    const merged = aggregateTables(tables, { grainMinutes: 1 });
    const absolute = partPath.replace(/\.parquet$/, ROLLUP_FILE_SUFFIX);
    await writeRollupFile(engine, absolute, merged, this.keys);
    const rollupPath = relative(this.dataDir, absolute);
    this.put(rollupPath, new RollupSource(this.keys, merged).prepare());
    // the inputs are about to leave the catalog; should the merge not commit, they reload from their files
    for (const p of group) this.cache.delete(p.rollupPath ?? `part:${p.id}`);
    return rollupPath;
  }

  /** Loads every part's rollups into memory (after a restart), one at a time, until stop(). */
  warm(engine: Engine, parts: readonly PartInfo[]): Promise<void> {
    const run = async (): Promise<void> => {
      for (const p of parts) {
        if (this.stopped) return;
        // a part merged or dropped meanwhile fails to load: the next query loads what is current
        await this.partSource(engine, p).catch(() => undefined);
      }
    };
    this.warming = run();
    return this.warming;
  }

  /** Stops warming (before the engine it uses closes). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.warming;
  }

  // ---- queries -------------------------------------------------------------

  /**
   * Rollup sources of a snapshot that may hold rows in [fromMinute, toMinute):
   * every part (from its rollup file, or computed from its spans when it has
   * none) and every staging file (computed exactly from its spans). Drops
   * cached sources of files that left the store before this snapshot.
   */
  async sources(engine: Engine, input: RollupInput, fromMinute: number, toMinute: number): Promise<RollupSource[]> {
    const snapshotAtMs = input.takenAtMs ?? Date.now();
    const fromNs = BigInt(fromMinute) * 60_000_000_000n;
    const toNs = BigInt(toMinute) * 60_000_000_000n;
    const parts = input.parts.filter((p) => BigInt(p.minStartNs) < toNs && BigInt(p.maxStartNs) >= fromNs);
    const staged = input.staged.filter((f) => f.minStartNs < toNs && f.maxStartNs >= fromNs);
    const out = await Promise.all(parts.map((p) => this.partSource(engine, p)));
    const missing = staged.filter((f) => !this.cache.has(stagedKey(f.path)));
    if (missing.length > 0) {
      const computed = computeRollups(engine, missing.map((f) => f.path), this.keys, 'TRUE', true);
      for (const f of missing) {
        this.put(stagedKey(f.path), computed.then((m) => new RollupSource(this.keys, m.get(f.path)!)), false);
      }
    }
    for (const f of staged) out.push(await this.cache.get(stagedKey(f.path))!.source);
    this.evict(input, snapshotAtMs);
    return out.filter((s) => s.overlaps(fromMinute, toMinute));
  }

  private put(key: string, source: RollupSource | Promise<RollupSource>, settled = true): void {
    const promise = settled ? Promise.resolve(source) : (source as Promise<RollupSource>);
    const entry: CacheEntry = { source: promise, createdAtMs: Date.now() };
    this.cache.set(key, entry);
    // a failed load is forgotten, so the next query tries again
    promise.catch(() => {
      if (this.cache.get(key) === entry) this.cache.delete(key);
    });
  }

  /** The rollups of a part's own spans. */
  private async partTable(engine: Engine, part: PartInfo): Promise<RollupTable> {
    const partPath = join(this.dataDir, part.path);
    return (await computeRollups(engine, [partPath], this.keys)).get(partPath)!;
  }

  private partSource(engine: Engine, part: PartInfo): Promise<RollupSource> {
    const key = part.rollupPath ?? `part:${part.id}`;
    const found = this.cache.get(key);
    if (found) return found.source;
    const load = async (): Promise<RollupSource> => {
      if (part.rollupPath) {
        const path = join(this.dataDir, part.rollupPath);
        const release = this.leases.acquire([path]);
        try {
          return new RollupSource(this.keys, await readRollupFile(engine, path, this.keys)).prepare();
        } catch (err) {
          // deleted under us or unreadable: the part's spans still answer
          console.error(`rollup: reading ${part.rollupPath} failed, computing from ${part.path}: ${(err as Error).message}`);
        } finally {
          release();
        }
      }
      return new RollupSource(this.keys, await this.partTable(engine, part)).prepare();
    };
    const promise = load();
    this.put(key, promise, false);
    return promise;
  }

  private async stagedTables(engine: Engine, paths: readonly string[]): Promise<RollupTable[]> {
    const cached: Promise<RollupSource>[] = [];
    const missing: string[] = [];
    for (const p of paths) {
      const entry = this.cache.get(stagedKey(p));
      if (entry) cached.push(entry.source);
      else missing.push(p);
    }
    const tables = (await Promise.all(cached)).map((s) => s.base);
    if (missing.length > 0) {
      const whole = await computeRollups(engine, missing, this.keys, 'TRUE', false);
      tables.push(...whole.values());
    }
    return tables;
  }

  /**
   * Forgets sources of files no longer in the store. A source cached shortly
   * before the snapshot may belong to a flush or merge whose commit the
   * snapshot missed: those are kept for EVICT_GRACE_MS.
   */
  private evict(input: RollupInput, snapshotAtMs: number): void {
    const live = new Set<string>();
    for (const p of input.parts) live.add(p.rollupPath ?? `part:${p.id}`);
    for (const f of input.staged) live.add(stagedKey(f.path));
    for (const [key, entry] of this.cache) {
      if (!live.has(key) && entry.createdAtMs < snapshotAtMs - EVICT_GRACE_MS) this.cache.delete(key);
    }
  }

  /** Sources held in memory (for stats and tests). */
  get cachedSources(): number {
    return this.cache.size;
  }
}

/** The rows of `day` among the staged tables of a flush. */
function stagedDayTable(tables: readonly RollupTable[], day: string): RollupTable {
  const dayStart = Math.floor(Date.parse(`${day}T00:00:00Z`) / 60_000);
  const dayEnd = dayStart + MINUTES_PER_DAY;
  // one staged table within the day (the usual flush) is already the answer
  const only = tables.length === 1 ? tables[0]! : undefined;
  if (only && (only.length === 0 || (only.minute[0]! >= dayStart && only.minute[only.length - 1]! < dayEnd))) return only;
  return aggregateTables(tables, { grainMinutes: 1, fromMinute: dayStart, toMinute: dayEnd });
}

function stagedKey(path: string): string {
  return `staged:${path}`;
}
