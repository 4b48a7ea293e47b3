// The page reader (src/query/part-pages.ts) on a log part in the units form
// against the same lines in line form (src/parts/log-unit-columns.ts): CPU
// ms of readRowsAt of 100 rows (log search's fetch) and of scanRows of a
// word held by a unit column (its cheap test), on synthetic parts written as
// the flush writes them (LOG_PART_ENCODING, 64 Ki-row groups; units of 1–4
// lines, test/helpers/unit-form-logs.ts). Not part of the suite:
//
//   node --import tsx bench/part-pages-units.ts [rows] [rounds] [extra text columns]
//   node --import tsx bench/part-pages-units.ts part <log part.parquet> [rounds]
//
// `part`: a log part the flush wrote in line form (`FLUSH=1 KEEP_PART=<path>
// node --import tsx bench/logs-ingest-profile.ts 300000 1`) rewritten in the
// units form: units the runs of `body.req_id` cut at row groups, unit
// columns those the same on every line of every unit (bench/logs-part-units.ts's rule).
//
// Each round times every form once, the order reversed every other round;
// prints best and median CPU ms of a call (each timing the mean of CALLS calls).

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../src/model/seeded-random.js';
import { TOKEN_CHUNK_ROWS } from '../src/parts/token-index.js';
import { loadZstd } from '../src/parts/parquet/zstd.js';
import { PartPagesCache, readRowsAt, scanRows } from '../src/query/part-pages.js';
import { lineFormColumnsOf, syntheticLogTable, unitsFormColumnsOf, writeLogColumns, type LogTable, type UnitColumn, type Value, type ValueKind } from '../test/helpers/unit-form-logs.js';
import type { ParquetColumn } from '../src/parts/parquet/columns.js';
import { allColumnsOf } from './log-part-columns.js';

const fromPart = process.argv[2] === 'part' ? process.argv[3] : undefined;
const rounds = Number((fromPart ? process.argv[4] : process.argv[3]) ?? 9);
const CALLS = 10;
const FETCHED = 100;
const SCAN_WORD = process.env['WORD'] ?? (process.argv[2] === 'part' ? 'checkout' : 'timeout');

await loadZstd();
const dir = await mkdtemp(join(tmpdir(), 'part-pages-units-'));
try {
  const table = fromPart ? await partTable(fromPart) : syntheticLogTable(Number(process.argv[2] ?? 4 * TOKEN_CHUNK_ROWS), TOKEN_CHUNK_ROWS, 7, Number(process.argv[4] ?? 20));
  const rows = table.rows;
  const forms = { line: join(dir, 'line.parquet'), units: join(dir, 'units.parquet') };
  writeLogColumns(forms.line, rows, TOKEN_CHUNK_ROWS, lineFormColumnsOf(table));
  writeLogColumns(forms.units, rows, TOKEN_CHUNK_ROWS, unitsFormColumnsOf(table));
  // 100 rows of one row group (a search's newest hits lie in few chunks) and 100 spread over the file
  const pick = seededRandom(3);
  const oneGroup = [...new Set(Array.from({ length: FETCHED * 2 }, () => TOKEN_CHUNK_ROWS + Math.floor(pick() * Math.min(TOKEN_CHUNK_ROWS, rows - TOKEN_CHUNK_ROWS))))].slice(0, FETCHED).sort((a, b) => a - b);
  const spread = [...new Set(Array.from({ length: FETCHED * 2 }, () => Math.floor(pick() * rows)))].slice(0, FETCHED).sort((a, b) => a - b);
  const cache = new PartPagesCache();
  const jobs: Record<string, (path: string) => Promise<unknown>> = {
    'readRowsAt 100 rows, one row group': (path) => readRowsAt(cache.get(path), oneGroup),
    'readRowsAt 100 rows, spread': (path) => readRowsAt(cache.get(path), spread),
    // a word in a unit column's values and a line column's (synthetic: hosts 'db-timeout-3')
    [`scanRows "${SCAN_WORD}", one row group`]: (path) => scanRows(cache.get(path), TOKEN_CHUNK_ROWS, 2 * TOKEN_CHUNK_ROWS - 1, [{ column: 'body.host', word: SCAN_WORD }, { column: 'body.msg', word: SCAN_WORD }]),
  };
  // the answers agree before anything is timed
  for (const [name, job] of Object.entries(jobs)) {
    if (JSON.stringify(await job(forms.line), replacer) !== JSON.stringify(await job(forms.units), replacer)) throw new Error(`part-pages-units: ${name} differs between the forms`);
  }
  const cpuMs: Record<string, Record<string, number[]>> = {};
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['line', 'units'] as const) : (['units', 'line'] as const);
    for (const [name, job] of Object.entries(jobs)) {
      for (const form of order) {
        const c0 = process.cpuUsage();
        for (let c = 0; c < CALLS; c++) await job(forms[form]);
        const c = process.cpuUsage(c0);
        ((cpuMs[name] ??= {})[form] ??= []).push((c.user + c.system) / 1000 / CALLS);
      }
    }
  }
  const summary = (ms: number[]): string => {
    const sorted = [...ms].sort((a, b) => a - b);
    return `${sorted[0]!.toFixed(2)} / ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)}`;
  };
  const out: Record<string, unknown> = { part: fromPart ?? 'synthetic', rows, rounds, unitColumns: table.unitColumns.map((c) => c.name), columns: { line: lineFormColumnsOf(table).length, units: unitsFormColumnsOf(table).length }, bytes: { line: (await stat(forms.line)).size, units: (await stat(forms.units)).size } };
  for (const [name, byForm] of Object.entries(cpuMs)) out[name] = Object.fromEntries(Object.entries(byForm).map(([form, ms]) => [form, summary(ms)]));
  console.log(JSON.stringify(out));
} finally {
  await rm(dir, { recursive: true, force: true });
}

function replacer(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}

/** A flushed part's rows as a LogTable: units the runs of the correlation key, cut at row groups. */
async function partTable(path: string): Promise<LogTable> {
  const { columns, rows } = await allColumnsOf(path);
  const key = columns.find((c) => c.name === 'body.req_id');
  if (!key) throw new Error(`part-pages-units: ${path} has no body.req_id`);
  const unitOf = new Int32Array(rows);
  for (let i = 1, u = 0; i < rows; i++) {
    if (i % TOKEN_CHUNK_ROWS === 0 || valueOf(key, i) === undefined || valueOf(key, i) !== valueOf(key, i - 1)) u++;
    unitOf[i] = u;
  }
  // the sort keys stay line columns (service_name: the part's first, runs of a row group or more)
  const kept = new Set(['time_unix_us', 'time_unix_nano', 'service_name']);
  const lineColumns: ParquetColumn[] = [];
  const unitColumns: UnitColumn[] = [];
  for (const c of columns) {
    const perUnit = kept.has(c.name) ? undefined : perUnitValues(c, unitOf, rows);
    if (perUnit) unitColumns.push({ name: c.name, kind: c.kind as ValueKind, perUnit });
    else lineColumns.push(c);
  }
  return { rows, groupRows: TOKEN_CHUNK_ROWS, unitOf, lineColumns, unitColumns, order: columns.map((c) => c.name) };
}

/** The column's value of each unit where it is the same on every line of every unit and not over the whole part; else undefined. */
function perUnitValues(c: ParquetColumn, unitOf: Int32Array, rows: number): Value[] | undefined {
  if (c.kind === 'string-entries' || c.kind === 'fixed16' || c.kind === 'fixed8') return undefined;
  const out: Value[] = [];
  let varies = false;
  for (let i = 0; i < rows; i++) {
    const v = valueOf(c, i);
    if (i > 0 && v !== valueOf(c, i - 1)) {
      if (unitOf[i] === unitOf[i - 1]) return undefined;
      varies = true;
    }
    if (i === 0 || unitOf[i] !== unitOf[i - 1]) out.push(v);
  }
  return varies ? out : undefined;
}

function valueOf(c: ParquetColumn, row: number): Value {
  switch (c.kind) {
    case 'string':
      return c.values[row];
    case 'int64':
    case 'int32':
    case 'double':
      return c.nulls?.[row] ? undefined : c.values[row];
    case 'boolean':
      return c.nulls?.[row] ? undefined : c.values[row] === 1;
    default:
      return undefined;
  }
}
