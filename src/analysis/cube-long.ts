// Span cubes unpivoted ("long"), kept in memory per query engine. A cube row
// holds ~110 dimension values; counting them per (column, value) by grouping
// sets over 54 k rows cost ~0.6 s of CPU per comparison over a 10 M-span
// cube, as did unpivoting them per query. Everything the comparison weighs
// a row by — its operation, duration bucket, status and has-exception — is
// few-valued, so the cube is unpivoted once into
//
//   (service_name, name, _bk, status_code, has_exception, _c, _v) → Σ _n spans, Σ _sl ln-durations
//
// (10 M spans of shop traffic: 383 k rows, from 2.85 M non-NULL cells) and a
// comparison is one join with the per-operation figures and one GROUP BY
// (_c, _v). `_c` is the cube's column name, `_v` the value as VARCHAR as the
// scan casts it; `_c = '_all'` rows (`_v = ''`) hold every span once, for
// the totals and the per-operation figures. Cube files are immutable, so the
// table of a cube path never goes stale; the least recently used tables
// beyond a row budget are dropped once no comparison holds them.

import { readParquetSql, sqlIdent, type Engine } from '../engine/duckdb.js';
import { CUBE_DURATION_BUCKET, CUBE_DURATION_RANGE, CUBE_LOG_DURATION_SUM, CUBE_SPAN_COUNT, readCubeColumns } from './cube-file.js';

/** The long layout's column naming the cube column of a row; `_all` rows hold every span. */
export const LONG_ALL = '_all';

/** Long rows kept in memory per engine before unused tables are dropped (~40 B a row). */
const LONG_ROW_BUDGET = 8_000_000;

interface LongTable {
  name: string;
  ready: Promise<number>;
  users: number;
  lastUsed: number;
}

/** What a comparison holds while it reads long tables: absolute cube path → table name. */
export interface LongCubeLease {
  tables: ReadonlyMap<string, string>;
  release(): void;
}

function longTableSql(name: string, cubePath: string, grouped: readonly string[]): string {
  const values = grouped.map((c) => `CAST(${sqlIdent(c)} AS VARCHAR) AS ${sqlIdent(c)}`).join(', ');
  const keys = ['_svc', '_nm', '_bk', '_st', '_he', '_n', '_sl'];
  return (
    `CREATE TABLE ${sqlIdent(name)} AS SELECT _svc AS service_name, _nm AS name, _bk, _st AS status_code, _he AS has_exception, _c, _v, ` +
    `sum(_n)::BIGINT AS _n, sum(_sl) AS _sl FROM (UNPIVOT (SELECT service_name AS _svc, name AS _nm, ${CUBE_DURATION_BUCKET} AS _bk, ` +
    `status_code AS _st, has_exception AS _he, ${CUBE_SPAN_COUNT} AS _n, ${CUBE_LOG_DURATION_SUM} AS _sl, '' AS ${LONG_ALL}, ${values} ` +
    `FROM ${readParquetSql([cubePath])}) ON COLUMNS(* EXCLUDE (${keys.join(', ')})) INTO NAME _c VALUE _v) ` +
    `GROUP BY service_name, name, _bk, status_code, has_exception, _c, _v`
  );
}

class LongCubes {
  private readonly tables = new Map<string, LongTable>();
  private next = 0;

  constructor(private readonly engine: Engine) {}

  private build(cubePath: string): LongTable {
    const name = `_mq_cube_long_${this.next++}`;
    const ready = (async () => {
      const { grouped } = await readCubeColumns(this.engine, cubePath);
      // the duration's 1-2-5 range is a dimension too
      await this.engine.run(longTableSql(name, cubePath, [...grouped, CUBE_DURATION_RANGE]));
      const [row] = await this.engine.all(`SELECT count(*)::BIGINT AS n FROM ${sqlIdent(name)}`);
      return Number(row!['n']);
    })();
    const table: LongTable = { name, ready, users: 0, lastUsed: 0 };
    // a failed build is forgotten, so the next comparison tries again
    ready.catch(() => {
      if (this.tables.get(cubePath) === table) this.tables.delete(cubePath);
    });
    return table;
  }

  async acquire(cubePaths: readonly string[]): Promise<LongCubeLease> {
    const held: LongTable[] = [];
    const release = (): void => {
      for (const t of held.splice(0)) t.users--;
    };
    try {
      const tables = new Map<string, string>();
      for (const path of cubePaths) {
        let t = this.tables.get(path);
        if (!t) {
          t = this.build(path);
          this.tables.set(path, t);
        }
        t.users++;
        t.lastUsed = Date.now();
        held.push(t);
        tables.set(path, t.name);
      }
      await Promise.all(held.map((t) => t.ready));
      await this.evict();
      return { tables, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  /** Drops the least recently used tables no comparison holds while the rows kept exceed the budget. */
  private async evict(): Promise<void> {
    const sized: { path: string; table: LongTable; rows: number }[] = [];
    for (const [path, table] of this.tables) {
      const rows = await table.ready.catch(() => 0);
      sized.push({ path, table, rows });
    }
    let rows = sized.reduce((n, s) => n + s.rows, 0);
    for (const s of sized.sort((a, b) => a.table.lastUsed - b.table.lastUsed)) {
      if (rows <= LONG_ROW_BUDGET) break;
      if (s.table.users > 0 || this.tables.get(s.path) !== s.table) continue;
      this.tables.delete(s.path);
      rows -= s.rows;
      await this.engine.run(`DROP TABLE IF EXISTS ${sqlIdent(s.table.name)}`);
    }
  }
}

const perEngine = new WeakMap<Engine, LongCubes>();

/** The long tables of these cube files (absolute paths), built on first use; hold them until release(). */
export function acquireLongCubes(engine: Engine, cubePaths: readonly string[]): Promise<LongCubeLease> {
  let cubes = perEngine.get(engine);
  if (!cubes) {
    cubes = new LongCubes(engine);
    perEngine.set(engine, cubes);
  }
  return cubes.acquire(cubePaths);
}

