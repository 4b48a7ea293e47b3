// The span views of user SQL, over every part and staging file of a snapshot
// leased for the request:
//   spans        one row per span: the stored columns, plus hex ids, start_time
//                as TIMESTAMP_NS, and each nested key of a `::kvlist` attribute
//                as a dotted column (`span.k::kvlist` → `span.k.a`, `span.k.b::int`)
//   span_events  one row per span event, its attributes as `event.<key>` columns
//   span_links   one row per span link, its attributes as `link.<key>` columns
// (seed 003: Expand & Flatten without writing UNNEST by hand.)

import { join } from 'node:path';
import { readParquetSql, sqlIdent, sqlString } from '../../engine/duckdb.js';
import type { TraceSnapshot } from '../../store/trace-store.js';
import { DUCKDB_TYPE, HOT_COLUMNS, attributeColumnName, attributeColumnKind, type AttributeColumnRef } from '../../parts/schema.js';
import { ATTRIBUTE_LIST_STRUCTURE, kvlistEntriesSql, leafColumnName, leafValueSql, type AttributeLeaf } from './any-value-sql.js';
import { AttributeDiscovery, type AttributeListSource } from './attribute-discovery.js';
import type { SqlView, ViewScope } from './view-registry.js';
import { EVENTS_COMPACT_COLUMN, EVENTS_JSON_COLUMN, EVENTS_START_COLUMN, expandEventsSql } from '../../parts/events-compact.js';

export interface SpanFileSource {
  snapshot(): Promise<TraceSnapshot>;
}

interface SpanFile {
  path: string;
  columns: readonly string[];
}


const KVLIST_SUFFIX = '::kvlist';

const EVENT_STRUCTURE = '[{"timeUnixNano":"VARCHAR","name":"VARCHAR","attributes":"JSON","droppedAttributesCount":"BIGINT"}]';
const LINK_STRUCTURE =
  '[{"traceId":"VARCHAR","spanId":"VARCHAR","traceState":"VARCHAR","attributes":"JSON","droppedAttributesCount":"BIGINT","flags":"BIGINT"}]';

/** Columns every span row identifies its span by, in the event and link views. */
const SPAN_KEY_COLUMNS =
  'trace_id, span_id, lower(hex(trace_id)) AS trace_id_hex, lower(hex(span_id)) AS span_id_hex, service_name, name AS span_name';

function attributeListsOf(column: 'events' | 'links'): AttributeListSource {
  return {
    id: column,
    listsSql: (rel) =>
      `SELECT filename, json_transform(x.attributes, ${sqlString(ATTRIBUTE_LIST_STRUCTURE)}) AS l ` +
      `FROM (SELECT filename, unnest(json_transform(${column}, '[{"attributes":"JSON"}]')) AS x FROM ${rel} WHERE ${column} IS NOT NULL)`,
  };
}

/** Attribute lists of the events of parts that hold them compact (events-compact.ts). */
const COMPACT_EVENT_LISTS: AttributeListSource = {
  id: EVENTS_COMPACT_COLUMN,
  listsSql: (rel) =>
    `SELECT filename, json_transform(json_extract(x, '$[2]'), ${sqlString(ATTRIBUTE_LIST_STRUCTURE)}) AS l ` +
    `FROM (SELECT filename, unnest(CAST(${EVENTS_COMPACT_COLUMN} AS JSON[])) AS x FROM ${rel} WHERE ${EVENTS_COMPACT_COLUMN} IS NOT NULL)`,
};

function kvlistColumnSource(column: string): AttributeListSource {
  return {
    id: column,
    listsSql: (rel) => `SELECT filename, ${kvlistEntriesSql(sqlIdent(column))} AS l FROM ${rel} WHERE ${sqlIdent(column)} IS NOT NULL`,
  };
}

/** `<expr> AS "<name>"` for each leaf not shadowed by a name already taken. */
function leafColumns(base: string, list: string, leaves: readonly AttributeLeaf[], taken: Set<string>): string[] {
  const out: string[] = [];
  for (const leaf of leaves) {
    const name = leafColumnName(base, leaf);
    if (taken.has(name)) continue; // a stored column of that name wins
    taken.add(name);
    out.push(`${leafValueSql(list, leaf)} AS ${sqlIdent(name)}`);
  }
  return out;
}

export class SpanViews {
  private readonly discovery = new AttributeDiscovery();

  constructor(
    private readonly source: SpanFileSource,
    /** columns of an empty store, so the views exist before any data */
    private readonly dedicated: readonly AttributeColumnRef[],
  ) {}

  /** spans, span_events and span_links. */
  views(): SqlView[] {
    return [
      { name: 'spans', description: 'one row per span', selectSql: (scope) => this.spansSql(scope) },
      { name: 'span_events', description: 'one row per span event', selectSql: (scope) => this.eventsSql(scope) },
      { name: 'span_links', description: 'one row per span link', selectSql: (scope) => this.linksSql(scope) },
    ];
  }

  /** The request's leased snapshot, as files with their columns. */
  private files(scope: ViewScope): Promise<SpanFile[]> {
    return scope.shared(
      'span-files',
      async () => {
        const snap = await this.source.snapshot();
        const files: SpanFile[] = [
          ...snap.parts.map((p) => ({ path: join(snap.dataDir, p.path), columns: p.columns })),
          ...snap.staged.map((f) => ({ path: f.path, columns: f.columns })),
        ];
        this.discovery.retain(new Set(files.map((f) => f.path)));
        return { snap, files };
      },
      ({ snap }) => snap.release(),
    ).then((s) => s.files);
  }

  /** The stored rows, or an empty relation with the fixed and dedicated columns. */
  private relation(files: readonly SpanFile[]): string {
    if (files.length > 0) return readParquetSql(files.map((f) => f.path));
    const columns = [
      ...HOT_COLUMNS.map((c) => `CAST(NULL AS ${DUCKDB_TYPE[c.kind]}) AS ${sqlIdent(c.name)}`),
      ...this.dedicated.map((d) => `CAST(NULL AS ${DUCKDB_TYPE[attributeColumnKind(d.type)]}) AS ${sqlIdent(attributeColumnName(d.scope, d.key, d.type))}`),
    ];
    return `(SELECT ${columns.join(', ')} LIMIT 0)`;
  }

  /**
   * The stored rows with `events` as OTLP JSON in every row: parts that hold
   * them compact (events-compact.ts) have them expanded, so the view is the
   * same whichever way a file stores them.
   */
  private spanRelation(files: readonly SpanFile[]): string {
    if (!files.some((f) => f.columns.includes(EVENTS_COMPACT_COLUMN))) return this.relation(files);
    const expanded = `CAST(to_json(${expandEventsSql(EVENTS_COMPACT_COLUMN, EVENTS_START_COLUMN)}) AS VARCHAR)`;
    const events = sqlIdent(EVENTS_JSON_COLUMN);
    const select = files.some((f) => f.columns.includes(EVENTS_JSON_COLUMN))
      ? `* EXCLUDE (${EVENTS_COMPACT_COLUMN}) REPLACE (coalesce(${events}, ${expanded}) AS ${events})`
      : `* EXCLUDE (${EVENTS_COMPACT_COLUMN}), ${expanded} AS ${events}`;
    return `(SELECT ${select} FROM ${this.relation(files)})`;
  }

  private async spansSql(scope: ViewScope): Promise<string> {
    const files = await this.files(scope);
    const stored = new Set<string>(HOT_COLUMNS.map((c) => c.name));
    for (const f of files) for (const c of f.columns) stored.add(c);
    const taken = new Set([...stored, 'trace_id_hex', 'span_id_hex', 'parent_span_id_hex', 'start_time']);
    const lists: string[] = [];
    const flattened: string[] = [];
    for (const column of [...stored].filter((c) => c.endsWith(KVLIST_SUFFIX)).sort()) {
      const withColumn = files.filter((f) => f.columns.includes(column)).map((f) => f.path);
      const leaves = await this.discovery.leaves(scope.conn, kvlistColumnSource(column), withColumn);
      if (leaves.length === 0) continue;
      // The entry list of each kvlist column is computed once per row, below.
      const alias = `__kv${lists.length}`;
      lists.push(`${kvlistEntriesSql(sqlIdent(column))} AS ${alias}`);
      flattened.push(...leafColumns(column.slice(0, -KVLIST_SUFFIX.length), alias, leaves, taken));
    }
    const computed = [
      'lower(hex(trace_id)) AS trace_id_hex',
      'lower(hex(span_id)) AS span_id_hex',
      'lower(hex(parent_span_id)) AS parent_span_id_hex',
      'make_timestamp_ns(start_time_unix_nano) AS start_time',
      ...flattened,
    ];
    const rel = this.spanRelation(files);
    if (lists.length === 0) return `SELECT *, ${computed.join(', ')} FROM ${rel}`;
    const aliases = lists.map((_, i) => `__kv${i}`).join(', ');
    return `SELECT * EXCLUDE (${aliases}), ${computed.join(', ')} FROM (SELECT *, ${lists.join(', ')} FROM ${rel})`;
  }

  private async eventsSql(scope: ViewScope): Promise<string> {
    const files = await this.files(scope);
    // events as OTLP JSON (staging files, older parts) and compact (parts since events-compact.ts): a merged part may hold both
    const compact = files.filter((f) => f.columns.includes(EVENTS_COMPACT_COLUMN));
    const json = files.length === 0 ? [] : files.filter((f) => f.columns.includes(EVENTS_JSON_COLUMN));
    const leaves = await this.discovery.leavesOf(scope.conn, [
      { source: attributeListsOf('events'), files: json.map((f) => f.path) },
      { source: COMPACT_EVENT_LISTS, files: compact.map((f) => f.path) },
    ]);
    const fixed = ['trace_id', 'span_id', 'trace_id_hex', 'span_id_hex', 'service_name', 'span_name', 'time_unix_nano', 'time', 'name', 'dropped_attributes_count', 'attributes'];
    const columns = [
      'trace_id, span_id, trace_id_hex, span_id_hex, service_name, span_name',
      'CAST(x.timeUnixNano AS BIGINT) AS time_unix_nano',
      'make_timestamp_ns(CAST(x.timeUnixNano AS BIGINT)) AS time',
      'x.name AS name',
      'x.droppedAttributesCount AS dropped_attributes_count',
      'CAST(x.attributes AS VARCHAR) AS attributes',
      ...leafColumns('event', '__attrs', leaves, new Set(fixed)),
    ];
    const unnested: string[] = [];
    if (json.length > 0 || compact.length === 0) unnested.push(this.unnestSql(this.relation(json), 'events', `json_transform(events, ${sqlString(EVENT_STRUCTURE)})`));
    if (compact.length > 0) {
      unnested.push(this.unnestSql(this.relation(compact), EVENTS_COMPACT_COLUMN, expandEventsSql(EVENTS_COMPACT_COLUMN, EVENTS_START_COLUMN)));
    }
    return this.expandSql(unnested.join(' UNION ALL '), columns);
  }

  private async linksSql(scope: ViewScope): Promise<string> {
    const files = await this.files(scope);
    const leaves = await this.discovery.leaves(scope.conn, attributeListsOf('links'), files.map((f) => f.path));
    const fixed = ['trace_id', 'span_id', 'trace_id_hex', 'span_id_hex', 'service_name', 'span_name', 'linked_trace_id', 'linked_span_id'];
    fixed.push('linked_trace_id_hex', 'linked_span_id_hex', 'linked_trace_state', 'flags', 'dropped_attributes_count', 'attributes');
    const columns = [
      'trace_id, span_id, trace_id_hex, span_id_hex, service_name, span_name',
      'from_hex(x.traceId) AS linked_trace_id',
      'from_hex(x.spanId) AS linked_span_id',
      'lower(x.traceId) AS linked_trace_id_hex',
      'lower(x.spanId) AS linked_span_id_hex',
      'x.traceState AS linked_trace_state',
      'x.flags AS flags',
      'x.droppedAttributesCount AS dropped_attributes_count',
      'CAST(x.attributes AS VARCHAR) AS attributes',
      ...leafColumns('link', '__attrs', leaves, new Set(fixed)),
    ];
    return this.expandSql(this.unnestSql(this.relation(files), 'links', `json_transform(links, ${sqlString(LINK_STRUCTURE)})`), columns);
  }

  /** One row per element of the list `listSql` makes of `column`, with the span's key columns: `x` the element. */
  private unnestSql(rel: string, column: string, listSql: string): string {
    return `SELECT ${SPAN_KEY_COLUMNS}, unnest(${listSql}) AS x FROM ${rel} WHERE ${sqlIdent(column)} IS NOT NULL`;
  }

  /**
   * The rows of `unnested` (unnestSql) with the element's attributes parsed.
   * UNNEST in the select list, not a lateral join in FROM: measured 8×
   * faster on DuckDB 1.5.6.
   */
  private expandSql(unnested: string, columns: readonly string[]): string {
    const withAttrs = `SELECT *, json_transform(x.attributes, ${sqlString(ATTRIBUTE_LIST_STRUCTURE)}) AS __attrs FROM (${unnested})`;
    return `SELECT ${columns.join(', ')} FROM (${withAttrs})`;
  }
}
