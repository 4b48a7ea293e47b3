// The views user SQL reads. Each request gets a fresh connection; the views
// its statement names are created there as TEMP views over the files of a
// snapshot leased for that request, and vanish with the connection. A data
// source (spans now; logs and metrics later) registers its views here.

import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlIdent } from '../../engine/duckdb.js';

/** What a view's definition may use while a request runs. */
export interface ViewScope {
  conn: DuckDBConnection;
  /**
   * One value per key and request, shared by the views of that request (for
   * example one leased snapshot for spans, span_events and span_links);
   * `release` runs when the request ends.
   */
  shared<T>(key: string, make: () => Promise<T>, release?: (value: T) => void): Promise<T>;
  /** lower-cased names of the columns the request's statement names; undefined: any (it has a star) */
  readonly columnsRead?: ReadonlySet<string> | undefined;
}

export interface SqlView {
  name: string;
  /** one line for docs and error messages */
  description: string;
  /** the SELECT the TEMP view is created as */
  selectSql(scope: ViewScope): Promise<string>;
}

/** Views whose names share a prefix, like trace_id_set_<id>. */
export interface SqlViewFamily {
  prefix: string;
  description: string;
  view(name: string): SqlView;
}

export class SqlViewRegistry {
  private readonly views = new Map<string, SqlView>();
  private readonly families: SqlViewFamily[] = [];

  add(view: SqlView): void {
    const name = view.name.toLowerCase();
    if (this.views.has(name)) throw new Error(`sql: view ${name} is registered twice`);
    this.views.set(name, view);
  }

  addFamily(family: SqlViewFamily): void {
    this.families.push(family);
  }

  /** The view of a lower-cased name, if any. */
  resolve(name: string): SqlView | undefined {
    const view = this.views.get(name);
    if (view) return view;
    const family = this.families.find((f) => name.startsWith(f.prefix) && name.length > f.prefix.length);
    return family?.view(name);
  }

  has(name: string): boolean {
    return this.views.has(name) || this.families.some((f) => name.startsWith(f.prefix) && name.length > f.prefix.length);
  }

  /** Names for messages: fixed views, then families as `prefix<…>`. */
  names(): string[] {
    return [...this.views.keys(), ...this.families.map((f) => `${f.prefix}<id>`)];
  }
}

/** Per-request state behind ViewScope. */
export class RequestViewScope implements ViewScope {
  private readonly values = new Map<string, Promise<unknown>>();
  private readonly releases: (() => void)[] = [];

  constructor(
    readonly conn: DuckDBConnection,
    readonly columnsRead?: ReadonlySet<string>,
  ) {}

  shared<T>(key: string, make: () => Promise<T>, release?: (value: T) => void): Promise<T> {
    let p = this.values.get(key) as Promise<T> | undefined;
    if (!p) {
      p = make().then((value) => {
        if (release) this.releases.push(() => release(value));
        return value;
      });
      this.values.set(key, p);
    }
    return p;
  }

  /** Creates the views of `names` as TEMP views on the connection. */
  async createViews(registry: SqlViewRegistry, names: Iterable<string>): Promise<void> {
    for (const name of names) {
      const view = registry.resolve(name);
      if (!view) continue;
      const select = await view.selectSql(this);
      await this.conn.run(`CREATE OR REPLACE TEMP VIEW ${sqlIdent(name)} AS ${select}`);
    }
  }

  release(): void {
    for (const r of this.releases.splice(0)) r();
  }
}
