// A log query (log-query.ts) as a SQL predicate over one file's columns.
// Files differ in their columns (schema on read): a condition on a column the
// file lacks reads it as NULL, so each file gets its own predicate.
//
// Field names resolve to columns: `service` → service_name, `severity` →
// severity_number, hot columns by name, anything else to the attribute and
// body-field columns of that name in every type the file has
// (`log.<f>`, `body.<f>`, `resource.<f>`, each as string, ::int, ::double,
// ::bool); a condition holds when any of them does. Text terms are checked
// as whole words (case-insensitive) in the searchable text columns, the same
// words the token index holds (src/parts/log-token-chunks.ts).

import { BadQueryError } from '../../model/errors.js';
import { sqlIdent, sqlString } from '../../engine/sql-quote.js';
import { ValueType } from '../../model/span-batch.js';
import { escapeAttributeKey } from '../../parts/schema.js';
import { logColumnRole } from './log-record.js';
import { MAX_TEMPLATE_NUMBER, TEMPLATE_SUFFIX, templateVariableColumns, textVariables } from '../../parts/log-text-template.js';
import { storedTextColumn } from '../../parts/log-part-projection.js';
import { SEVERITY_TEXT_COLUMN, SEVERITY_TEXT_SUFFIX } from '../../parts/log-severity-text.js';
import { dashPrefixFields } from '../../parts/log-dash-prefix.js';
import type { ValueTest } from '../part-pages.js';
import { severityNumber, type FieldCondition, type LogQuery, type TextTerm } from './log-query.js';

const NOT_WORD = '[^\\p{L}\\p{N}_]';

/** A text column full-text search reads: string or array bodies, record attributes and body fields, event names. */
export function isSearchableLogColumn(column: string): boolean {
  if (column === 'event_name') return true;
  const role = logColumnRole(column);
  if (!role || (role.type !== ValueType.String && role.type !== ValueType.Array)) return false;
  return role.role !== 'attribute' || role.owner === 'log';
}

const HOT_FIELDS: Record<string, { column: string; numeric: boolean }> = {
  service: { column: 'service_name', numeric: false },
  service_name: { column: 'service_name', numeric: false },
  'service.name': { column: 'service_name', numeric: false },
  stream: { column: 'stream', numeric: false },
  severity: { column: 'severity_number', numeric: true },
  level: { column: 'severity_number', numeric: true },
  severity_number: { column: 'severity_number', numeric: true },
  severity_text: { column: 'severity_text', numeric: false },
  event_name: { column: 'event_name', numeric: false },
  scope_name: { column: 'scope_name', numeric: false },
  scope_version: { column: 'scope_version', numeric: false },
  flags: { column: 'flags', numeric: true },
  time_unix_nano: { column: 'time_unix_nano', numeric: true },
  observed_time_unix_nano: { column: 'observed_time_unix_nano', numeric: true },
};

function comparison(column: string, op: FieldCondition['op'], literal: string): string {
  const c = sqlIdent(column);
  switch (op) {
    case '=~':
      return `regexp_full_match(CAST(${c} AS VARCHAR), ${literal})`;
    case '!~':
      return `NOT regexp_full_match(CAST(${c} AS VARCHAR), ${literal})`;
    default:
      return `${c} ${op === '!=' ? '<>' : op} ${literal}`;
  }
}

/**
 * A text column compared with `value`: where the file holds it as template +
 * variables, the rebuilt text is compared only in rows whose stored pieces
 * may hold it — the template holds the longest text between the value's
 * variables, and each of its variables (at most three tested) is in the
 * template or one of the variable columns (a part puts a variable of one
 * value back into its template: src/parts/log-text-template.ts) — so few
 * rows are rebuilt; other comparisons read the rebuilt text.
 */
function textComparison(column: string, op: FieldCondition['op'], value: string, columns: ReadonlySet<string>): string {
  const template = `${column}${TEMPLATE_SUFFIX}`;
  if ((op !== '=' && op !== '!=') || !columns.has(template)) return comparison(column, op, sqlString(value));
  const { variables, between } = textVariables(value);
  const longest = longestOf(between);
  const narrow = [
    ...(longest === '' ? [] : [`coalesce(contains(${sqlIdent(template)}, ${sqlString(longest)}), true)`]),
    ...[...variables]
      .sort((a, b) => b.length - a.length)
      .slice(0, 3)
      .map((v) => `(${sqlIdent(template)} IS NULL OR ${wordTestSql(column, v.toLowerCase(), columns)})`),
  ];
  const equal = [...narrow, `coalesce(${sqlIdent(column)} = ${sqlString(value)}, false)`].join(' AND ');
  return op === '=' ? `(${equal})` : `NOT (${equal})`;
}

function conditionSql(cond: FieldCondition, columns: ReadonlySet<string>): string {
  const has = (c: string): boolean => columns.has(c);
  const hot = HOT_FIELDS[cond.field];
  if (cond.field === 'trace_id' || cond.field === 'span_id') {
    const hex = String(cond.value).toLowerCase();
    if (!/^[0-9a-f]*$/.test(hex) || hex.length !== (cond.field === 'trace_id' ? 32 : 16)) {
      throw new BadQueryError(`logs: ${cond.field} "${cond.value}" must be ${cond.field === 'trace_id' ? 32 : 16} hex digits`);
    }
    if (cond.op !== '=' && cond.op !== '!=') throw new BadQueryError(`logs: ${cond.field} takes = or != only`);
    return `coalesce(${sqlIdent(cond.field)} ${cond.op === '=' ? '=' : '<>'} from_hex(${sqlString(hex)}), ${cond.op === '!='})`;
  }
  if (hot) {
    if (hot.numeric) {
      const n = hot.column === 'severity_number' ? severityNumber(cond.value) : Number(cond.value);
      if (!Number.isFinite(n) || cond.op === '=~' || cond.op === '!~') throw new BadQueryError(`logs: ${cond.field} ${cond.op} ${cond.value}: expected a number comparison`);
      return `coalesce(${comparison(hot.column, cond.op, String(n))}, false)`;
    }
    return `coalesce(${comparison(hot.column, cond.op, sqlString(String(cond.value)))}, ${cond.op === '!=' || cond.op === '!~'})`;
  }
  // Attribute / body field: every column of that name the file has, in any type.
  const prefixed = /^(log|body|resource|scope)\./.test(cond.field);
  const escaped = prefixed ? cond.field.replace(/^(\w+)\.(.*)$/, (_m, p: string, k: string) => `${p}.${p === 'body' ? k : escapeAttributeKey(k)}`) : undefined;
  const bases = escaped ? [escaped] : ['log', 'body', 'resource'].map((p) => `${p}.${escapeAttributeKey(cond.field)}`);
  const numeric = typeof cond.value === 'number' || /^-?\d+(\.\d+)?$/.test(String(cond.value));
  const parts: string[] = [];
  for (const base of bases) {
    // A number compares with the numeric forms; with the text form only for (in)equality.
    const textForm = !numeric || cond.op === '=' || cond.op === '!=' || cond.op === '=~' || cond.op === '!~';
    if (textForm && has(base)) parts.push(textComparison(base, cond.op, String(cond.value), columns));
    if (numeric && cond.op !== '=~' && cond.op !== '!~') {
      for (const suffix of ['::int', '::double']) if (has(base + suffix)) parts.push(comparison(base + suffix, cond.op, String(Number(cond.value))));
    }
    if (has(`${base}::bool`) && (cond.value === 'true' || cond.value === 'false') && (cond.op === '=' || cond.op === '!=')) {
      parts.push(comparison(`${base}::bool`, cond.op, String(cond.value)));
    }
  }
  const negative = cond.op === '!=' || cond.op === '!~';
  if (parts.length === 0) return negative ? 'TRUE' : 'FALSE';
  // `!=`: no column of the field equals the value (absent counts as not equal).
  if (negative) return parts.map((p) => `coalesce(${p}, true)`).join(' AND ');
  return `(${parts.map((p) => `coalesce(${p}, false)`).join(' OR ')})`;
}

/**
 * Text terms and regular expressions are checked against a record's text
 * fields joined into one string by this separator (U+001E): one RE2 pattern
 * per term and query, not one per column — compiling a pattern with Unicode
 * classes costs DuckDB ~9 ms, and it compiles each use. The separator is not
 * a word character, and a phrase does not run across it.
 */
const TEXT_SEPARATOR = 'chr(30)';
const PHRASE_GAP = '[^\\p{L}\\p{N}_\\x{1e}]+';

/** The record's searchable text, one SQL expression; '' when `textColumns` is empty. */
export function logTextSql(textColumns: readonly string[]): string {
  return textColumns.length === 0 ? "''" : `concat_ws(${TEXT_SEPARATOR}, ${textColumns.map(sqlIdent).join(', ')})`;
}

/** RE2 pattern of a term: its words as whole words, in a row. */
export function termPattern(term: TextTerm): string {
  return `(?i)(^|${NOT_WORD})${term.words.join(PHRASE_GAP)}($|${NOT_WORD})`;
}

/**
 * The same test as termPattern's in this process (JavaScript's case-insensitive
 * Unicode matching folds case as RE2's `(?i)` does): for a handful of rows it
 * costs nothing, where DuckDB spends ~30 ms CPU setting up a pattern with
 * Unicode classes in each query that uses it.
 */
export function termRegExp(term: TextTerm): RegExp {
  return new RegExp(`(^|${NOT_WORD})${term.words.join('[^\\p{L}\\p{N}_\\x1e]+')}($|${NOT_WORD})`, 'iu');
}

/** A predicate in two parts: `cheap` over the file's columns, `exact` over the record's text (logTextSql). */
export interface LogPredicate {
  /** the field conditions, then one test per word term (any of `termTests`' columns) */
  cheap: string[];
  /** the field conditions alone */
  conditions: string[];
  /** per word term (not negated): each text column's test of its longest word, `cheap`'s disjuncts */
  termTests: { column: string; sql: string }[][];
  exact(text: string): string[];
}

/**
 * `query` over a file with `columns`: field conditions and, for each word
 * term, a substring test of its longest word (cheap), then the terms as whole
 * words and the regular expressions (exact).
 */
export function logPredicate(query: LogQuery, columns: ReadonlySet<string>): LogPredicate {
  const textColumns = [...columns].filter(isSearchableLogColumn).sort();
  const conditions = query.conditions.map((c) => conditionSql(c, columns));
  const cheap = [...conditions];
  const termTests: LogPredicate['termTests'] = [];
  for (const t of query.terms) {
    if (t.negate) continue;
    // Column by column: half the time of one test over the joined text (no long string built for every row).
    const longest = longestOf(t.words);
    const tests = textColumns.map((column) => ({ column, sql: wordTestSql(column, longest, columns) }));
    termTests.push(tests);
    cheap.push(tests.length === 0 ? 'FALSE' : `(${tests.map((x) => x.sql).join(' OR ')})`);
  }
  return {
    cheap,
    conditions,
    termTests,
    exact: (x) => [
      ...query.terms.map((t) => `${t.negate ? 'NOT ' : ''}coalesce(regexp_matches(${x}, ${sqlString(termPattern(t))}), false)`),
      ...query.regexes.map((re) => `coalesce(regexp_matches(${x}, ${sqlString(re)}), false)`),
    ],
  };
}

/** A number as log parts take it out of a text into its template's numbers (src/parts/log-text-template.ts). */
function isTemplateNumber(word: string): boolean {
  return /^(0|[1-9][0-9]{0,9})$/.test(word) && Number(word) <= MAX_TEMPLATE_NUMBER;
}

/** The longest of `texts` (the first of equals): the cheapest test to narrow by. */
export function longestOf(texts: readonly string[]): string {
  return texts.reduce((a, b) => (b.length > a.length ? b : a));
}

/** A word log parts may take out of a text as an id (lower case: search words are). */
function isTemplateId(word: string): boolean {
  return /^[0-9a-f]*[0-9][0-9a-f]*$/.test(word);
}

/**
 * Whether `column`'s text may hold `word` (lower case), as a substring: a
 * test that is never false where the word is in the text, made over the
 * stored columns. A column stored as template + variables (search units keep
 * them: src/parts/log-part-projection.ts) holds each word of its text whole
 * in the template or as one of its variables, so no template is rebuilt here.
 */
function wordTestSql(column: string, word: string, columns: ReadonlySet<string>): string {
  const testSql = (t: ValueTest): string => ('number' in t ? `${sqlIdent(t.column)} = ${t.number}` : `contains(lower(${sqlIdent(t.column)}), ${sqlString(t.word)})`);
  return storedWordTests(column, word, columns, storedTextColumn(column))
    .map((t) => `coalesce(${testSql(t)}, false)`)
    .join(' OR ');
}

/**
 * The stored columns a word test of `column` reads: the column itself, or
 * its template, its text where the relation also holds it (`textColumn`:
 * the projection renames it, a file keeps its name), its numbers when the
 * word is one and its ids when the word may be one.
 */
function storedWordTests(column: string, word: string, columns: ReadonlySet<string>, textColumn: string): ValueTest[] {
  const template = `${column}${TEMPLATE_SUFFIX}`;
  if (!columns.has(template)) return [{ column, word }];
  const tests: ValueTest[] = [{ column: template, word }];
  if (columns.has(textColumn)) tests.push({ column: textColumn, word });
  const { numbers, ids } = templateVariableColumns(column, columns);
  if (isTemplateNumber(word)) for (const c of numbers) tests.push({ column: c, number: Number(word) });
  if (isTemplateId(word)) for (const c of ids) tests.push({ column: c, word });
  return tests;
}

/**
 * wordTestSql's test as tests of a file's stored columns (`fileColumns`),
 * for a search reading the pages itself (scanRows, src/query/part-pages.ts);
 * also `severity_text` for a field stored as it, and the source of a field
 * stored as its dash prefix.
 */
export function wordValueTests(column: string, word: string, fileColumns: ReadonlySet<string>): ValueTest[] {
  // a field stored as its record's severity text (src/parts/log-severity-text.ts): the text it is rebuilt from
  const severity: ValueTest[] = fileColumns.has(`${column}${SEVERITY_TEXT_SUFFIX}`) ? [{ column: SEVERITY_TEXT_COLUMN, word }] : [];
  // a field stored as another's text before its last '-' (src/parts/log-dash-prefix.ts): that text holds each of its words
  const dashPrefix: ValueTest[] = (dashPrefixFields(fileColumns).get(column) ?? []).map((source) => ({ column: source, word }));
  return [...severity, ...dashPrefix, ...storedWordTests(column, word, fileColumns, column)];
}

/** The predicate of `query` over a file with `columns` in one expression; 'TRUE' when the query has no filter. */
export function logPredicateSql(query: LogQuery, columns: ReadonlySet<string>): string {
  const p = logPredicate(query, columns);
  const parts = [...p.cheap, ...p.exact(logTextSql([...columns].filter(isSearchableLogColumn).sort()))];
  return parts.length === 0 ? 'TRUE' : parts.join(' AND ');
}

/** Services a query is limited to by `service = "x"` conditions; undefined = any. */
export function servicesOf(query: LogQuery): Set<string> | undefined {
  let out: Set<string> | undefined;
  for (const c of query.conditions) {
    const hot = HOT_FIELDS[c.field];
    if (hot?.column !== 'service_name' || c.op !== '=') continue;
    const v = String(c.value);
    out = out ? new Set([...out].filter((s) => s === v)) : new Set([v]);
  }
  return out;
}
