// What a merge of log parts in the units form pays to move `__unit_row` by
// the rows before each input (src/parts/parquet/shift-int64.ts), against the
// same concatenation copying the column as it is (what it did before, wrong
// for a units-form part) and against the line-form parts of the same rows;
// with DUCKDB=<rounds>, also DuckDB's merge (when concatenation is refused):
// the units-form inputs rewritten in line form (a join and a sort,
// src/parts/log-unit-rewrite.ts) against its plain copy of line-form inputs.
//
//   [DUCKDB=<rounds>] node --import tsx bench/logs-merge-units.ts <rounds> <rows per input> <part.parquet>...
//
// Inputs: the parts' rows, in order, cut into 3 files of <rows per input>
// rows (a file never straddles two parts), each written with the flush's
// options (64 Ki-row groups) in line form and in the units form (units: runs
// of `body.req_id` cut at row groups, their values on each group's first
// rows; the per-unit columns as bench/logs-part-units.ts finds them). Each
// round merges every way once (the order rotated) and the process CPU and
// wall ms are printed, best and median, with the merged file's bytes.
// Parts: those of `node dist/bench/keep-logs-data.js <dir> 1000000`.

import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatenateParquet } from '../src/parts/parquet/concatenate.js';
import { readParquetFooter } from '../src/parts/parquet/footer.js';
import { loadZstd } from '../src/parts/parquet/zstd.js';
import { ParquetColumnFileWriter, type ColumnFileOptions, type ParquetColumn } from '../src/parts/parquet/writer.js';
import { unitColumnName, UNIT_ROW_COLUMN } from '../src/parts/log-unit-columns.js';
import { TOKEN_CHUNK_ROWS } from '../src/parts/token-index.js';
import { LOG_PART_ENCODING, LOG_PART_LAYOUT } from '../src/store/log-store.js';
import { Engine } from '../src/engine/duckdb.js';
import { copyConcatenated, type PartLayout } from '../src/parts/part-writer.js';
import { allColumnsOf } from './log-part-columns.js';
import { placed, unitColumns, unitsOf } from './logs-part-units.js';

const OPTIONS: ColumnFileOptions = { ...LOG_PART_ENCODING, rowGroupRows: TOKEN_CHUNK_ROWS };
/** DuckDB's merge as the compactor runs it for log parts (LOG_PART_LAYOUT's copy options) */
const DUCKDB_LAYOUT: PartLayout = { ...LOG_PART_LAYOUT, encoding: OPTIONS };

/** Rows [from, to) of a column. */
function slice(column: ParquetColumn, from: number, to: number): ParquetColumn {
  switch (column.kind) {
    case 'string':
      return { ...column, values: column.values.slice(from, to) };
    case 'int64':
    case 'int32':
    case 'double':
    case 'boolean':
      return { ...column, values: column.values.subarray(from, to), ...(column.nulls ? { nulls: column.nulls.subarray(from, to) } : {}) } as ParquetColumn;
    default:
      throw new Error(`logs-merge-units: ${column.name} is ${column.kind}`);
  }
}

/** The part's rows in the units form (bench/logs-part-units.ts finds the units and the per-unit columns), under the format's names. */
function unitsForm(columns: readonly ParquetColumn[], rows: number): ParquetColumn[] {
  const u = unitsOf(columns, rows);
  const unitValues = u.perUnit.map((c) => ({ ...placed(c, u.firsts, u.unitRow, rows), name: unitColumnName(c.name) }) as ParquetColumn);
  return [...u.lines, ...unitValues, { ...unitColumns(u).fileRow, name: UNIT_ROW_COLUMN }];
}

function write(path: string, rows: number, columns: readonly ParquetColumn[]): number {
  const writer = new ParquetColumnFileWriter(path, rows, OPTIONS);
  for (const c of columns) writer.add(c);
  return writer.finish();
}

function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Each way run `rounds` times (the order rotated each round): CPU and wall ms, best and median, and the bytes of `out` it wrote. */
async function timed(rounds: number, ways: Record<string, () => unknown>, out: string): Promise<Record<string, unknown>> {
  const keys = Object.keys(ways);
  const cpu: Record<string, number[]> = {};
  const wall: Record<string, number[]> = {};
  const bytes: Record<string, number> = {};
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < keys.length; k++) {
      const key = keys[(k + r) % keys.length]!;
      const c0 = cpuMs();
      const w0 = performance.now();
      await ways[key]!();
      (cpu[key] ??= []).push(cpuMs() - c0);
      (wall[key] ??= []).push(performance.now() - w0);
      bytes[key] = statSync(out).size;
    }
  }
  if (rounds === 0) return {};
  return Object.fromEntries(keys.map((k) => [k, { bytes: bytes[k], cpuMsBest: Math.round(Math.min(...cpu[k]!)), cpuMsMedian: Math.round(median(cpu[k]!)), wallMsMedian: Math.round(median(wall[k]!)) }]));
}

async function main(rounds: number, perInput: number, parts: readonly string[]): Promise<void> {
  await loadZstd();
  const read = await Promise.all(parts.map(allColumnsOf));
  const dir = await mkdtemp(join(tmpdir(), 'marquetry-merge-units-'));
  try {
    const files = { line: [] as string[], units: [] as string[] };
    let lineBytes = 0;
    let unitsBytes = 0;
    // each input: the next perInput rows of a part, or of the next part when too few are left
    for (let f = 0, p = 0, at = 0; f < 3; f++, at += perInput) {
      if (at + perInput > read[p]!.rows) [p, at] = [p + 1, 0];
      const part = read[p];
      if (!part || perInput > part.rows) throw new Error(`logs-merge-units: too few rows for 3 inputs of ${perInput}`);
      const cols = part.columns.map((c) => slice(c, at, at + perInput));
      const line = join(dir, `line${f}.parquet`);
      const units = join(dir, `units${f}.parquet`);
      lineBytes += write(line, perInput, cols);
      unitsBytes += write(units, perInput, unitsForm(cols, perInput));
      files.line.push(line);
      files.units.push(units);
    }
    const concatenated = (paths: string[], options = {}) => (): void => {
      if (!concatenateParquet(paths, join(dir, 'out.parquet'), OPTIONS.codec, options)) throw new Error('logs-merge-units: concatenation refused');
    };
    const ways = {
      unitsShifted: concatenated(files.units, { rowNumberColumns: [UNIT_ROW_COLUMN] }),
      unitsCopied: concatenated(files.units),
      lineCopied: concatenated(files.line),
    };
    const duckRounds = Number(process.env['DUCKDB'] ?? 0);
    const engine = duckRounds > 0 ? await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '1GB' }) : undefined;
    const duckWays = {
      duckdbUnitsToLineForm: () => copyConcatenated(engine!, files.units, join(dir, 'out.parquet'), DUCKDB_LAYOUT),
      duckdbLineCopied: () => copyConcatenated(engine!, files.line, join(dir, 'out.parquet'), DUCKDB_LAYOUT),
    };
    const summary = { ...(await timed(rounds, ways, join(dir, 'out.parquet'))), ...(await timed(duckRounds, duckWays, join(dir, 'out.parquet'))) };
    await engine?.close();
    const encodings = new Set<string>();
    for (const path of files.units) for (const g of readParquetFooter(path).rowGroups) encodings.add(g.columns.find((c) => c.path === UNIT_ROW_COLUMN)!.encodings.join('/'));
    console.log(
      JSON.stringify({
        key: 'logs-merge-units',
        inputs: 3,
        rowsPerInput: perInput,
        unitRowEncodings: [...encodings],
        inputBytesPerRecord: { line: round(lineBytes / (3 * perInput)), units: round(unitsBytes / (3 * perInput)) },
        rounds,
        duckdbRounds: duckRounds,
        ...summary,
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const [rounds, perInput, ...parts] = process.argv.slice(2);
if (!rounds || !perInput || parts.length === 0) throw new Error('usage: logs-merge-units.ts <rounds> <rows per input> <part.parquet>...');
await main(Number(rounds), Number(perInput), parts);
