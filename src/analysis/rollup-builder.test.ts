// Rollups built by the flush's regrouping worker: the same file, row for row
// and sketch byte for sketch byte, as DuckDB's GROUP BY of the part's spans
// (computeRollups, then writeRollupFile).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readParquetSql, sqlString } from '../engine/duckdb.js';
import { CREATED_BY } from '../parts/parquet/writer.js';
import { generateBackground, storeDataset } from './compare-test-helpers.js';
import { computeRollups } from './rollup-compute.js';
import { readRollupFile, writeRollupFile } from './rollup-file.js';
import { RollupKeys } from './rollup-table.js';

describe('rollup builder', () => {
  it('writes with each flushed part the rollups DuckDB computes from its spans', async () => {
    const ds = await storeDataset(generateBackground(1500, 7, 0.03));
    try {
      const parts = ds.store.catalog.snapshot.parts;
      assert.ok(parts.length > 0);
      for (const part of parts) {
        assert.ok(part.rollupPath, `part ${part.id} has rollups`);
        const mine = join(ds.dataDir, part.rollupPath);
        const [meta] = await ds.engine.all(`SELECT created_by FROM parquet_file_metadata(${sqlString(mine)})`);
        assert.equal(meta!['created_by'], CREATED_BY, 'written by the flush worker, not by DuckDB');
        const keys = new RollupKeys();
        const partPath = join(ds.dataDir, part.path);
        const theirs = join(ds.dataDir, `${part.id}.reference.rollup.parquet`);
        await writeRollupFile(ds.engine, theirs, (await computeRollups(ds.engine, [partPath], keys)).get(partPath)!, keys);
        const rows = (path: string) => ds.engine.all(`SELECT * EXCLUDE (file_row_number) FROM ${readParquetSql([path], { fileRowNumber: true })} ORDER BY file_row_number`);
        const expected = await rows(theirs);
        assert.ok(expected.length > 10, 'the rollups have rows');
        assert.deepEqual(await rows(mine), expected);
        const [kv] = await ds.engine.all(
          `SELECT (SELECT list(key::VARCHAR || '=' || value::VARCHAR ORDER BY key) FROM parquet_kv_metadata(${sqlString(mine)})) AS a, ` +
            `(SELECT list(key::VARCHAR || '=' || value::VARCHAR ORDER BY key) FROM parquet_kv_metadata(${sqlString(theirs)})) AS b`,
        );
        assert.deepEqual(kv!['a'], kv!['b']);
        // and the store reads it back as the same table
        const back = await readRollupFile(ds.engine, mine, keys);
        assert.deepEqual(back, await readRollupFile(ds.engine, theirs, keys));
      }
    } finally {
      await ds.close();
    }
  });
});
