// What a log part pays beyond its columns' values (docs/storage.md, "Session
// 12: ... (round 2)"): each column rewritten as the flush writes it (zstd 1,
// the writer's trials, row groups of 32 Ki rows), B/record of the part's rows.
// - Per-request columns (constant over a unit of work's rows): as stored, one
//   value a row, against the same column with one row per unit (its first):
//   the difference is what the column pays for the unit boundaries, its runs.
// - Number columns with nulls: as stored against their present values alone:
//   the difference is their definition levels.
// Units are the runs of `body.req_id` (the bench's correlation key).
//
//   node --import tsx bench/logs-part-gaps.ts <part.parquet>
//
// (the part from `FLUSH=1 KEEP_PART=<path> node dist/bench/logs-ingest-profile.js 200000 1`)

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadZstd } from '../src/parts/parquet/zstd.js';
import { type ColumnFileOptions, ParquetColumnFileWriter } from '../src/parts/parquet/writer.js';
import type { ParquetColumn } from '../src/parts/parquet/columns.js';
import { allColumnsOf } from './log-part-columns.js';

/** The flush's options for log parts (src/parts/sorted-run.ts). */
const FLUSH_OPTIONS: ColumnFileOptions = {
  codec: { codec: 'zstd', level: 1 },
  tryDeltaInt64: true,
  tryDeltaInt32: true,
  tryPlainStrings: true,
  tryDeltaLengthStrings: true,
  allOptional: true,
  rowGroupRows: 32 * 1024,
};

/** The bench's per-request fields as a part stores them. */
const PER_REQUEST = [
  'body.req_id',
  'body.host',
  'body.service',
  'body.http.path',
  'body.http.method',
  'body.user.tier',
  'body.http.status::int',
  'body.http.duration_ms::double::decimal.2',
  'body.user.id::template.0',
];

/** Rows `at` of `column`. */
function rowsOf(column: ParquetColumn, at: readonly number[]): ParquetColumn {
  const nulls = 'nulls' in column && column.nulls ? Uint8Array.from(at, (i) => column.nulls![i]!) : new Uint8Array(at.length);
  switch (column.kind) {
    case 'string':
      return { name: column.name, kind: 'string', values: at.map((i) => column.values[i]) };
    case 'int32':
      return { name: column.name, kind: 'int32', values: Int32Array.from(at, (i) => column.values[i]!), nulls };
    case 'int64':
      return { name: column.name, kind: 'int64', values: BigInt64Array.from(at, (i) => column.values[i]!), nulls };
    default:
      throw new Error(`logs-part-gaps: ${column.name} is ${column.kind}`);
  }
}

async function main(): Promise<void> {
  const path = process.argv[2];
  if (!path) throw new Error('usage: logs-part-gaps.ts <part.parquet>');
  await loadZstd();
  const { columns, rows } = await allColumnsOf(path);
  const dir = await mkdtemp(join(tmpdir(), 'marquetry-gaps-'));
  let files = 0;
  /** Bytes of a file of `count` rows holding `column`, less those of a file of one all-null column. */
  const bytesOf = (column: ParquetColumn, count: number): number => {
    const file = (c: ParquetColumn): number => {
      const writer = new ParquetColumnFileWriter(join(dir, `${files++}.parquet`), count, FLUSH_OPTIONS);
      writer.add(c);
      return writer.finish();
    };
    return file(column) - file({ name: 'empty', kind: 'int32', values: new Int32Array(count), nulls: new Uint8Array(count).fill(1) });
  };
  try {
    const byName = new Map(columns.map((c) => [c.name, c]));
    const key = byName.get('body.req_id');
    if (key?.kind !== 'string') throw new Error('logs-part-gaps: the part has no body.req_id');
    const firsts: number[] = [];
    for (let i = 0; i < rows; i++) if (i === 0 || key.values[i] !== key.values[i - 1]) firsts.push(i);
    const out: Record<string, unknown> = { rows, units: firsts.length };
    let perRow = 0;
    let perUnit = 0;
    const perRequest: Record<string, { perRow: number; oncePerUnit: number; runs: number }> = {};
    for (const name of PER_REQUEST) {
      const column = byName.get(name);
      if (!column) continue;
      const a = bytesOf(column, rows) / rows;
      const u = bytesOf(rowsOf(column, firsts), firsts.length) / rows;
      perRow += a;
      perUnit += u;
      perRequest[name] = { perRow: round(a), oncePerUnit: round(u), runs: round(a - u) };
    }
    out['perRequest'] = { ...perRequest, sum: { perRow: round(perRow), oncePerUnit: round(perUnit), runs: round(perRow - perUnit) } };
    const sparse: Record<string, { present: number; stored: number; valuesAlone: number; levels: number }> = {};
    for (const column of columns) {
      if ((column.kind !== 'int32' && column.kind !== 'int64') || !column.nulls) continue;
      const present: number[] = [];
      for (let i = 0; i < rows; i++) if (!column.nulls[i]) present.push(i);
      if (present.length === rows || present.length < rows / 100) continue;
      const stored = bytesOf(column, rows) / rows;
      const alone = bytesOf(rowsOf(column, present), present.length) / rows;
      sparse[column.name] = { present: round(present.length / rows), stored: round(stored), valuesAlone: round(alone), levels: round(stored - alone) };
    }
    out['numbersWithNulls'] = sparse;
    console.log(JSON.stringify(out, null, 1));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

await main();
