import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logRowColumns } from './log-columns.js';
import { decodeJsonLines } from '../receive/json-lines-decode.js';
import type { ParquetColumn } from './parquet/writer.js';
import { EARLY_CHECK_VALUES } from './parquet/strings.js';

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
