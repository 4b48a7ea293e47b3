// What splitting message text into a template and its variables (as CLP
// does) would store, measured on a log part's `body.msg`: each digit run, and
// each run of hex digits with a letter, becomes a variable (an int64 column
// per position); the rest of the text is the template (a string column).
// Both written with the log parts' encodings; prints bytes per record of the
// text as it is stored now and split. Not a storage format (yet): a
// measurement for docs/storage.md, "Log parts".
//
//   node --import tsx bench/logs-msg-templates.ts <part.parquet> [rows]

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { sqlString } from '../src/engine/sql-quote.js';
import { ParquetColumnFileWriter, type ParquetColumn } from '../src/parts/parquet/writer.js';
import { LOG_PART_ENCODING } from '../src/store/log-store.js';
import { TOKEN_CHUNK_ROWS } from '../src/parts/token-index.js';

/** A variable: a decimal number without a leading zero, or lower-case hex with a letter and no leading zero. */
const VARIABLE = /\b(?:[1-9][0-9]{0,17}|0|[1-9a-f][0-9a-f]*[a-f][0-9a-f]*)\b/g;

function split(text: string): { template: string; variables: bigint[] } {
  const variables: bigint[] = [];
  const template = text.replace(VARIABLE, (m) => {
    const isHex = /[a-f]/.test(m);
    if (isHex && m.length > 15) return m;
    variables.push(isHex ? BigInt(`0x${m}`) : BigInt(m));
    return isHex ? '\u0012' : '\u0011';
  });
  return { template, variables };
}

function fileBytes(path: string, rows: number, columns: ParquetColumn[]): number {
  const writer = new ParquetColumnFileWriter(path, rows, { ...LOG_PART_ENCODING, rowGroupRows: TOKEN_CHUNK_ROWS });
  for (const c of columns) writer.add(c);
  return writer.finish();
}

async function main(): Promise<void> {
  const [path, rowsArg] = process.argv.slice(2);
  if (!path) throw new Error('usage: logs-msg-templates.ts <part.parquet> [rows]');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const reader = await conn.runAndReadAll(`SELECT "body.msg" AS m FROM read_parquet(${sqlString(path)}) LIMIT ${Number(rowsArg ?? 1 << 30)}`);
  const texts = reader.getColumnsJS()[0] as (string | null)[];
  const rows = texts.length;
  const templates: (string | undefined)[] = [];
  const variables: { values: BigInt64Array; nulls: Uint8Array }[] = [];
  texts.forEach((text, i) => {
    if (text === null) return templates.push(undefined);
    const s = split(text);
    templates.push(s.template);
    s.variables.forEach((v, k) => {
      while (variables.length <= k) variables.push({ values: new BigInt64Array(rows), nulls: new Uint8Array(rows).fill(1) });
      variables[k]!.values[i] = v;
      variables[k]!.nulls[i] = 0;
    });
    return undefined;
  });
  const dir = await mkdtemp(join(tmpdir(), 'marquetry-msg-'));
  try {
    const asText = fileBytes(join(dir, 'text.parquet'), rows, [{ name: 'msg', kind: 'string', values: texts.map((t) => t ?? undefined) }]);
    const templateOnly = fileBytes(join(dir, 'templates.parquet'), rows, [{ name: 'template', kind: 'string', values: templates }]);
    const split = fileBytes(join(dir, 'split.parquet'), rows, [
      { name: 'template', kind: 'string', values: templates },
      ...variables.map((v, k) => ({ name: `var${k}`, kind: 'int64' as const, values: v.values, nulls: v.nulls })),
    ]);
    console.log(
      JSON.stringify({
        rows,
        distinctTemplates: new Set(templates).size,
        variableColumns: variables.length,
        textBytesPerRecord: asText / rows,
        templateBytesPerRecord: templateOnly / rows,
        splitBytesPerRecord: split / rows,
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
    conn.closeSync();
    db.closeSync();
  }
}

await main();
