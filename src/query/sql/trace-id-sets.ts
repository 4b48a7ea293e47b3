// Uploaded sets of trace ids (seed 000: ids from another database, millions
// of them) kept as Parquet files under <data>/tmp/trace-id-sets, so search,
// comparison and SQL join on them instead of building a giant OR. A set
// expires `ttlMs` after it was last used.
//
// Each file holds the distinct ids, sorted, plus one all-zero id (invalid in
// OTLP, so it matches no span). That sentinel keeps the join's build side
// from ever having min = max: DuckDB 1.5.6 then pushes `trace_id = x` into
// the part scan, which finds nothing in parts whose trace_id column carries
// a Parquet bloom filter (docs/storage.md, "Trace lookup").

import { randomBytes } from 'node:crypto';
import { existsSync, utimesSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError, BadQueryError } from '../../model/errors.js';
import { sqlString, type Engine } from '../../engine/duckdb.js';
import { writeParquetFile } from '../../parts/parquet/writer.js';

export const TRACE_ID_SET_VIEW_PREFIX = 'trace_id_set_';
const ID_PATTERN = /^[0-9a-f]{16}$/;
const ZERO_ID_SQL = `from_hex('${'0'.repeat(32)}')`;

export interface TraceIdSetOptions {
  /** a set is deleted this long after its last use (default 1 h) */
  ttlMs?: number;
}

export interface TraceIdSetInfo {
  id: string;
  /** distinct ids in the set */
  count: number;
}

export function traceIdSetsDir(dataDir: string): string {
  return join(dataDir, 'tmp', 'trace-id-sets');
}

function setPath(dataDir: string, id: string): string {
  if (!ID_PATTERN.test(id)) throw new BadQueryError(`trace-id-sets: "${id}" is not a trace-id set id (16 hex digits)`);
  return join(traceIdSetsDir(dataDir), `${id}.parquet`);
}

/**
 * The Parquet file of a set, its expiry pushed back by this use; NotFoundError
 * when it does not exist or has expired.
 */
export function traceIdSetPath(dataDir: string, id: string): string {
  const path = setPath(dataDir, id);
  if (!existsSync(path)) throw new NotFoundError(`trace-id-sets: set ${id} does not exist or has expired`);
  const now = new Date();
  utimesSync(path, now, now);
  return path;
}

/**
 * `trace_id IN (SELECT trace_id FROM read_parquet('<set file>'))`: a semi-join
 * on the set, for the WHERE clause of a query over span files.
 */
export function traceIdSetFilterSql(dataDir: string, id: string): string {
  return `trace_id IN (SELECT trace_id FROM read_parquet(${sqlString(traceIdSetPath(dataDir, id))}))`;
}

/** SELECT of a set's ids without the sentinel: the body of the SQL view trace_id_set_<id>. */
export function traceIdSetViewSql(dataDir: string, id: string): string {
  return `SELECT trace_id FROM read_parquet(${sqlString(traceIdSetPath(dataDir, id))}) WHERE trace_id <> ${ZERO_ID_SQL}`;
}

export class TraceIdSets {
  private readonly ttlMs: number;
  private sweepTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly dataDir: string,
    /** runs the dedupe-and-sort COPY; may write inside the data folder */
    private readonly engine: Engine,
    options: TraceIdSetOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 3600_000;
  }

  static async open(dataDir: string, engine: Engine, options: TraceIdSetOptions = {}): Promise<TraceIdSets> {
    const sets = new TraceIdSets(dataDir, engine, options);
    await mkdir(traceIdSetsDir(dataDir), { recursive: true });
    await sets.sweep();
    sets.sweepTimer = setInterval(() => void sets.sweep().catch((err) => console.error(`trace-id-sets: sweep failed: ${err}`)), Math.min(sets.ttlMs, 300_000));
    sets.sweepTimer.unref();
    return sets;
  }

  /** Stores ids (16 bytes each, all-zero ids already dropped) as a new set. */
  async create(ids: Uint8Array): Promise<TraceIdSetInfo> {
    const id = randomBytes(8).toString('hex');
    const final = setPath(this.dataDir, id);
    const raw = join(traceIdSetsDir(this.dataDir), `${id}.raw.parquet`);
    const tmp = join(traceIdSetsDir(this.dataDir), `${id}.tmp.parquet`);
    const rows = ids.length / 16;
    try {
      await writeParquetFile(raw, rows, [{ name: 'trace_id', kind: 'fixed16', values: ids }], { rowGroupRows: 1 << 17 });
      await this.engine.run(
        `COPY (SELECT DISTINCT trace_id FROM (SELECT trace_id FROM read_parquet(${sqlString(raw)}) UNION ALL SELECT ${ZERO_ID_SQL}) ORDER BY trace_id) ` +
          `TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 131072, WRITE_BLOOM_FILTER false)`,
      );
      const counted = await this.engine.all(`SELECT count(*) - 1 AS n FROM read_parquet(${sqlString(tmp)})`);
      await rename(tmp, final);
      return { id, count: Number(counted[0]!['n']) };
    } finally {
      await rm(raw, { force: true });
      await rm(tmp, { force: true });
    }
  }

  /** Deletes sets unused for longer than the TTL, and leftovers of failed uploads; returns how many. */
  async sweep(nowMs = Date.now()): Promise<number> {
    const dir = traceIdSetsDir(this.dataDir);
    let removed = 0;
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (!info) continue;
      const leftover = !/^[0-9a-f]{16}\.parquet$/.test(name) && nowMs - info.mtimeMs > 600_000;
      if (leftover || nowMs - info.mtimeMs > this.ttlMs) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }

  close(): void {
    clearInterval(this.sweepTimer);
  }
}
