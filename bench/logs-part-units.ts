// A log part's per-request fields stored once per unit of work (docs/storage.md,
// "Session 15: a log part's per-request fields once per unit — measured
// design"): a part rewritten with our writer (the flush's options) in "units"
// forms, their bytes, and what DuckDB and the page reader pay to put the unit
// values back on each line.
//
// Units are the runs of the correlation column (`body.req_id` in the bench;
// a flush knows them from its own grouping, groupedByKey in
// src/parts/log-token-chunks.ts), cut at row group boundaries so a row
// group's lines find their units in the same row group. A per-request (unit)
// column is any column whose value (null included) is the same on every row
// of every unit, and not the same on every row of the part. Forms:
// - current: every column one value a line (the part rewritten as it is);
// - same file: each unit column holds, in row group g, the values of g's
//   units in g's first rows (null after); each line names its unit's row
//   (`__unit_row`: the file row, int64; or its index within the row group,
//   int32), or each unit row holds its line count (`__unit_lines`);
// - two files: the lines (other columns + `__unit`, the unit's index in the
//   file) and a units file of one row per unit.
//
//   node --import tsx bench/logs-part-units.ts bytes <part.parquet>
//   [POSITIONAL=1] [LIST=1] node --import tsx bench/logs-part-units.ts read <rounds> <part.parquet>...
//
// `bytes` prints B/record of each form and of each line → unit column alone.
// `read` writes the forms of the parts to a temporary folder, checks that
// every form answers each query as the current form does, then prints the
// process CPU ms (best / median of the rounds; every query of every form once
// a round, the order reversed every other round) of DuckDB (one thread)
// putting the unit values back — a join on the unit row (the whole file or
// its unit rows the build side), the views' one read_parquet joined on (file
// name, row), a positional join (POSITIONAL=1), per-file lists (LIST=1) —
// and of the unit rows alone where a count needs no line; and of the page
// reader fetching 100 rows.
// Parts: `FLUSH=1 KEEP_PART=<path> node dist/bench/logs-ingest-profile.js
// 1000000 1`, or those of `node dist/bench/keep-logs-data.js <dir> 1000000`.

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadZstd } from '../src/parts/parquet/zstd.js';
import { ParquetColumnFileWriter, type ColumnFileOptions } from '../src/parts/parquet/writer.js';
import type { ParquetColumn } from '../src/parts/parquet/columns.js';
import { LOG_PART_ENCODING } from '../src/store/log-store.js';
import { TOKEN_CHUNK_ROWS } from '../src/parts/token-index.js';
import { Engine, sqlString } from '../src/engine/duckdb.js';
import { sqlIdent } from '../src/engine/sql-quote.js';
import { withLogPartSql } from '../src/parts/log-part-projection.js';
import { PartPagesCache, readRowsAt } from '../src/query/part-pages.js';
import { allColumnsOf } from './log-part-columns.js';

/** The flush's options for log parts (src/store/log-store.ts). */
const FLUSH_OPTIONS: ColumnFileOptions = { ...LOG_PART_ENCODING, rowGroupRows: TOKEN_CHUNK_ROWS };
const KEY = 'body.req_id';
const UNIT_ROW = '__unit_row';
const UNIT = '__unit';
const UNIT_LINES = '__unit_lines';

/** Units of a part: each unit's first row, cut at row group boundaries; a row without a key is a unit by itself. */
function unitFirstRows(key: ParquetColumn, rows: number, groupRows: number): Int32Array {
  if (key.kind !== 'string') throw new Error(`logs-part-units: ${key.name} is ${key.kind}`);
  const firsts: number[] = [];
  for (let i = 0; i < rows; i++) {
    const v = key.values[i];
    if (i % groupRows === 0 || v === undefined || v !== key.values[i - 1]) firsts.push(i);
  }
  return Int32Array.from(firsts);
}

/** Whether row i of `column` equals row i - 1 (null equal to null). */
function sameAsPrevious(column: ParquetColumn, i: number): boolean {
  if (column.kind === 'string') return column.values[i] === column.values[i - 1];
  if (column.kind === 'string-entries' || column.kind === 'fixed16' || column.kind === 'fixed8') return false;
  const nulls = column.nulls;
  if (nulls && nulls[i] !== nulls[i - 1]) return false;
  if (nulls?.[i]) return true;
  return column.values[i] === column.values[i - 1];
}

/**
 * Columns (other than those named in `keep`) constant over every unit's rows
 * but not over the whole part (a constant column costs nothing either way).
 */
function perUnitColumns(columns: readonly ParquetColumn[], isFirst: Uint8Array, rows: number, keep: ReadonlySet<string>): ParquetColumn[] {
  return columns.filter((c) => {
    if (keep.has(c.name)) return false;
    let varies = false;
    for (let i = 1; i < rows; i++) {
      if (sameAsPrevious(c, i)) continue;
      if (!isFirst[i]) return false;
      varies = true;
    }
    return varies;
  });
}

/** A column of `count` rows: row to[k] holds row from[k] of `column`, the others null. */
export function placed(column: ParquetColumn, from: Int32Array, to: Int32Array, count: number): ParquetColumn {
  const nulls = new Uint8Array(count).fill(1);
  const has = (i: number): boolean => !('nulls' in column && column.nulls?.[i]);
  for (let k = 0; k < from.length; k++) nulls[to[k]!] = has(from[k]!) ? 0 : 1;
  switch (column.kind) {
    case 'string': {
      const values: (string | undefined)[] = new Array<string | undefined>(count).fill(undefined);
      for (let k = 0; k < from.length; k++) values[to[k]!] = column.values[from[k]!];
      return { name: column.name, kind: 'string', values };
    }
    case 'int64': {
      const values = new BigInt64Array(count);
      for (let k = 0; k < from.length; k++) values[to[k]!] = column.values[from[k]!]!;
      return { name: column.name, kind: 'int64', values, nulls };
    }
    case 'int32':
    case 'double':
    case 'boolean': {
      const values = column.kind === 'int32' ? new Int32Array(count) : column.kind === 'double' ? new Float64Array(count) : new Uint8Array(count);
      for (let k = 0; k < from.length; k++) values[to[k]!] = Number(column.values[from[k]!]);
      return { name: column.name, kind: column.kind, values, nulls } as ParquetColumn;
    }
    default:
      throw new Error(`logs-part-units: ${column.name} is ${column.kind}`);
  }
}

/** The units of a part and where each form puts them. */
export interface Units {
  rows: number;
  /** first row of each unit */
  firsts: Int32Array;
  /** unit of each row */
  unitOf: Int32Array;
  /** same-file form: the file row holding unit u's values (row group g's units in g's first rows) */
  unitRow: Int32Array;
  perUnit: ParquetColumn[];
  lines: ParquetColumn[];
}

export function unitsOf(columns: readonly ParquetColumn[], rows: number): Units {
  const groupRows = FLUSH_OPTIONS.rowGroupRows!;
  const key = columns.find((c) => c.name === KEY);
  if (!key) throw new Error(`logs-part-units: the part has no ${KEY}`);
  const firsts = unitFirstRows(key, rows, groupRows);
  const isFirst = new Uint8Array(rows);
  for (const f of firsts) isFirst[f] = 1;
  const unitOf = new Int32Array(rows);
  for (let i = 0, u = -1; i < rows; i++) unitOf[i] = isFirst[i] ? ++u : u;
  const unitRow = new Int32Array(firsts.length);
  for (let u = 0, g = -1, k = 0; u < firsts.length; u++) {
    const group = Math.floor(firsts[u]! / groupRows);
    if (group !== g) [g, k] = [group, 0];
    unitRow[u] = g * groupRows + k++;
  }
  // service_name: the part's first sort key, runs of a row group or more, and the token index's service ranges
  const perUnit = perUnitColumns(columns, isFirst, rows, new Set(['time_unix_us', 'time_unix_nano', 'service_name']));
  const moved = new Set(perUnit.map((c) => c.name));
  return { rows, firsts, unitOf, unitRow, perUnit, lines: columns.filter((c) => !moved.has(c.name)) };
}

/** Same-file form: on each unit's row, how many lines it has (null on the other rows). */
function unitLinesColumn(u: Units): ParquetColumn {
  const lines = new Int32Array(u.rows);
  const nulls = new Uint8Array(u.rows).fill(1);
  for (let k = 0; k < u.firsts.length; k++) {
    lines[u.unitRow[k]!] = (u.firsts[k + 1] ?? u.rows) - u.firsts[k]!;
    nulls[u.unitRow[k]!] = 0;
  }
  return { name: UNIT_LINES, kind: 'int32', values: lines, nulls };
}

/** Line → unit columns: the unit's file row (int64), its index in the row group (int32), its index in the file (int32, int64). */
export function unitColumns(u: Units): { fileRow: ParquetColumn; groupIndex: ParquetColumn; index32: ParquetColumn; index64: ParquetColumn } {
  const groupRows = FLUSH_OPTIONS.rowGroupRows!;
  const fileRow = new BigInt64Array(u.rows);
  const groupIndex = new Int32Array(u.rows);
  const index64 = new BigInt64Array(u.rows);
  for (let i = 0; i < u.rows; i++) {
    const row = u.unitRow[u.unitOf[i]!]!;
    fileRow[i] = BigInt(row);
    groupIndex[i] = row % groupRows;
    index64[i] = BigInt(u.unitOf[i]!);
  }
  return {
    fileRow: { name: UNIT_ROW, kind: 'int64', values: fileRow },
    groupIndex: { name: UNIT_ROW, kind: 'int32', values: groupIndex },
    index32: { name: UNIT, kind: 'int32', values: u.unitOf },
    index64: { name: UNIT, kind: 'int64', values: index64 },
  };
}

function writeFile(path: string, rows: number, columns: readonly ParquetColumn[], options: ColumnFileOptions = FLUSH_OPTIONS): number {
  const writer = new ParquetColumnFileWriter(path, rows, options);
  for (const c of columns) writer.add(c);
  return writer.finish();
}

/** The forms' files of one part under `dir` (`<form>-<name>.parquet`), and their bytes. */
function writeForms(dir: string, name: string, columns: readonly ParquetColumn[], rows: number): Record<string, number> {
  const u = unitsOf(columns, rows);
  const ids = Int32Array.from({ length: u.firsts.length }, (_, k) => k);
  const aligned = u.perUnit.map((c) => placed(c, u.firsts, u.unitRow, rows));
  const packed = u.perUnit.map((c) => placed(c, u.firsts, ids, u.firsts.length));
  const link = unitColumns(u);
  const path = (form: string): string => join(dir, `${form}-${name}.parquet`);
  return {
    current: writeFile(path('current'), rows, columns),
    sameFileRow: writeFile(join(dir, 'scratch.parquet'), rows, [...u.lines, ...aligned, link.fileRow]),
    sameGroupIndex: writeFile(join(dir, 'scratch.parquet'), rows, [...u.lines, ...aligned, link.groupIndex]),
    sameUnitLines: writeFile(join(dir, 'scratch.parquet'), rows, [...u.lines, ...aligned, unitLinesColumn(u)]),
    // what the read side reads: both ways to find a line's unit
    sameBoth: writeFile(path('same'), rows, [...u.lines, ...aligned, link.fileRow, unitLinesColumn(u)]),
    linesIndex32: writeFile(path('lines'), rows, [...u.lines, link.index32]),
    units: writeFile(path('units'), u.firsts.length, packed),
  };
}

async function bytes(part: string): Promise<void> {
  const { columns, rows } = await allColumnsOf(part);
  const dir = await mkdtemp(join(tmpdir(), 'marquetry-units-'));
  try {
    const u = unitsOf(columns, rows);
    const b = writeForms(dir, 'p', columns, rows);
    // each line → unit column alone: a file of it less a file of one all-null column
    const empty = writeFile(join(dir, 'empty.parquet'), rows, [{ name: 'empty', kind: 'int32', values: new Int32Array(rows), nulls: new Uint8Array(rows).fill(1) }]);
    const link = unitColumns(u);
    const alone = (c: ParquetColumn): number => round((writeFile(join(dir, 'one.parquet'), rows, [c]) - empty) / rows);
    const per = (n: number): number => round(n / rows);
    console.log(
      JSON.stringify(
        {
          part,
          partBytesPerRecord: per((await stat(part)).size),
          rows,
          units: u.firsts.length,
          linesPerUnit: round(rows / u.firsts.length),
          perUnitColumns: u.perUnit.map((c) => c.name),
          bytesPerRecord: {
            current: per(b['current']!),
            sameFile: { unitFileRowInt64: per(b['sameFileRow']!), unitIndexInRowGroupInt32: per(b['sameGroupIndex']!), unitLinesOnUnitRows: per(b['sameUnitLines']!) },
            twoFiles: { lines: per(b['linesIndex32']!), units: per(b['units']!), sum: per(b['linesIndex32']! + b['units']!) },
          },
          lineToUnitColumnAlone: {
            fileRowInt64: alone(link.fileRow),
            indexInRowGroupInt32: alone(link.groupIndex),
            indexInFileInt32: alone(link.index32),
            indexInFileInt64: alone(link.index64),
            unitLinesOnUnitRows: alone(unitLinesColumn(u)),
          },
        },
        null,
        1,
      ),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One stored form of the dataset: per file, the relation its queries read (file_row_number kept, the projection applied). */
interface Form {
  name: string;
  relations: string[];
  /** rows `rows` of file f, every column */
  fetch(f: number, rows: readonly number[]): string;
}

const fileRows = (path: string): string => `read_parquet(${sqlString(path)}, file_row_number = true, hive_partitioning = false)`;

function currentForm(paths: readonly string[], columns: readonly string[][]): Form {
  const relations = paths.map((p, f) => withLogPartSql(fileRows(p), columns[f]!));
  return { name: 'current', relations, fetch: (f, rows) => `SELECT * FROM ${relations[f]} WHERE file_row_number IN (${rows.join(', ')})` };
}

/**
 * Unit values put back by a join on the unit's row: `units(f)` the relation of
 * file f's unit rows (`__u` their number), `link` the line's column naming
 * it, `drop` the line relation's columns the join replaces or leaves out.
 */
function joinedForm(name: string, lines: readonly string[], units: (f: number) => string, link: string, drop: readonly string[], perUnit: readonly string[], columns: readonly string[][]): Form {
  const back = perUnit.map((c) => `u.${sqlIdent(c)}`).join(', ');
  const stored = (f: number, where = ''): string =>
    `(SELECT l.* EXCLUDE (${drop.map(sqlIdent).join(', ')}), ${back} FROM ${fileRows(lines[f]!)} l JOIN ${units(f)} u ON l.${sqlIdent(link)} = u.__u${where})`;
  const relations = lines.map((_, f) => withLogPartSql(stored(f), columns[f]!));
  return {
    name,
    relations,
    fetch: (f, rows) => `SELECT * FROM ${withLogPartSql(stored(f, ` WHERE l.file_row_number IN (${rows.join(', ')})`), columns[f]!)}`,
  };
}

/**
 * Same file, no join: the unit rows (`__unit_lines` not null) each repeated
 * for its lines (unnest(range(n))), beside the file's rows by position —
 * row group g's units cover g's rows in order. Filters apply after it.
 */
function positionalForm(path: readonly string[], perUnit: readonly string[], columns: readonly string[][]): Form {
  const cols = perUnit.map(sqlIdent).join(', ');
  const stored = (f: number): string =>
    `(SELECT * FROM (SELECT * EXCLUDE (${[UNIT_ROW, UNIT_LINES, ...perUnit].map(sqlIdent).join(', ')}) FROM ${fileRows(path[f]!)}) POSITIONAL JOIN (SELECT ${cols} FROM (SELECT ${cols}, unnest(range(${UNIT_LINES})) FROM ${fileRows(path[f]!)} WHERE ${UNIT_LINES} IS NOT NULL)))`;
  const relations = path.map((_, f) => withLogPartSql(stored(f), columns[f]!));
  return { name: 'same file, positional', relations, fetch: (f, rows) => `SELECT * FROM ${relations[f]} WHERE file_row_number IN (${rows.join(', ')})` };
}

/**
 * The log views' way (src/query/sql/log-views.ts): every file in one
 * read_parquet; in units form, unit values joined on (file name, unit row).
 */
function viewForm(name: string, paths: readonly string[], perUnit: readonly string[] | undefined, columns: readonly string[][]): Form {
  const all = `read_parquet([${paths.map(sqlString).join(', ')}], union_by_name = true, filename = true, file_row_number = true, hive_partitioning = false)`;
  const drop = perUnit ? [UNIT_ROW, UNIT_LINES, ...perUnit] : [];
  const stored = perUnit
    ? `(SELECT l.* EXCLUDE (${drop.map(sqlIdent).join(', ')}), ${perUnit.map((c) => `u.${sqlIdent(c)}`).join(', ')} FROM ${all} l JOIN (SELECT filename, file_row_number, ${perUnit.map(sqlIdent).join(', ')} FROM ${all} WHERE ${UNIT_LINES} IS NOT NULL) u ON l.filename = u.filename AND l.${UNIT_ROW} = u.file_row_number)`
    : all;
  const relation = `(SELECT * EXCLUDE (filename) FROM ${withLogPartSql(stored, columns.flat())})`;
  return {
    name,
    relations: [relation],
    fetch: (f, rows) => `SELECT * EXCLUDE (filename) FROM ${withLogPartSql(stored, columns.flat())} WHERE filename = ${sqlString(paths[f]!)} AND file_row_number IN (${rows.join(', ')})`,
  };
}

/** Unit values put back by indexing per-file lists of them (`list[unit + 1]`). */
function listForm(name: string, lines: readonly string[], unitsFile: readonly string[], perUnit: readonly string[], columns: readonly string[][]): Form {
  const lists = (f: number): string => `(SELECT ${perUnit.map((c) => `list(${sqlIdent(c)} ORDER BY file_row_number) AS ${sqlIdent(c)}`).join(', ')} FROM ${fileRows(unitsFile[f]!)})`;
  const stored = (f: number, where = ''): string =>
    `(SELECT l.* EXCLUDE (${UNIT}), ${perUnit.map((c) => `u.${sqlIdent(c)}[l.${UNIT} + 1] AS ${sqlIdent(c)}`).join(', ')} FROM ${fileRows(lines[f]!)} l, ${lists(f)} u${where})`;
  const relations = lines.map((_, f) => withLogPartSql(stored(f), columns[f]!));
  return { name, relations, fetch: (f, rows) => `SELECT * FROM ${withLogPartSql(stored(f, ` WHERE l.file_row_number IN (${rows.join(', ')})`), columns[f]!)}` };
}

async function read(rounds: number, parts: readonly string[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'marquetry-units-read-'));
  const engine = await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '2GB' });
  try {
    const columns: string[][] = [];
    let perUnit: string[] | undefined;
    let records = 0;
    const hitsPerFile: number[][] = [];
    for (let f = 0; f < parts.length; f++) {
      const { columns: cs, rows } = await allColumnsOf(parts[f]!);
      records += rows;
      writeForms(dir, String(f), cs, rows);
      const names = unitsOf(cs, rows).perUnit.map((c) => c.name);
      if (perUnit && names.join() !== perUnit.join()) throw new Error(`logs-part-units: part ${f} has other per-request columns (${names.join()})`);
      perUnit = names;
      columns.push(cs.map((c) => c.name));
      // 100 rows a fetch, spread over the files: 100 / files of each, evenly apart
      const take = Math.ceil(100 / parts.length);
      hitsPerFile.push(Array.from({ length: take }, (_, k) => Math.floor(((k + 0.5) * rows) / take)));
    }
    const path = (form: string, f: number): string => join(dir, `${form}-${f}.parquet`);
    const files = parts.map((_, f) => f);
    const current = currentForm(
      files.map((f) => path('current', f)),
      columns,
    );
    const pu = perUnit!;
    const unitRows = (file: string, where = ''): string => `(SELECT file_row_number AS __u, ${pu.map(sqlIdent).join(', ')} FROM ${fileRows(file)}${where})`;
    const same = files.map((f) => path('same', f));
    const sameDrop = [UNIT_ROW, UNIT_LINES, ...pu];
    const forms: Form[] = [
      current,
      joinedForm('same file, join on file row (all rows)', same, (f) => unitRows(same[f]!), UNIT_ROW, sameDrop, pu, columns),
      joinedForm('same file, join on file row (unit rows)', same, (f) => unitRows(same[f]!, ` WHERE ${UNIT_LINES} IS NOT NULL`), UNIT_ROW, sameDrop, pu, columns),
      // measured in session 15 (above the joins' CPU, and its order rests on DuckDB's pipelines): POSITIONAL=1 to see it again
      ...(process.env['POSITIONAL'] === '1' ? [positionalForm(same, pu, columns)] : []),
      joinedForm('two files, join on unit', files.map((f) => path('lines', f)), (f) => unitRows(path('units', f)), UNIT, [UNIT], pu, columns),
      viewForm('view: current, one read_parquet', files.map((f) => path('current', f)), undefined, columns),
      viewForm('view: same file, join on (file name, file row)', same, pu, columns),
      // measured once (2-6 x the join's CPU): LIST=1 to see it again
      ...(process.env['LIST'] === '1' ? [listForm('two files, list[unit + 1]', files.map((f) => path('lines', f)), files.map((f) => path('units', f)), pu, columns)] : []),
    ];
    // aggregations that read the unit rows alone (same file: each with its line count)
    const unitsOnly: Form = { name: 'same file, unit rows alone (sum of __unit_lines)', relations: same.map((p, f) => withLogPartSql(`(SELECT * FROM ${fileRows(p)} WHERE ${UNIT_LINES} IS NOT NULL)`, [...columns[f]!, UNIT_LINES])), fetch: () => '' };
    const union = (form: Form, select: (r: string) => string): string => form.relations.map((r) => select(r)).join(' UNION ALL BY NAME ');
    const queries: Record<string, (form: Form) => string> = {
      'a. count service = cart': (form) => `SELECT count(*) AS n FROM (${union(form, (r) => `SELECT 1 FROM ${r} WHERE "body.service" = 'cart'`)})`,
      'a. service = cart, newest 100': (form) => `SELECT * FROM (${union(form, (r) => `SELECT * FROM ${r} WHERE "body.service" = 'cart'`)}) ORDER BY time_unix_nano DESC LIMIT 100`,
      'a. find step: time and row of service = cart, newest 100': (form) =>
        `SELECT * FROM (${union(form, (r) => `SELECT time_unix_nano, file_row_number FROM ${r} WHERE "body.service" = 'cart'`)}) ORDER BY time_unix_nano DESC, file_row_number LIMIT 100`,
      // a field stored as it is (body.service is a marker beside body.host: its filter needs the line's marker too)
      'e. count path = /api/login': (form) => `SELECT count(*) AS n FROM (${union(form, (r) => `SELECT 1 FROM ${r} WHERE "body.http.path" = '/api/login'`)})`,
      'e. find step: time and row of path = /api/login, newest 100': (form) =>
        `SELECT * FROM (${union(form, (r) => `SELECT time_unix_nano, file_row_number FROM ${r} WHERE "body.http.path" = '/api/login'`)}) ORDER BY time_unix_nano DESC, file_row_number LIMIT 100`,
      'b. msg holds timeout, newest 100': (form) => `SELECT * FROM (${union(form, (r) => `SELECT * FROM ${r} WHERE contains(lower("body.msg"), 'timeout')`)}) ORDER BY time_unix_nano DESC LIMIT 100`,
      'c. fetch 100 rows by file row': (form) => files.map((f) => form.fetch(f, hitsPerFile[f]!)).join(' UNION ALL BY NAME '),
      'd. count by host': (form) => `SELECT "body.host", count(*) AS n FROM (${union(form, (r) => `SELECT "body.host" FROM ${r}`)}) GROUP BY 1 ORDER BY 1`,
    };
    const unitQueries: Record<string, (form: Form) => string> = {
      'a. count service = cart': (form) => `SELECT sum(n)::BIGINT AS n FROM (${union(form, (r) => `SELECT ${UNIT_LINES} AS n FROM ${r} WHERE "body.service" = 'cart'`)})`,
      'e. count path = /api/login': (form) => `SELECT sum(n)::BIGINT AS n FROM (${union(form, (r) => `SELECT ${UNIT_LINES} AS n FROM ${r} WHERE "body.http.path" = '/api/login'`)})`,
      'd. count by host': (form) => `SELECT "body.host", sum(n)::BIGINT AS n FROM (${union(form, (r) => `SELECT "body.host", ${UNIT_LINES} AS n FROM ${r}`)}) GROUP BY 1 ORDER BY 1`,
    };
    const runs: { q: string; form: Form; sql: string }[] = [
      ...Object.entries(queries).flatMap(([q, sql]) => forms.map((form) => ({ q, form, sql: sql(form) }))),
      ...Object.entries(unitQueries).map(([q, sql]) => ({ q, form: unitsOnly, sql: sql(unitsOnly) })),
    ];
    // the forms must give the same answers as the current form
    const wants = new Map<string, string>();
    for (const [q, sql] of Object.entries(queries)) wants.set(q, canonical(await engine.all(sql(current))));
    for (const run of runs) if (canonical(await engine.all(run.sql)) !== wants.get(run.q)) throw new Error(`logs-part-units: ${run.form.name} answers ${run.q} otherwise`);
    const times = new Map<string, number[]>();
    for (let r = 0; r < rounds; r++) {
      // every query of every form once a round, the order reversed every other round
      for (const run of r % 2 === 0 ? runs : [...runs].reverse()) {
        const t = cpuMs();
        await engine.all(run.sql);
        const key = `${run.q} | ${run.form.name}`;
        times.set(key, [...(times.get(key) ?? []), cpuMs() - t]);
      }
    }
    const pages = await pageReads(rounds, files.map((f) => path('current', f)), same, hitsPerFile);
    const table: Record<string, Record<string, string>> = {};
    for (const [key, ms] of [...times, ...pages]) {
      const [q, form] = key.split(' | ') as [string, string];
      const sorted = [...ms].sort((a, b) => a - b);
      (table[q] ??= {})[form] = `${Math.round(sorted[0]!)} / ${Math.round(sorted[sorted.length >> 1]!)}`;
    }
    console.log(JSON.stringify({ records, files: parts.length, rounds, perUnitColumns: pu, cpuMsBestMedian: table }, null, 1));
  } finally {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The page reader's fetch (readRowsAt, as log search's fetch): the current
 * form's rows, against the same-file form's rows then their unit rows (a
 * second read of the same row groups, every column).
 */
async function pageReads(rounds: number, current: readonly string[], same: readonly string[], hits: readonly number[][]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  const cache = new PartPagesCache();
  const readCurrent = async (): Promise<void> => {
    for (let f = 0; f < current.length; f++) await readRowsAt(cache.get(current[f]!), hits[f]!);
  };
  const readSame = async (): Promise<void> => {
    for (let f = 0; f < same.length; f++) {
      const lines = await readRowsAt(cache.get(same[f]!), hits[f]!);
      const unitRows = [...new Set(lines.map((l) => Number(l[UNIT_ROW])))].sort((a, b) => a - b);
      await readRowsAt(cache.get(same[f]!), unitRows);
    }
  };
  // the same file's lines alone: every leaf decoded at the 100 rows once, what one pass reading the unit leaves at the unit rows would cost, about
  const readSameOnce = async (): Promise<void> => {
    for (let f = 0; f < same.length; f++) await readRowsAt(cache.get(same[f]!), hits[f]!);
  };
  const reads: [string, () => Promise<void>][] = [
    ['c. page reader, 100 rows | current', readCurrent],
    ['c. page reader, 100 rows | same file, lines then unit rows', readSame],
    ['c. page reader, 100 rows | same file, one pass (lines alone)', readSameOnce],
  ];
  // footers parsed, zstd loaded, read buffers grown before the rounds
  for (const [, read] of reads) await read();
  for (let r = 0; r < rounds; r++) {
    for (const [key, read] of r % 2 === 0 ? reads : [...reads].reverse()) {
      const t = cpuMs();
      await read();
      out.set(key, [...(out.get(key) ?? []), cpuMs() - t]);
    }
  }
  return out;
}

/** This process's CPU time so far, ms (DuckDB's threads included). */
function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** Rows as sorted JSON lines, to compare answers whatever their order. */
function canonical(rows: readonly Record<string, unknown>[]): string {
  const line = (r: Record<string, unknown>): string =>
    JSON.stringify(
      Object.keys(r)
        .filter((k) => k !== 'file_row_number' && r[k] !== null)
        .sort()
        .map((k) => [k, typeof r[k] === 'bigint' ? String(r[k]) : r[k]]),
    );
  return rows.map(line).sort().join('\n');
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

// run as a script, not when another bench imports the forms (logs-merge-units.ts)
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await loadZstd();
  const [command, ...args] = process.argv.slice(2);
  if (command === 'bytes' && args[0]) await bytes(args[0]);
  else if (command === 'read' && args.length >= 2) await read(Number(args[0]), args.slice(1));
  else throw new Error('usage: logs-part-units.ts bytes <part.parquet> | read <rounds> <part.parquet>...');
}
