// How marquetry reads log parts: one projection puts back what a part stores
// in another form — the record time in ns from `time_unix_us`
// (log-time-micros.ts), text columns from their templates and numbers
// (log-text-template.ts), doubles from their decimals (log-decimal-double.ts),
// a field that is its record's severity text from `severity_text`
// (log-severity-text.ts), a field that is another's text before its last `-`
// from that field (log-dash-prefix.ts) — so every query, view and API sees
// the columns as they were ingested, and the hot columns a part left out
// for holding no value as typed NULLs and zeros (log-empty-columns.ts).

import { sqlIdent, sqlIdentifiersIn } from '../engine/sql-quote.js';
import { LOG_TIME_COLUMN } from './log-columns.js';
import { LOG_TIME_US_COLUMN, logicalLogColumns } from './log-time-micros.js';
import { TEMPLATE_SUFFIX, rebuildTemplate, templateRebuildSql, templateVariableColumns, templatedColumnOf } from './log-text-template.js';
import { MAX_DECIMAL_DIGITS, decimalColumnName, decimalRebuildSql, parseDecimalColumn } from './log-decimal-double.js';
import { omittedHotColumnsSql } from './log-empty-columns.js';
import { dashPrefixFields, dashPrefixFieldsOf, dashPrefixMarkerName, dashPrefixOf, dashPrefixRebuildSql } from './log-dash-prefix.js';
import { DERIVED_SEVERITY_NUMBER_COLUMN, SEVERITY_NUMBER_COLUMN, SEVERITY_TEXT_COLUMN, SEVERITY_TEXT_SUFFIX, derivedSeverityNumber, severityFieldOf, severityNumberRebuildSql, severityRebuildSql } from './log-severity-text.js';

/**
 * Where a file holds a text column both as text and as template + numbers
 * (a merge of parts written both ways), the search's projection also gives
 * the stored text under this name, so a cheap test reads it without
 * rebuilding the templated rows.
 */
export function storedTextColumn(column: string): string {
  return `${column}${TEMPLATE_SUFFIX}.text`;
}

/** Whether a column is a stored piece of another (a template, its numbers, decimals, a severity or dash-prefix marker): no field of a record. */
export function isStoredPiece(column: string): boolean {
  return (
    column.includes(TEMPLATE_SUFFIX) ||
    parseDecimalColumn(column) !== undefined ||
    severityFieldOf(column) !== undefined ||
    column === DERIVED_SEVERITY_NUMBER_COLUMN ||
    dashPrefixFieldsOf(column) !== undefined
  );
}

/** The body fields `columns` hold as their records' severity text. */
function severityFields(columns: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const c of columns) {
    const field = severityFieldOf(c);
    if (field !== undefined) out.push(field);
  }
  return out.sort();
}

/** The text columns `columns` hold as template + numbers. */
function templatedColumns(columns: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const c of columns) if (c.endsWith(TEMPLATE_SUFFIX)) out.push(templatedColumnOf(c)!);
  return out.sort();
}

/** The double columns `columns` hold as decimals. */
function decimalColumns(columns: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const c of columns) {
    const decimal = parseDecimalColumn(c);
    if (decimal) out.add(decimal.column);
  }
  return [...out].sort();
}

export interface LogPartProjectionOptions {
  /**
   * Keep the stored template and number columns (and storedTextColumn where
   * a file has both forms) beside the rebuilt text: log search's cheap tests
   * read them (src/query/logs/log-sql.ts). Views and exports leave it off.
   */
  keepStored?: boolean;
}

/** Each column the projection rebuilds: its name, its SQL (stored columns named through `ident`), whether it is text (kept stored for search). */
function projectionRebuilds(has: ReadonlySet<string>, ident: (c: string) => string): [string, string, boolean][] {
  return [
    ...templatedColumns(has).map((c): [string, string, boolean] => [c, templateRebuildSql(c, has, ident)!, true]),
    ...decimalColumns(has).map((c): [string, string, boolean] => [c, decimalRebuildSql(c, has, ident)!, false]),
    ...severityFields(has).map((c): [string, string, boolean] => [c, severityRebuildSql(c, has, ident), false]),
    ...(has.has(DERIVED_SEVERITY_NUMBER_COLUMN) ? [[SEVERITY_NUMBER_COLUMN, severityNumberRebuildSql(has, ident), false] as [string, string, boolean]] : []),
    ...[...dashPrefixFields(has)].map(([c, sources]): [string, string, boolean] => [c, dashPrefixRebuildSql(c, sources, has, ident), false]),
  ];
}

/**
 * For a file holding `columns`: the stored columns the projection reads to
 * give the columns `names` (each name itself where stored, and what a
 * rebuild of it reads): which unit columns a query needs joined back
 * (src/parts/log-unit-join.ts). The rebuilds are written once for any
 * number of calls.
 */
export function storedColumnsReader(columns: Iterable<string>): (names: Iterable<string>) => Set<string> {
  const has = new Set(columns);
  const reads = new Map<string, Set<string>>();
  for (const [column, rebuilt] of projectionRebuilds(has, sqlIdent)) reads.set(column, sqlIdentifiersIn(rebuilt));
  return (names) => storedColumnsOf(has, reads, names);
}

function storedColumnsOf(has: ReadonlySet<string>, reads: ReadonlyMap<string, Set<string>>, names: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const add = (name: string): void => {
    if (has.has(name)) out.add(name);
    for (const c of reads.get(name) ?? []) out.add(c);
  };
  for (const name of names) {
    add(name);
    if (name === LOG_TIME_COLUMN && has.has(LOG_TIME_US_COLUMN)) out.add(LOG_TIME_US_COLUMN);
    if (name.endsWith(`${TEMPLATE_SUFFIX}.text`)) add(name.slice(0, -`${TEMPLATE_SUFFIX}.text`.length));
  }
  return out;
}

/**
 * The select list that gives a relation holding `columns` (one file's, or a
 * union's) the ns time column and the text of templated columns; `*` when
 * it needs none.
 */
export function logPartProjectionSql(columns: Iterable<string>, options: LogPartProjectionOptions = {}): string {
  const has = new Set(columns);
  const leading: string[] = [];
  const exclude: string[] = [];
  const replace: string[] = [];
  const trailing: string[] = [];
  if (has.has(LOG_TIME_US_COLUMN)) {
    const fromUs = `${LOG_TIME_US_COLUMN} * 1000`;
    exclude.push(LOG_TIME_US_COLUMN);
    if (has.has(LOG_TIME_COLUMN)) replace.push(`coalesce(${LOG_TIME_COLUMN}, ${fromUs}) AS ${LOG_TIME_COLUMN}`);
    else leading.push(`${fromUs} AS ${LOG_TIME_COLUMN}`);
  }
  for (const [column, rebuilt, text] of projectionRebuilds(has, sqlIdent)) {
    if (has.has(column)) {
      replace.push(`${rebuilt} AS ${sqlIdent(column)}`);
      if (options.keepStored && text) trailing.push(`${sqlIdent(column)} AS ${sqlIdent(storedTextColumn(column))}`);
    } else {
      trailing.push(`${rebuilt} AS ${sqlIdent(column)}`);
    }
  }
  if (!options.keepStored) for (const c of has) if (isStoredPiece(c)) exclude.push(c);
  const omitted = omittedHotColumnsSql(has, sqlIdent);
  replace.push(...omitted.replace);
  trailing.push(...omitted.trailing);
  if (leading.length === 0 && exclude.length === 0 && replace.length === 0 && trailing.length === 0) return '*';
  const star = `*${exclude.length ? ` EXCLUDE (${exclude.map(sqlIdent).join(', ')})` : ''}${replace.length ? ` REPLACE (${replace.join(', ')})` : ''}`;
  return [...leading, star, ...trailing].join(', ');
}

/** `relation` (a read_parquet(…) of log files holding `columns`) as queries see it; itself when it needs no projection. */
export function withLogPartSql(relation: string, columns: Iterable<string>, options: LogPartProjectionOptions = {}): string {
  const projection = logPartProjectionSql(columns, options);
  return projection === '*' ? relation : `(SELECT ${projection} FROM ${relation})`;
}

/**
 * A file's columns as log search sees them through withLogPartSql with
 * keepStored: the ns time column, the templated text columns by their
 * names, their stored pieces kept (and storedTextColumn where the file has
 * both forms).
 */
export function searchLogColumns(fileColumns: readonly string[]): Set<string> {
  const out = new Set(logicalLogColumns(fileColumns));
  for (const column of templatedColumns(out)) {
    if (out.has(column)) out.add(storedTextColumn(column));
    out.add(column);
  }
  for (const column of decimalColumns(out)) out.add(column);
  for (const column of severityFields(out)) out.add(column);
  if (out.has(DERIVED_SEVERITY_NUMBER_COLUMN)) out.add(SEVERITY_NUMBER_COLUMN);
  for (const column of dashPrefixFields(out).keys()) out.add(column);
  return out;
}

/**
 * What logPartProjectionSql gives, for rows read from a file holding
 * `fileColumns` without DuckDB (src/query/part-pages.ts: null columns left
 * out): the ns time, templated text, decimal doubles, severity and
 * dash-prefix fields rebuilt, their stored pieces dropped. The same values as DuckDB's `replace` and
 * `CAST(… AS DOUBLE) / 10^d` give.
 */
export function logRowProjection(fileColumns: readonly string[]): (stored: Record<string, unknown>) => Record<string, unknown> {
  const has = new Set(fileColumns);
  const fromUs = has.has(LOG_TIME_US_COLUMN);
  const texts = templatedColumns(has).map((column) => ({ column, template: `${column}${TEMPLATE_SUFFIX}`, ...templateVariableColumns(column, has) }));
  const doubles = decimalColumns(has).map((column) => {
    const forms: { stored: string; scale: number }[] = [];
    for (let d = 0; d <= MAX_DECIMAL_DIGITS; d++) if (has.has(decimalColumnName(column, d))) forms.push({ stored: decimalColumnName(column, d), scale: 10 ** d });
    return { column, forms };
  });
  const severities = severityFields(has).map((column) => ({ column, marker: `${column}${SEVERITY_TEXT_SUFFIX}` }));
  const derivedNumbers = has.has(DERIVED_SEVERITY_NUMBER_COLUMN);
  const dashPrefixes = [...dashPrefixFields(has)].flatMap(([column, sources]) => sources.map((source) => ({ column, source, marker: dashPrefixMarkerName(column, source) })));
  const pieces = fileColumns.filter((c) => isStoredPiece(c) || c === LOG_TIME_US_COLUMN);
  return (stored) => {
    const row: Record<string, unknown> = { ...stored };
    if (fromUs && row[LOG_TIME_COLUMN] == null && row[LOG_TIME_US_COLUMN] != null) row[LOG_TIME_COLUMN] = BigInt(row[LOG_TIME_US_COLUMN] as bigint) * 1000n;
    for (const t of texts) {
      if (row[t.column] != null) continue;
      const template = row[t.template] as string | null | undefined;
      if (template == null) continue;
      row[t.column] = rebuildTemplate(
        template,
        t.numbers.map((c) => (row[c] as number | null | undefined) ?? null),
        t.ids.map((c) => (row[c] as string | null | undefined) ?? null),
      );
    }
    for (const d of doubles) {
      if (row[d.column] != null) continue;
      for (const f of d.forms) {
        const n = row[f.stored] as number | null | undefined;
        if (n == null) continue;
        row[d.column] = n / f.scale;
        break;
      }
    }
    for (const f of severities) if (row[f.column] == null && row[f.marker] === true) row[f.column] = row[SEVERITY_TEXT_COLUMN] ?? null;
    for (const f of dashPrefixes) if (row[f.column] == null && row[f.marker] === true) row[f.column] = dashPrefixOf(row[f.source]);
    if (derivedNumbers && row[SEVERITY_NUMBER_COLUMN] == null && row[DERIVED_SEVERITY_NUMBER_COLUMN] === true) row[SEVERITY_NUMBER_COLUMN] = derivedSeverityNumber(row[SEVERITY_TEXT_COLUMN]);
    for (const c of pieces) delete row[c];
    return row;
  };
}
