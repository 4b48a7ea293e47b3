// Statement-level lock-down of user SQL. DuckDB parses the text (never binds
// or runs it here) and we accept exactly one read-only query: SELECT / WITH /
// VALUES / FROM / TABLE / PIVOT / DESCRIBE / SUMMARIZE, optionally under
// EXPLAIN [ANALYZE]. In its syntax tree every table it names must be one of
// our views or its own CTE, every table function one of a few that read no
// files, and no function may have side effects. The engine-level lock-down
// (src/engine/duckdb.ts) is the second wall behind this one.

import type { DuckDBConnection } from '@duckdb/node-api';
import { BadQueryError } from '../../model/errors.js';
import { keywordAt, peelExplain } from './leading-keywords.js';

export interface CheckedStatement {
  /** lower-cased names of the tables it reads that are not its own CTEs: the views to create */
  tables: Set<string>;
  explain: boolean;
  /**
   * lower-cased names of the columns it names (each part of a qualified
   * name); undefined when it reads columns by a star (`*`, `COLUMNS(…)`)
   */
  columns: Set<string> | undefined;
}

/** Table functions that read no file, no setting and no catalog. */
const ALLOWED_TABLE_FUNCTIONS = new Set(['range', 'generate_series', 'unnest', 'json_each', 'json_tree']);

/** Scalar functions with effects outside the query. */
const REFUSED_FUNCTIONS = new Set(['write_log', 'json_execute_serialized_sql', 'getenv']);

const ACCEPTED_TABLE_REFS = new Set(['BASE_TABLE', 'TABLE_FUNCTION', 'JOIN', 'SUBQUERY', 'EMPTY', 'EXPRESSION_LIST', 'PIVOT', 'SHOW_REF']);

/** First words of the statements accepted. */
const QUERY_WORDS = new Set(['SELECT', 'WITH', 'VALUES', 'FROM', 'TABLE', 'PIVOT', 'UNPIVOT', 'DESCRIBE', 'SUMMARIZE', 'SHOW', '(']);

const READ_ONLY = 'SQL here is read-only';
const WHY_REFUSED: Record<string, string> = {
  COPY: 'COPY reads or writes files; ask for format=csv to export a result',
  EXPORT: 'EXPORT DATABASE writes files',
  IMPORT: 'IMPORT DATABASE reads files',
  ATTACH: 'other databases cannot be attached',
  DETACH: 'databases cannot be detached',
  USE: 'the catalog cannot be switched',
  INSTALL: 'extensions cannot be installed',
  LOAD: 'extensions cannot be loaded',
  FORCE: 'extensions cannot be installed',
  SET: 'settings cannot be changed',
  RESET: 'settings cannot be changed',
  PRAGMA: 'pragmas change settings or read the catalog',
  CALL: 'CALL runs table functions; select from the views instead',
  CREATE: READ_ONLY,
  INSERT: READ_ONLY,
  UPDATE: READ_ONLY,
  DELETE: READ_ONLY,
  DROP: READ_ONLY,
  ALTER: READ_ONLY,
  TRUNCATE: READ_ONLY,
  MERGE: READ_ONLY,
  COMMENT: READ_ONLY,
  VACUUM: READ_ONLY,
  CHECKPOINT: READ_ONLY,
  ANALYZE: READ_ONLY,
  PREPARE: 'prepared statements are not supported',
  EXECUTE: 'prepared statements are not supported',
  DEALLOCATE: 'prepared statements are not supported',
  BEGIN: 'each request is its own read-only transaction',
  START: 'each request is its own read-only transaction',
  COMMIT: 'each request is its own read-only transaction',
  ROLLBACK: 'each request is its own read-only transaction',
  ABORT: 'each request is its own read-only transaction',
  END: 'each request is its own read-only transaction',
};

function refuse(what: string, why: string): never {
  throw new BadQueryError(`sql: ${what} is refused: ${why}`);
}

/**
 * Parses `sql` and returns the views it reads, or throws BadQueryError naming
 * what is refused. `isView(name)` tells which lower-cased names are views.
 */
export async function checkUserSql(conn: DuckDBConnection, sql: string, isView: (name: string) => boolean): Promise<CheckedStatement> {
  // Only the pure parser behind json_serialize_sql sees the text: DuckDB's
  // statement extraction (extractStatements, prepare) already expands
  // IMPORT DATABASE by reading files.
  const { explain, query } = peelExplain(sql);
  const word = keywordAt(query).word;
  if (word === '') throw new BadQueryError('sql: the query is empty');
  if (word === 'EXPLAIN') refuse('EXPLAIN of EXPLAIN', 'explain a query');
  const ast = await serialize(conn, query);
  if (!ast) {
    if (QUERY_WORDS.has(word)) refuse('a statement that is not a query', 'send exactly one read-only statement (a PIVOT without an IN list is several)');
    refuse(word, WHY_REFUSED[word] ?? 'only SELECT, WITH, VALUES, FROM, TABLE, PIVOT, DESCRIBE, SUMMARIZE and EXPLAIN of those are accepted');
  }
  const statements = ast['statements'] as unknown[];
  if (statements.length === 0) throw new BadQueryError('sql: the query is empty');
  if (statements.length > 1) refuse(`a request with ${statements.length} statements`, 'send exactly one statement');

  const cteNames = new Set<string>();
  const baseTables: string[] = [];
  walk(ast, cteNames, baseTables);
  const columns = columnsNamed(ast);
  const tables = new Set<string>();
  for (const name of baseTables) {
    if (isView(name)) tables.add(name);
    else if (!cteNames.has(name)) {
      throw new BadQueryError(`sql: unknown table "${name}": the views are spans, span_events, span_links and trace_id_set_<id>`);
    }
  }
  return { tables, explain, columns };
}

/**
 * The lower-cased column names a syntax tree names; undefined when it may
 * read columns it does not name: a star (`*`, `COLUMNS(…)`), DESCRIBE or
 * SUMMARIZE, PIVOT/UNPIVOT (the other columns group), a table's whole row
 * (its name or alias as a column).
 */
function columnsNamed(ast: unknown): Set<string> | undefined {
  const out = new Set<string>();
  const tableNames = new Set<string>();
  /** one-part names: a table's name or alias as one is its whole row */
  const whole = new Set<string>();
  let every = false;
  const visit = (node: unknown): void => {
    if (every || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    const o = node as Record<string, unknown>;
    if (o['class'] === 'STAR') every = true;
    if (o['class'] === 'COLUMN_REF') {
      const names = (o['column_names'] as unknown[] | undefined) ?? [];
      for (const name of names) out.add(lower(name));
      if (names.length === 1) whole.add(lower(names[0]));
    }
    if (isTableRef(o)) {
      if (o['type'] === 'SHOW_REF' || o['type'] === 'PIVOT') every = true;
      for (const key of ['alias', 'table_name']) if (typeof o[key] === 'string' && o[key] !== '') tableNames.add(lower(o[key]));
    }
    for (const value of Object.values(o)) visit(value);
  };
  visit(ast);
  if (every || [...tableNames].some((t) => whole.has(t))) return undefined;
  return out;
}

/** DuckDB's JSON syntax tree of a SELECT statement; undefined for any other statement. */
async function serialize(conn: DuckDBConnection, query: string): Promise<Record<string, unknown> | undefined> {
  const reader = await conn.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS ast', [query]);
  const ast = JSON.parse(String(reader.getRowObjects()[0]!['ast'])) as Record<string, unknown>;
  if (ast['error'] !== true) return ast;
  if (/only select statements/i.test(String(ast['error_message']))) return undefined;
  throw new BadQueryError(`sql: ${String(ast['error_message'])}`);
}

function isTableRef(o: Record<string, unknown>): boolean {
  return typeof o['type'] === 'string' && !('class' in o) && 'alias' in o && 'sample' in o;
}

function lower(v: unknown): string {
  return String(v ?? '').toLowerCase();
}

/** Checks every node of the tree; collects CTE names and the names of tables read. */
function walk(node: unknown, cteNames: Set<string>, baseTables: string[]): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, cteNames, baseTables);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;

  const cteMap = o['cte_map'] as { map?: { key: string }[] } | undefined;
  for (const entry of cteMap?.map ?? []) cteNames.add(lower(entry.key));

  if (isTableRef(o)) checkTableRef(o, baseTables);
  else if (typeof o['function_name'] === 'string' && REFUSED_FUNCTIONS.has(lower(o['function_name']))) {
    refuse(`function ${lower(o['function_name'])}()`, 'it has effects outside the query');
  }
  for (const value of Object.values(o)) walk(value, cteNames, baseTables);
}

function checkTableRef(o: Record<string, unknown>, baseTables: string[]): void {
  const type = o['type'] as string;
  if (!ACCEPTED_TABLE_REFS.has(type)) refuse(`a ${type.toLowerCase()} table reference`, 'read the views instead');
  if (type === 'BASE_TABLE') {
    if (o['schema_name'] || o['catalog_name']) {
      refuse(`table "${[o['catalog_name'], o['schema_name'], o['table_name']].filter(Boolean).join('.')}"`, 'name the views without a schema or catalog');
    }
    if (o['at_clause']) refuse('AT (time travel)', 'views have no history');
    const name = lower(o['table_name']);
    // A name that is not a plain identifier could be taken for a file path
    // (DuckDB's replacement scans read 'x.parquet' or '/etc/passwd').
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) refuse(`table "${o['table_name']}"`, 'files are read only through the views');
    baseTables.push(name);
  } else if (type === 'TABLE_FUNCTION') {
    const fn = (o['function'] as Record<string, unknown> | undefined) ?? {};
    const name = lower(fn['function_name']);
    if (!ALLOWED_TABLE_FUNCTIONS.has(name) || fn['schema'] || fn['catalog']) {
      refuse(`table function ${name}()`, `files and the catalog are read only through the views; table functions allowed: ${[...ALLOWED_TABLE_FUNCTIONS].join(', ')}`);
    }
  } else if (type === 'SHOW_REF') {
    const show = String(o['show_type']);
    if (o['query'] === null || o['query'] === undefined) {
      // SHOW TABLES, SHOW ALL TABLES, SHOW <name>: only a view's columns
      const name = lower(String(o['table_name'] ?? '').replace(/^"|"$/g, ''));
      if (show !== 'DESCRIBE' && show !== 'SHOW_UNQUALIFIED') refuse(`SHOW ${show.toLowerCase()}`, 'the views are documented in docs/sql.md');
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) refuse(`SHOW "${name}"`, 'describe one of the views');
      baseTables.push(name);
    } else if (show !== 'DESCRIBE' && show !== 'SUMMARY') {
      refuse(`SHOW ${show.toLowerCase()}`, 'only DESCRIBE and SUMMARIZE are accepted');
    }
  }
}
