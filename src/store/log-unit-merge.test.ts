import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { DuckDBConnection } from '@duckdb/node-api';
import { Engine } from '../engine/duckdb.js';
import { lineColumnOf, unitColumnName, UNIT_ROW_COLUMN } from '../parts/log-unit-columns.js';
import { concatenateParquet } from '../parts/parquet/concatenate.js';
import { readParquetFooter } from '../parts/parquet/footer.js';
import { Encoding } from '../parts/parquet/metadata.js';
import { queryRows, seededRandom, sqlString, withDuckDB, withTempDir } from '../parts/parquet/testing.js';
import { type ColumnFileOptions, ParquetColumnFileWriter, type ParquetColumn } from '../parts/parquet/writer.js';
import { loadZstd } from '../parts/parquet/zstd.js';
import { copyConcatenated, mergeParts, type PartLayout } from '../parts/part-writer.js';
import { distinctTraceIdsSql, mergedColumns } from './compactor.js';
import { LOG_PART_ENCODING } from './log-store.js';

const GROUP_ROWS = 8;
const OPTIONS: ColumnFileOptions = { ...LOG_PART_ENCODING, rowGroupRows: GROUP_ROWS };
const CODEC = LOG_PART_ENCODING.codec;
const LAYOUT: PartLayout = { stream: 'logs', timeColumn: 'time', sortSql: 'time', rowGroupRows: GROUP_ROWS, encoding: OPTIONS };

/** The per-request fields of the synthetic parts: one value a unit of work (null for some units). */
const UNIT_FIELDS = ['body.host', 'body.http.status::int', 'body.dur::double', 'body.user.id', 'trace_id'] as const;

/**
 * Lines of units of 1–4 lines, a unit cut where a row group ends (a row
 * group holds its units), with a line time and message and the unit fields.
 */
interface Lines {
  rows: number;
  time: BigInt64Array;
  msg: (string | undefined)[];
  /** per line, its unit's number */
  unitOf: Int32Array;
  units: number;
  /** per unit, its fields' values, undefined for null */
  host: (string | undefined)[];
  status: (number | undefined)[];
  dur: (number | undefined)[];
  userId: (bigint | undefined)[];
  traceId: (Uint8Array | undefined)[];
}

function makeLines(rows: number, seed: number, maxUnitLines = 4, groupRows = GROUP_ROWS): Lines {
  const r = seededRandom(seed);
  const unitOf = new Int32Array(rows);
  let units = 0;
  let left = 0;
  for (let i = 0; i < rows; i++) {
    if (left === 0 || i % groupRows === 0) {
      units++;
      left = 1 + Math.floor(r() * maxUnitLines);
    }
    unitOf[i] = units - 1;
    left--;
  }
  const maybe = <T>(value: T): T | undefined => (r() < 0.2 ? undefined : value);
  return {
    rows,
    time: BigInt64Array.from({ length: rows }, (_, i) => 1_795_000_000_000_000_000n + BigInt(seed) * 1_000_000_000n + BigInt(i) * 1_000n),
    msg: Array.from({ length: rows }, (_, i) => maybe(`line ${seed}.${i}`)),
    unitOf,
    units,
    host: Array.from({ length: units }, () => maybe(`host-${Math.floor(r() * 5)}`)),
    status: Array.from({ length: units }, () => maybe([200, 404, 500][Math.floor(r() * 3)]!)),
    dur: Array.from({ length: units }, () => maybe(Math.round(r() * 1e5) / 100)),
    userId: Array.from({ length: units }, () => maybe(BigInt(Math.floor(r() * 2 ** 40)) - 2n ** 39n)),
    traceId: Array.from({ length: units }, () => maybe(Uint8Array.from({ length: 16 }, () => Math.floor(r() * 256)))),
  };
}

/** The unit fields as columns of `rows` rows, row i holding unit valueOf(i)'s value (-1: null). */
function fieldColumns(lines: Lines, rows: number, valueOf: (row: number) => number, name: (field: string) => string): ParquetColumn[] {
  const nulls = (has: (u: number) => boolean): Uint8Array => Uint8Array.from({ length: rows }, (_, i) => (valueOf(i) < 0 || !has(valueOf(i)) ? 1 : 0));
  const at = <T>(values: readonly (T | undefined)[], i: number): T | undefined => (valueOf(i) < 0 ? undefined : values[valueOf(i)]);
  const traceIds = new Uint8Array(rows * 16);
  for (let i = 0; i < rows; i++) {
    const id = at(lines.traceId, i);
    if (id) traceIds.set(id, i * 16);
  }
  return [
    { name: name('body.host'), kind: 'string', values: Array.from({ length: rows }, (_, i) => at(lines.host, i)) },
    { name: name('body.http.status::int'), kind: 'int32', values: Int32Array.from({ length: rows }, (_, i) => at(lines.status, i) ?? 0), nulls: nulls((u) => lines.status[u] !== undefined) },
    { name: name('body.dur::double'), kind: 'double', values: Float64Array.from({ length: rows }, (_, i) => at(lines.dur, i) ?? 0), nulls: nulls((u) => lines.dur[u] !== undefined) },
    { name: name('body.user.id'), kind: 'int64', values: BigInt64Array.from({ length: rows }, (_, i) => at(lines.userId, i) ?? 0n), nulls: nulls((u) => lines.userId[u] !== undefined) },
    { name: name('trace_id'), kind: 'fixed16', values: traceIds, nulls: nulls((u) => lines.traceId[u] !== undefined) },
  ];
}

function lineColumns(lines: Lines): ParquetColumn[] {
  return [
    { name: 'time', kind: 'int64', values: lines.time },
    { name: 'body.msg', kind: 'string', values: lines.msg },
  ];
}

function write(path: string, rows: number, columns: readonly ParquetColumn[], options: ColumnFileOptions): void {
  const writer = new ParquetColumnFileWriter(path, rows, options);
  for (const c of columns) writer.add(c);
  writer.finish();
}

/** The lines in line form: every field on every line. */
function writeLineForm(path: string, lines: Lines, options = OPTIONS): void {
  write(path, lines.rows, [...lineColumns(lines), ...fieldColumns(lines, lines.rows, (i) => lines.unitOf[i]!, (f) => f)], options);
}

/**
 * The lines in the units form: each unit's fields once, on a row of its row
 * group (`placement`: the group's first rows in unit order, as the flush
 * puts them, or the unit's last line), `__unit_row` naming it on each line.
 */
function writeUnitsForm(path: string, lines: Lines, placement: 'first-rows' | 'last-line', options = OPTIONS): void {
  const unitRow = new Int32Array(lines.units);
  const groupRows = options.rowGroupRows ?? GROUP_ROWS;
  for (let start = 0; start < lines.rows; start += groupRows) {
    const end = Math.min(lines.rows, start + groupRows);
    const first = lines.unitOf[start]!;
    for (let i = start; i < end; i++) {
      const u = lines.unitOf[i]!;
      unitRow[u] = placement === 'first-rows' ? start + u - first : i;
    }
  }
  const unitAtRow = new Int32Array(lines.rows).fill(-1);
  for (let u = 0; u < lines.units; u++) unitAtRow[unitRow[u]!] = u;
  const unitRows: ParquetColumn = { name: UNIT_ROW_COLUMN, kind: 'int64', values: BigInt64Array.from(lines.unitOf, (u) => BigInt(unitRow[u]!)) };
  write(path, lines.rows, [...lineColumns(lines), unitRows, ...fieldColumns(lines, lines.rows, (i) => unitAtRow[i]!, unitColumnName)], options);
}

/**
 * The reference reader of the units form: a line's value of S is S at its
 * row where not null, else `S::unit` at its `__unit_row` (a LEFT JOIN on
 * file_row_number), rows in file order, under the line-form names.
 */
async function lineFormRows(connection: DuckDBConnection, path: string): Promise<Record<string, unknown>[]> {
  const columns = (await queryRows(connection, `DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`)).map((r) => String(r['column_name']));
  const has = new Set(columns);
  const names = ['time', 'body.msg', ...UNIT_FIELDS];
  const q = (s: string): string => `"${s}"`;
  const select = names.map((n) => {
    const unit = unitColumnName(n);
    const parts = [has.has(n) ? `l.${q(n)}` : undefined, has.has(unit) && has.has(UNIT_ROW_COLUMN) ? `u.${q(unit)}` : undefined].filter((x) => x !== undefined);
    return `${parts.length === 0 ? 'NULL' : `coalesce(${parts.join(', ')})`} AS ${q(n)}`;
  });
  const file = `read_parquet(${sqlString(path)}, file_row_number = true)`;
  const join = has.has(UNIT_ROW_COLUMN) ? `LEFT JOIN ${file} u ON l.${q(UNIT_ROW_COLUMN)} = u.file_row_number` : '';
  return queryRows(connection, `SELECT ${select.join(', ')} FROM ${file} l ${join} ORDER BY l.file_row_number`);
}

/** Each line's `__unit_row` lies in the line's own row group (bounds from the footer); returns how many lines name one. */
async function assertUnitRowsInOwnGroup(connection: DuckDBConnection, path: string): Promise<number> {
  const bounds: number[] = [0];
  for (const g of readParquetFooter(path).rowGroups) bounds.push(bounds[bounds.length - 1]! + g.numRows);
  const groupOf = (row: number): number => bounds.findIndex((b) => b > row) - 1;
  const rows = await queryRows(connection, `SELECT file_row_number AS r, ${UNIT_ROW_COLUMN} AS u FROM read_parquet(${sqlString(path)}, file_row_number = true) WHERE ${UNIT_ROW_COLUMN} IS NOT NULL`);
  for (const { r, u } of rows) assert.equal(groupOf(Number(u)), groupOf(Number(r)), `line ${String(r)} names unit row ${String(u)}`);
  return rows.length;
}

/** The footer's min and max of `__unit_row` in each row group match its values. */
async function assertUnitRowStatistics(connection: DuckDBConnection, path: string): Promise<void> {
  const footer = readParquetFooter(path);
  let first = 0;
  for (const g of footer.rowGroups) {
    const chunk = g.columns.find((c) => c.path === UNIT_ROW_COLUMN);
    assert.ok(chunk, 'every row group has the column');
    const [row] = await queryRows(
      connection,
      `SELECT min(${UNIT_ROW_COLUMN}) AS lo, max(${UNIT_ROW_COLUMN}) AS hi, count(*) - count(${UNIT_ROW_COLUMN}) AS nulls ` +
        `FROM read_parquet(${sqlString(path)}, file_row_number = true) WHERE file_row_number >= ${first} AND file_row_number < ${first + g.numRows}`,
    );
    const bound = (b: Uint8Array | undefined): bigint | null => (b === undefined ? null : new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0, true));
    assert.equal(chunk.statistics.nullCount, Number(row!['nulls']));
    if (row!['lo'] !== null) {
      assert.equal(bound(chunk.statistics.minValue), row!['lo']);
      assert.equal(bound(chunk.statistics.maxValue), row!['hi']);
    }
    first += g.numRows;
  }
}

/** `fn` with a temporary folder and a DuckDB connection, zstd loaded. */
async function withFiles(fn: (dir: string, connection: DuckDBConnection) => Promise<void>): Promise<void> {
  await loadZstd();
  await withTempDir((dir) => withDuckDB((connection) => fn(dir, connection)));
}

/** The rows of `lines` as the reference reader reads their line-form twin (written as `twin-<tag>`). */
async function twinRows(connection: DuckDBConnection, dir: string, lines: Lines, tag: string): Promise<Record<string, unknown>[]> {
  const path = join(dir, `twin-${tag}.parquet`);
  writeLineForm(path, lines);
  return lineFormRows(connection, path);
}

describe('merging log parts in the units form', () => {
  it('the reference reader gives a units-form file the rows of its line-form twin, wherever the unit rows sit', async () => {
    await withFiles(async (dir, connection) => {
      const lines = makeLines(61, 1);
      writeLineForm(join(dir, 'line.parquet'), lines);
      writeUnitsForm(join(dir, 'first.parquet'), lines, 'first-rows');
      writeUnitsForm(join(dir, 'last.parquet'), lines, 'last-line');
      const expected = await lineFormRows(connection, join(dir, 'line.parquet'));
      assert.deepEqual(await lineFormRows(connection, join(dir, 'first.parquet')), expected);
      assert.deepEqual(await lineFormRows(connection, join(dir, 'last.parquet')), expected);
      assert.equal(await assertUnitRowsInOwnGroup(connection, join(dir, 'first.parquet')), 61);
    });
  });

  for (const order of [
    ['units', 'units'],
    ['units', 'line'],
    ['line', 'units'],
    ['units', 'line', 'units'],
    ['line', 'units', 'units', 'line'],
  ] as const) {
    it(`concatenates ${order.join(' + ')}: every line reads its own unit's values, in its own row group, the statistics moved too`, async () => {
      await withFiles(async (dir, connection) => {
        const paths: string[] = [];
        const expected: Record<string, unknown>[] = [];
        for (const [f, form] of order.entries()) {
          const lines = makeLines(21 + 13 * f, 10 + f);
          expected.push(...(await twinRows(connection, dir, lines, String(f))));
          const path = join(dir, `in${f}.parquet`);
          if (form === 'line') writeLineForm(path, lines);
          else writeUnitsForm(path, lines, f % 2 === 0 ? 'first-rows' : 'last-line');
          paths.push(path);
        }
        const merged = join(dir, 'merged.parquet');
        assert.equal(concatenateParquet(paths, merged, CODEC, { rowNumberColumns: [UNIT_ROW_COLUMN] }), true);
        assert.deepEqual(await lineFormRows(connection, merged), expected);
        const unitLines = order.reduce((n, form, f) => n + (form === 'units' ? 21 + 13 * f : 0), 0);
        assert.equal(await assertUnitRowsInOwnGroup(connection, merged), unitLines);
        await assertUnitRowStatistics(connection, merged);
      });
    });
  }

  it('concatenates a merged part (both forms of a field) with more parts: the offsets add up', async () => {
    await withFiles(async (dir, connection) => {
      const inputs = [makeLines(19, 31), makeLines(26, 32), makeLines(23, 33)];
      const expected: Record<string, unknown>[] = [];
      for (const [f, lines] of inputs.entries()) expected.push(...(await twinRows(connection, dir, lines, String(f))));
      writeUnitsForm(join(dir, 'a.parquet'), inputs[0]!, 'first-rows');
      writeLineForm(join(dir, 'b.parquet'), inputs[1]!);
      writeUnitsForm(join(dir, 'c.parquet'), inputs[2]!, 'last-line');
      const options = { rowNumberColumns: [UNIT_ROW_COLUMN] };
      assert.equal(concatenateParquet([join(dir, 'a.parquet'), join(dir, 'b.parquet')], join(dir, 'ab.parquet'), CODEC, options), true);
      assert.equal(concatenateParquet([join(dir, 'ab.parquet'), join(dir, 'c.parquet')], join(dir, 'abc.parquet'), CODEC, options), true);
      assert.deepEqual(await lineFormRows(connection, join(dir, 'abc.parquet')), expected);
      assert.equal(await assertUnitRowsInOwnGroup(connection, join(dir, 'abc.parquet')), 19 + 23);
    });
  });

  const gzip = { codec: 'gzip', level: 6 } as const;
  for (const [name, options, maxUnitLines, encoding, mergeCodec] of [
    ['uncompressed PLAIN', { rowGroupRows: GROUP_ROWS, allOptional: true }, 4, Encoding.PLAIN, CODEC],
    ['gzip, DELTA, pages of a few values', { ...OPTIONS, codec: gzip, pageBytes: 24 }, 4, Encoding.DELTA_BINARY_PACKED, CODEC],
    ['zstd, 64-row groups, DELTA pages of a few values', { ...OPTIONS, rowGroupRows: 64, pageBytes: 64 }, 4, Encoding.DELTA_BINARY_PACKED, CODEC],
    ['zstd, 64-row groups, long units: a dictionary', { ...OPTIONS, rowGroupRows: 64, tryDeltaInt64: false }, 40, Encoding.RLE_DICTIONARY, CODEC],
    ['zstd, 64-row groups, long units: a dictionary', { ...OPTIONS, rowGroupRows: 64, tryDeltaInt64: false }, 40, Encoding.RLE_DICTIONARY, gzip],
    ['zstd, PLAIN', { ...OPTIONS, tryDeltaInt64: false }, 4, Encoding.PLAIN, undefined],
  ] as const) {
    it(`moves __unit_row of a part written ${name}, merged ${mergeCodec ? `into ${mergeCodec.codec}` : 'uncompressed'}`, async () => {
      await withFiles(async (dir, connection) => {
        const groupRows = options.rowGroupRows;
        const a = makeLines(40, 41, maxUnitLines, groupRows);
        const b = makeLines(300, 42, maxUnitLines, groupRows);
        const expected = [...(await twinRows(connection, dir, a, 'a')), ...(await twinRows(connection, dir, b, 'b'))];
        writeUnitsForm(join(dir, 'a.parquet'), a, 'first-rows', options);
        writeUnitsForm(join(dir, 'b.parquet'), b, 'last-line', options);
        assert.ok(unitRowEncodings(join(dir, 'b.parquet')).has(encoding), 'the writer chose the encoding this case is about');
        const merged = join(dir, 'merged.parquet');
        assert.equal(concatenateParquet([join(dir, 'a.parquet'), join(dir, 'b.parquet')], merged, mergeCodec, { rowNumberColumns: [UNIT_ROW_COLUMN] }), true);
        assert.deepEqual(await lineFormRows(connection, merged), expected);
        await assertUnitRowStatistics(connection, merged);
      });
    });
  }

  it('leaves __unit_row as it is when not named a row number column (the reference reader then finds other rows)', async () => {
    await withFiles(async (dir, connection) => {
      const a = makeLines(20, 51);
      const b = makeLines(20, 52);
      writeUnitsForm(join(dir, 'a.parquet'), a, 'first-rows');
      writeUnitsForm(join(dir, 'b.parquet'), b, 'first-rows');
      const expected = [...(await twinRows(connection, dir, a, 'a')), ...(await twinRows(connection, dir, b, 'b'))];
      const merged = join(dir, 'merged.parquet');
      assert.equal(concatenateParquet([join(dir, 'a.parquet'), join(dir, 'b.parquet')], merged, CODEC), true);
      assert.notDeepEqual(await lineFormRows(connection, merged), expected);
    });
  });
});

describe('merging log parts DuckDB rewrites', () => {
  async function withEngine(fn: (engine: Engine, dir: string, connection: DuckDBConnection) => Promise<void>): Promise<void> {
    await withFiles(async (root, connection) => {
      // parts sit in date=… folders, which DuckDB would read as a column unless told not to
      const dir = join(root, 'parts', 'logs', 'date=2026-11-19');
      await mkdir(dir, { recursive: true });
      const engine = await Engine.create({ dataDir: root, threads: 1, memoryLimit: '512MB' });
      try {
        await fn(engine, dir, connection);
      } finally {
        await engine.close();
      }
    });
  }

  it('writes units-form inputs in line form, rows in input order, when concatenation is refused (an input DuckDB wrote)', async () => {
    await withEngine(async (engine, dir, connection) => {
      const inputs = [makeLines(37, 61), makeLines(29, 62), makeLines(44, 63)];
      const expected: Record<string, unknown>[] = [];
      for (const [f, lines] of inputs.entries()) expected.push(...(await twinRows(connection, dir, lines, String(f))));
      writeUnitsForm(join(dir, 'a.parquet'), inputs[0]!, 'first-rows');
      // a part DuckDB wrote (a flush it sorted): not ours to concatenate
      writeLineForm(join(dir, 'ours.parquet'), inputs[1]!);
      await connection.run(`COPY (SELECT * FROM read_parquet(${sqlString(join(dir, 'ours.parquet'))})) TO ${sqlString(join(dir, 'b.parquet'))} (FORMAT parquet)`);
      writeUnitsForm(join(dir, 'c.parquet'), inputs[2]!, 'last-line');
      const merged = join(dir, 'merged.parquet');
      const paths = ['a', 'b', 'c'].map((n) => join(dir, `${n}.parquet`));
      assert.equal(await mergeParts(engine, paths, merged, LAYOUT), 'line-form');
      const columns = (await queryRows(connection, `DESCRIBE SELECT * FROM read_parquet(${sqlString(merged)})`)).map((r) => String(r['column_name']));
      assert.deepEqual(columns.filter((c) => c === UNIT_ROW_COLUMN || lineColumnOf(c) !== undefined), []);
      assert.deepEqual(await lineFormRows(connection, merged), expected);
    });
  });

  it('writes a merged part holding both forms of a field in line form; leaves line-form inputs as DuckDB always merged them', async () => {
    await withEngine(async (engine, dir, connection) => {
      const inputs = [makeLines(23, 71), makeLines(31, 72), makeLines(17, 73)];
      const expected: Record<string, unknown>[] = [];
      for (const [f, lines] of inputs.entries()) expected.push(...(await twinRows(connection, dir, lines, String(f))));
      writeLineForm(join(dir, 'a.parquet'), inputs[0]!);
      writeUnitsForm(join(dir, 'b.parquet'), inputs[1]!, 'first-rows');
      const options = { rowNumberColumns: [UNIT_ROW_COLUMN] };
      assert.equal(concatenateParquet([join(dir, 'a.parquet'), join(dir, 'b.parquet')], join(dir, 'ab.parquet'), CODEC, options), true);
      writeUnitsForm(join(dir, 'c.parquet'), inputs[2]!, 'last-line');
      const merged = join(dir, 'merged.parquet');
      assert.equal(await copyConcatenated(engine, [join(dir, 'ab.parquet'), join(dir, 'c.parquet')], merged, LAYOUT), 'line-form');
      assert.deepEqual(await lineFormRows(connection, merged), expected);
      const plain = join(dir, 'plain.parquet');
      assert.equal(await copyConcatenated(engine, [join(dir, 'twin-0.parquet'), join(dir, 'twin-1.parquet')], plain, LAYOUT), 'as-inputs');
      assert.deepEqual(await lineFormRows(connection, plain), expected.slice(0, 23 + 31));
    });
  });

  it('finds the trace ids of a units-form part, a line-form one and a merge of both (the trace index of a part without one)', async () => {
    await withFiles(async (dir, connection) => {
      const lines = makeLines(45, 81);
      writeLineForm(join(dir, 'line.parquet'), lines);
      writeUnitsForm(join(dir, 'units.parquet'), lines, 'last-line');
      assert.equal(concatenateParquet([join(dir, 'line.parquet'), join(dir, 'units.parquet')], join(dir, 'both.parquet'), CODEC, { rowNumberColumns: [UNIT_ROW_COLUMN] }), true);
      const ids = async (name: string): Promise<string[]> => {
        const path = join(dir, name);
        const columns = (await queryRows(connection, `DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`)).map((r) => String(r['column_name']));
        return (await queryRows(connection, distinctTraceIdsSql(path, columns)!)).map((r) => Buffer.from(r['trace_id'] as Uint8Array).toString('hex')).sort();
      };
      const expected = [...new Set(lines.traceId.filter((id) => id !== undefined).map((id) => Buffer.from(id).toString('hex')))].sort();
      assert.ok(expected.length > 5);
      assert.deepEqual(await ids('line.parquet'), expected);
      assert.deepEqual(await ids('units.parquet'), expected);
      assert.deepEqual(await ids('both.parquet'), expected);
      assert.equal(distinctTraceIdsSql(join(dir, 'x.parquet'), ['time']), undefined);
    });
  });

  it('lists a line-form merge under the line-form column names', () => {
    const part = (columns: string[]) => ({ columns }) as unknown as Parameters<typeof mergedColumns>[0][number];
    const group = [part(['time', UNIT_ROW_COLUMN, unitColumnName('body.host')]), part(['time', 'body.host', 'body.msg'])];
    assert.deepEqual(mergedColumns(group, 'line-form'), ['body.host', 'body.msg', 'time']);
    assert.deepEqual(mergedColumns(group, 'as-inputs'), ['__unit_row', 'body.host', 'body.host::unit', 'body.msg', 'time']);
  });
});

/** The encodings of a file's `__unit_row` chunks. */
function unitRowEncodings(path: string): Set<Encoding> {
  const out = new Set<Encoding>();
  for (const g of readParquetFooter(path).rowGroups) for (const c of g.columns) if (c.path === UNIT_ROW_COLUMN) for (const e of c.encodings) out.add(e);
  return out;
}
