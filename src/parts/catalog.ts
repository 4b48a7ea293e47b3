// The catalog of parts: immutable, numbered snapshots (docs/format/catalog.md).
// A commit creates snapshot N+1 only if it does not exist yet (link(2) fails
// with EEXIST locally; a conditional PUT does the same on object storage), so
// several writers never overwrite each other and readers never see a torn file.

import { mkdir, open, readFile, rename, link, unlink, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fsyncDir } from './fsync.js';

export interface PartInfo {
  id: string;
  /** relative to the data folder */
  path: string;
  /**
   * Trace index of the part (docs/format/trace-index.md: which rows may hold
   * a trace), relative to the data folder.
   */
  traceIndexPath?: string;
  /** Parts written before trace indexes: a bloom filter of their trace ids instead. */
  bloomPath?: string;
  rows: number;
  bytes: number;
  /** unix nanos as decimal strings (JSON has no int64) */
  minStartNs: string;
  maxStartNs: string;
  /** UTC day of every span's start, YYYY-MM-DD */
  day: string;
  /** 0 = written by a flush; n+1 = merged from parts of level ≤ n */
  level: number;
  createdAtMs: number;
  columns: string[];
  services: string[];
  /**
   * Service-health rollups of the part's spans, relative to the data folder
   * (docs/format/rollups.md); absent on parts written before rollups existed.
   */
  rollupPath?: string;
  /**
   * Span cube of the part's spans for comparisons, relative to the data
   * folder (docs/format/span-cube.md); absent on parts written before cubes.
   */
  cubePath?: string;
  /** dimension columns of the part left out of its cube as too diverse (answered from the spans) */
  cubeHighCardinality?: string[];
  /**
   * Trace summary of the part: one row per trace (extent, root span, span and
   * error counts per service) for search answers, relative to the data
   * folder (docs/format/trace-summary.md); absent on parts written before summaries.
   */
  summaryPath?: string;
  /** Log parts: the token index of the part's text (docs/format/token-index.md), relative to the data folder. */
  tokenIndexPath?: string;
}

/** Every file of a part — the Parquet file and those kept beside it — absolute. */
export function partFilePaths(dataDir: string, p: PartInfo): string[] {
  const files = [p.path];
  if (p.traceIndexPath) files.push(p.traceIndexPath);
  if (p.bloomPath) files.push(p.bloomPath);
  if (p.rollupPath) files.push(p.rollupPath);
  if (p.cubePath) files.push(p.cubePath);
  if (p.summaryPath) files.push(p.summaryPath);
  if (p.tokenIndexPath) files.push(p.tokenIndexPath);
  return files.map((f) => join(dataDir, f));
}

export interface CatalogSnapshot<T = PartInfo> {
  version: number;
  /** the live immutable files of the stream: trace parts, metric blocks */
  parts: T[];
  /** per WAL stream: every record with seq ≤ this is in parts */
  walCheckpoints: Record<string, number>;
  committedAtMs: number;
}

function emptySnapshot<T>(): CatalogSnapshot<T> {
  return { version: 0, parts: [], walCheckpoints: {}, committedAtMs: 0 };
}
const KEEP_SNAPSHOTS = 8;

export class CatalogConflictError extends Error {}

function snapshotName(version: number): string {
  return `${String(version).padStart(16, '0')}.json`;
}

export class Catalog<T = PartInfo> {
  private current: CatalogSnapshot<T> = emptySnapshot<T>();
  private commitChain: Promise<unknown> = Promise.resolve();

  private constructor(private readonly dir: string) {}

  static async open<T = PartInfo>(dir: string): Promise<Catalog<T>> {
    await mkdir(dir, { recursive: true });
    const c = new Catalog<T>(dir);
    c.current = await c.loadLatest();
    return c;
  }

  get snapshot(): CatalogSnapshot<T> {
    return this.current;
  }

  /** Finds the newest snapshot: the hint, then probing forward until one is missing. */
  private async loadLatest(): Promise<CatalogSnapshot<T>> {
    let version = 0;
    try {
      version = Number((await readFile(join(this.dir, '_latest'), 'utf8')).trim()) || 0;
    } catch {
      // No hint: fall back to the highest snapshot present (first start or lost hint).
      const names = (await readdir(this.dir)).filter((n) => /^\d{16}\.json$/.test(n)).sort();
      if (names.length) version = Number(names[names.length - 1]!.slice(0, 16));
    }
    let snap: CatalogSnapshot<T> | undefined;
    for (;;) {
      const next = await this.read(version + (snap ? 1 : 0));
      if (!next) break;
      snap = next;
      version = next.version;
    }
    return snap ?? emptySnapshot<T>();
  }

  private async read(version: number): Promise<CatalogSnapshot<T> | undefined> {
    if (version === 0) return undefined;
    try {
      return JSON.parse(await readFile(join(this.dir, snapshotName(version)), 'utf8')) as CatalogSnapshot<T>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /**
   * Applies `change` to the newest snapshot and commits it as the next version.
   * Commits from this process are serialised; a conflict with another writer
   * reloads and re-applies.
   */
  commit(
    change: (s: CatalogSnapshot<T>) => Omit<CatalogSnapshot<T>, 'version' | 'committedAtMs'>,
    /** runs in the same tick the new snapshot becomes visible (e.g. to drop what it now covers) */
    onVisible?: (s: CatalogSnapshot<T>) => void,
  ): Promise<CatalogSnapshot<T>> {
    const run = async (): Promise<CatalogSnapshot<T>> => {
      for (let attempt = 0; attempt < 10; attempt++) {
        const base = this.current;
        const next: CatalogSnapshot<T> = { ...change(base), version: base.version + 1, committedAtMs: Date.now() };
        try {
          await this.createExclusive(snapshotName(next.version), JSON.stringify(next));
        } catch (err) {
          if (err instanceof CatalogConflictError) {
            this.current = await this.loadLatest();
            continue;
          }
          throw err;
        }
        this.current = next;
        onVisible?.(next);
        await this.afterCommit(next.version);
        return next;
      }
      throw new Error('catalog: gave up after 10 conflicting commits');
    };
    const p = this.commitChain.then(run, run);
    this.commitChain = p.catch(() => undefined);
    return p;
  }

  private async createExclusive(name: string, text: string): Promise<void> {
    const tmp = join(this.dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await link(tmp, join(this.dir, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new CatalogConflictError(name);
      throw err;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    await fsyncDir(this.dir);
  }

  private async afterCommit(version: number): Promise<void> {
    const hintTmp = join(this.dir, `._latest.${randomBytes(4).toString('hex')}.tmp`);
    const fh = await open(hintTmp, 'w');
    await fh.writeFile(String(version));
    await fh.close();
    await rename(hintTmp, join(this.dir, '_latest'));
    const old = version - KEEP_SNAPSHOTS;
    if (old > 0) await unlink(join(this.dir, snapshotName(old))).catch(() => undefined);
  }
}
