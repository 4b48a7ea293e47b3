// Which keys (and value types) the OTLP JSON attribute lists of a column hold,
// so the views can offer one typed column per key. Found by scanning the
// column once per file: parts and staging files never change, so the answer
// is cached per file and only files new since the last request are scanned.
// Nested kvlists are followed down to MAX_DEPTH levels.

import type { DuckDBConnection } from '@duckdb/node-api';
import { readParquetSql } from '../../engine/duckdb.js';
import { attributeValueSql, isAnyValueField, kvlistEntriesSql, leafId, type AttributeLeaf } from './any-value-sql.js';

/** Levels of kvlist nesting flattened into columns. */
export const MAX_DEPTH = 3;
/** Columns offered per source at most (the first, by key, when there are more). */
export const MAX_LEAVES = 500;

/** A column of span files that holds attribute lists. */
export interface AttributeListSource {
  /** cache key, e.g. 'events' or 'span.k::kvlist' */
  id: string;
  /**
   * `SELECT filename, <LIST(STRUCT(key VARCHAR, value JSON))> AS l FROM <rel> …`
   * where `rel` reads the files with a `filename` column.
   */
  listsSql(rel: string): string;
}

export class AttributeDiscovery {
  /** `${source.id}\0${file}` → leaves found in that file */
  private readonly cache = new Map<string, AttributeLeaf[]>();

  /** Forgets files no longer live (merged away by compaction, or expired). */
  retain(liveFiles: ReadonlySet<string>): void {
    for (const key of this.cache.keys()) {
      if (!liveFiles.has(key.slice(key.indexOf('\u0000') + 1))) this.cache.delete(key);
    }
  }

  /** Leaves of `source` over `files`, sorted by path then type, at most MAX_LEAVES. */
  leaves(conn: DuckDBConnection, source: AttributeListSource, files: readonly string[]): Promise<AttributeLeaf[]> {
    return this.leavesOf(conn, [{ source, files }]);
  }

  /** Leaves of several sources, each over its files (one column stored two ways), merged as by leaves(). */
  async leavesOf(conn: DuckDBConnection, sources: readonly { source: AttributeListSource; files: readonly string[] }[]): Promise<AttributeLeaf[]> {
    const merged = new Map<string, AttributeLeaf>();
    for (const { source, files } of sources) {
      const missing = files.filter((f) => !this.cache.has(`${source.id}\u0000${f}`));
      if (missing.length > 0) {
        const found = await discover(conn, source, missing);
        for (const f of missing) this.cache.set(`${source.id}\u0000${f}`, found.get(f) ?? []);
      }
      for (const f of files) for (const leaf of this.cache.get(`${source.id}\u0000${f}`)!) merged.set(leafId(leaf), leaf);
    }
    return [...merged.values()].sort(compareLeaves).slice(0, MAX_LEAVES);
  }
}

function compareLeaves(a: AttributeLeaf, b: AttributeLeaf): number {
  const pa = a.path.join('.');
  const pb = b.path.join('.');
  return pa < pb ? -1 : pa > pb ? 1 : a.field < b.field ? -1 : a.field > b.field ? 1 : 0;
}

/** Scans `files` level by level; returns the leaves of each file. */
async function discover(conn: DuckDBConnection, source: AttributeListSource, files: readonly string[]): Promise<Map<string, AttributeLeaf[]>> {
  const rel = readParquetSql(files, { filename: true });
  const out = new Map<string, AttributeLeaf[]>();
  // Each pending entry: the key path of a kvlist and the SQL of its lists.
  let pending: { path: string[]; lists: string }[] = [{ path: [], lists: source.listsSql(rel) }];
  for (let depth = 0; depth < MAX_DEPTH && pending.length > 0; depth++) {
    const next: typeof pending = [];
    for (const { path, lists } of pending) {
      const reader = await conn.runAndReadAll(
        `SELECT filename, e.key AS key, coalesce(json_keys(e.value)[1], '') AS field ` +
          `FROM (SELECT filename, unnest(l) AS e FROM (${lists})) GROUP BY ALL ORDER BY key, field LIMIT ${MAX_LEAVES * files.length}`,
      );
      const kvlistKeys = new Set<string>();
      for (const row of reader.getRowObjects()) {
        const field = String(row['field']);
        if (!isAnyValueField(field) || row['key'] === null) continue;
        const leaf: AttributeLeaf = { path: [...path, String(row['key'])], field };
        const file = String(row['filename']);
        let leaves = out.get(file);
        if (!leaves) out.set(file, (leaves = []));
        leaves.push(leaf);
        if (field === 'kvlistValue') kvlistKeys.add(String(row['key']));
      }
      for (const key of kvlistKeys) {
        next.push({
          path: [...path, key],
          lists: `SELECT filename, ${kvlistEntriesSql(attributeValueSql('l', key, depth))} AS l FROM (${lists})`,
        });
      }
    }
    pending = next;
  }
  return out;
}
