import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ColumnArrayPool } from './column-array-pool.js';
import { buildRequestPool } from '../loadgen/request-pool.js';
import { Rng } from '../loadgen/rng.js';
import { decodeExportTraceServiceRequest } from '../receive/otlp-proto-decode.js';
import { encodeExportTraceServiceRequest } from '../receive/otlp-proto-encode.js';
import { encodeParquet } from './parquet/writer.js';
import { DEFAULT_DEDICATED_COLUMNS } from './schema.js';
import { spanRowColumns, spanStagingSchema } from './span-columns.js';

describe('ColumnArrayPool', () => {
  it('lends the arrays of recycled columns again, zeroed or filled as asked', () => {
    const pool = new ColumnArrayPool();
    const indices = pool.uint32(1000);
    const nulls = pool.uint8(1000, 1);
    indices.fill(7);
    nulls.fill(0);
    pool.recycle([{ name: 'a', kind: 'string-entries', entries: new Uint8Array(0), entryStarts: new Uint32Array(1), indices, nulls }]);
    const again = pool.uint32(900);
    const mask = pool.uint8(1000, 1);
    assert.equal(again.buffer, indices.buffer, 'the recycled buffer serves a smaller array of its size class');
    assert.equal(mask.buffer, nulls.buffer);
    assert.equal(again.length, 900);
    assert.ok(again.every((v) => v === 0));
    assert.ok(mask.every((v) => v === 1));
  });

  it('never lends an array twice while it is in use, nor takes back one it did not lend', () => {
    const pool = new ColumnArrayPool();
    const inUse = pool.bigint64(100);
    const other = pool.bigint64(100);
    assert.notEqual(inUse.buffer, other.buffer);
    const foreign = new Float64Array(100);
    pool.recycle([{ name: 'x', kind: 'double', values: foreign }]);
    assert.notEqual(pool.float64(100).buffer, foreign.buffer);
    pool.recycle([{ name: 'y', kind: 'int64', values: other }]);
    pool.recycle([{ name: 'y', kind: 'int64', values: other }]);
    const first = pool.bigint64(100);
    const second = pool.bigint64(100);
    assert.equal(first.buffer, other.buffer);
    assert.notEqual(second.buffer, other.buffer, 'recycled twice, lent once');
    assert.notEqual(second.buffer, inUse.buffer);
  });

  it('gives staging files of recycled arrays the same bytes as of fresh ones', () => {
    const requests = buildRequestPool({ encode: encodeExportTraceServiceRequest, requests: 4, spansPerRequest: 300, rng: new Rng(7), nowUnixNano: 1_700_000_000_000_000_000n });
    const batches = requests.map((r) => decodeExportTraceServiceRequest(r.body).batch);
    const schema = spanStagingSchema(DEFAULT_DEDICATED_COLUMNS);
    const fileOf = (columns: ReturnType<typeof spanRowColumns>, rows: number): Buffer => Buffer.concat(encodeParquet(rows, columns));
    // seals of different sizes, each one's arrays recycled into the next
    for (const seal of [batches.slice(0, 3), batches.slice(3), batches.slice(1, 3), batches]) {
      const rows = seal.reduce((n, b) => n + b.length, 0);
      const columns = schema.rowColumns(seal);
      const file = fileOf(columns, rows);
      schema.recycle!(columns.filter((c) => c.name !== schema.traceIdColumn && c.name !== schema.timeColumn));
      assert.ok(file.equals(fileOf(spanRowColumns(seal, DEFAULT_DEDICATED_COLUMNS), rows)), `a seal of ${rows} rows`);
    }
  });
});
