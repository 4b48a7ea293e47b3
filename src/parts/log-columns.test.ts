import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOG_STAGING_SCHEMA, logRowColumns } from './log-columns.js';
import { decodeJsonLines } from '../receive/json-lines-decode.js';
import type { ParquetColumn } from './parquet/writer.js';
import { EARLY_CHECK_VALUES } from './parquet/strings.js';
import { LogBatchBuilder } from '../model/log-batch-builder.js';
import type { LogBatch } from '../model/log-batch.js';
import { ColumnArrayPool } from './column-array-pool.js';
import { encodeParquet, writeParquetFile } from './parquet/writer.js';
import { readParquetRows, withDuckDB, withTempDir } from './parquet/testing.js';
import { join } from 'node:path';

type EntriesColumn = Extract<ParquetColumn, { kind: 'string-entries' }>;

/** One staging file's row columns of `records` JSON-lines records, record i made by `record(i)`. */
function stagedColumns(records: number, record: (i: number) => object): Map<string, ParquetColumn> {
  const lines = Array.from({ length: records }, (_, i) => JSON.stringify(record(i))).join('\n');
  const { batch, errors } = decodeJsonLines(new TextEncoder().encode(lines), { stream: 'app', timeField: '', severityField: '', receivedNs: 1n });
  assert.deepEqual(errors, []);
  return new Map(logRowColumns([batch]).map((c) => [c.name, c]));
}

/** A text column's values by row, from its entries (null rows undefined). */
function textValues(column: ParquetColumn | undefined): (string | undefined)[] {
  assert.equal(column?.kind, 'string-entries');
  const { entries, entryStarts, indices, nulls } = column as EntriesColumn;
  return Array.from(indices, (e, row) => (nulls?.[row] ? undefined : Buffer.from(entries.subarray(entryStarts[e]! + 4, entryStarts[e + 1]!)).toString('utf8')));
}

describe('logRowColumns: text body fields that are mostly new (messages)', () => {
  const records = EARLY_CHECK_VALUES * 2;
  // a message that repeats now and then (every 5th record's is an earlier one), a level that always repeats
  const logLine = (file: number) => (i: number) => ({ message: `order ${i % 5 === 0 ? i >> 3 : file * records + i} créé`, severity: ['info', 'warn'][i % 2] });

  it('stages a field found mostly new in the last file with an entry per row (written PLAIN), the same values read back', () => {
    const first = stagedColumns(records, logLine(0));
    assert.notEqual((first.get('body.message') as EntriesColumn).ownEntries, true, 'the first file numbers them');
    for (let file = 1; file <= 2; file++) {
      const columns = stagedColumns(records, logLine(file));
      const message = columns.get('body.message') as EntriesColumn;
      assert.equal(message.ownEntries, true, `file ${file}: an entry per row`);
      assert.equal(message.entryStarts.length - 1, records);
      assert.deepEqual(textValues(message), Array.from({ length: records }, (_, i) => logLine(file)(i).message));
      const severity = columns.get('body.severity') as EntriesColumn;
      assert.notEqual(severity.ownEntries, true, 'a repeating field keeps its dictionary');
      assert.equal(severity.entryStarts.length - 1, 2);
      assert.deepEqual(textValues(severity), Array.from({ length: records }, (_, i) => logLine(file)(i).severity));
    }
  });

  it('numbers such a field again, within sixteen files, once its values repeat', () => {
    stagedColumns(records, (i) => ({ note: `note ${i}` }));
    assert.equal((stagedColumns(records, (i) => ({ note: `note ${i}` })).get('body.note') as EntriesColumn).ownEntries, true);
    let file = 0;
    let column: EntriesColumn;
    do column = stagedColumns(records, (i) => ({ note: `note ${i % 10}` })).get('body.note') as EntriesColumn;
    while (column.ownEntries === true && ++file < 16);
    assert.notEqual(column.ownEntries, true);
    assert.equal(column.entryStarts.length - 1, 10);
    assert.deepEqual(textValues(column), Array.from({ length: records }, (_, i) => `note ${i % 10}`));
  });
});

/** A batch of `records` OTLP-like records over three resources and scopes, with severity texts, event names and streams that vary (some empty). */
function mixedBatch(records: number, seed: number): LogBatch {
  const b = new LogBatchBuilder();
  const resources = [b.addResource('', 0), b.addResource(`https://schema/${seed}`, 0), b.addResource('', 2)];
  resources.forEach((r, k) => b.setResourceServiceName(r, k === 2 ? '' : `svc-${seed}-${k}`));
  const scopes = [b.addScope('', '', '', 0), b.addScope(`lib-${seed}`, '1.2.3', 'https://scope', 1), b.addScope('other', '', '', 0)];
  for (let i = 0; i < records; i++) {
    const r = b.addRecord(resources[(i >> 3) % 3]!, scopes[(i >> 2) % 3]!, i % 7 === 0 ? 'other-stream' : 'app');
    b.timeUnixNano[r] = BigInt(1_000 + i);
    b.severityText[r] = ['', 'INFO', 'warn', `level-${(i * seed) % 11}`][i % 4]!;
    b.eventName[r] = i % 5 === 0 ? `event.${i % 3}` : '';
    if (i % 9 === 0) b.flags[r] = 1;
  }
  return b.finish();
}

/** The hot text columns as the writer took them before (a JS string per row, '' as null where nullable): the reference. */
function referenceTextRows(batches: readonly LogBatch[]): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const b of batches) {
    for (let i = 0; i < b.length; i++) {
      const res = b.resource[i]!;
      const sc = b.scope[i]!;
      rows.push({
        severity_text: b.severityText[i] || null,
        service_name: b.resources.serviceName[res],
        stream: b.stream[i],
        event_name: b.eventName[i] || null,
        scope_name: b.scopes.name[sc] || null,
        scope_version: b.scopes.version[sc] || null,
        scope_schema_url: b.scopes.schemaUrl[sc] || null,
        resource_schema_url: b.resources.schemaUrl[res] || null,
      });
    }
  }
  return rows;
}

describe('logRowColumns: the hot text columns', () => {
  it('stages each record\'s severity text, service, stream, event name and scope and resource fields as the string rows it has, also in arrays the pool lends again', async () => {
    await withTempDir(async (dir) => {
      await withDuckDB(async (connection) => {
        const pool = new ColumnArrayPool();
        for (let seal = 0; seal < 3; seal++) {
          const batches = [mixedBatch(700 + seal * 300, seal + 1), mixedBatch(450, seal + 7)];
          const rows = batches.reduce((n, b) => n + b.length, 0);
          const columns = logRowColumns(batches, pool);
          const path = join(dir, `seal-${seal}.parquet`);
          await writeParquetFile(path, rows, columns, { durable: false });
          const names = Object.keys(referenceTextRows(batches)[0]!);
          const read = (await readParquetRows(connection, path)).map((row) => Object.fromEntries(names.map((n) => [n, row[n]])));
          assert.deepEqual(read, referenceTextRows(batches), `seal ${seal}`);
          // the next seal takes these arrays again, dirty
          pool.recycle(columns.filter((c) => c.name !== 'trace_id' && c.name !== 'time_unix_nano'));
        }
      });
    });
  });

  it('gives staging files of the schema\'s recycled arrays the same bytes as of fresh ones', () => {
    const lines = (from: number, n: number): Uint8Array =>
      new TextEncoder().encode(Array.from({ length: n }, (_, k) => JSON.stringify({ ts: `2026-03-01T10:00:0${k % 10}.5Z`, level: ['info', 'WARN', ''][k % 3], msg: `request ${from + k} done`, http: { status: 200 + (k % 4) }, ...(k % 6 === 0 ? { tags: ['a', k] } : {}) })).join('\n'));
    const batches = [0, 1, 2, 3].map((r) => decodeJsonLines(lines(r * 1000, 300 + r * 150), { stream: `s${r % 2}`, timeField: 'ts', severityField: 'level', receivedNs: 5n }).batch);
    batches.push(mixedBatch(500, 3));
    const schema = LOG_STAGING_SCHEMA;
    // seals of different sizes, each one's arrays recycled into the next
    for (const seal of [batches.slice(0, 3), batches.slice(3), batches.slice(1, 3), batches]) {
      const rows = seal.reduce((n, b) => n + b.length, 0);
      const columns = schema.rowColumns(seal);
      const file = Buffer.concat(encodeParquet(rows, columns));
      schema.recycle!(columns.filter((c) => c.name !== schema.traceIdColumn && c.name !== schema.timeColumn));
      assert.ok(file.equals(Buffer.concat(encodeParquet(rows, logRowColumns(seal)))), `a seal of ${rows} rows`);
    }
  });
});
