// Trace summaries built by the flush's regrouping worker: the same rows as
// DuckDB's GROUP BY of the part's spans (summaryFromSpansSql), on a flushed
// store's parts and on hand-made spans with every edge a summary has.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, readParquetSql, sqlString, type Row } from '../engine/duckdb.js';
import { CREATED_BY, writeParquetFileSync, type ParquetColumn } from './parquet/writer.js';
import { stringEntriesColumn } from './parquet/testing.js';
import { generateBackground, storeDataset } from '../analysis/compare-test-helpers.js';
import { summaryFromSpansSql, SUMMARY_SPAN_COLUMNS } from './trace-summary.js';
import { TraceSummaryBuilder } from './trace-summary-builder.js';

/** Rows of a summary file and of DuckDB's summary of `spansFile`, comparable (JSON maps parsed). */
async function bothSummaries(engine: Engine, summaryFile: string, spansFile: string): Promise<{ mine: Row[]; theirs: Row[] }> {
  const normal = (rows: Row[]) =>
    rows.map((r) => ({
      ...r,
      trace_id: Buffer.from(r['trace_id'] as Uint8Array).toString('hex'),
      spans_by_service: JSON.parse(String(r['spans_by_service'])) as unknown,
      errors_by_service: r['errors_by_service'] === null ? null : (JSON.parse(String(r['errors_by_service'])) as unknown),
    }));
  const mine = await engine.all(`SELECT * FROM ${readParquetSql([summaryFile], { fileRowNumber: true })} ORDER BY file_row_number`);
  const theirs = await engine.all(`${summaryFromSpansSql(`(SELECT ${SUMMARY_SPAN_COLUMNS} FROM ${readParquetSql([spansFile])})`)} ORDER BY trace_id`);
  return { mine: normal(mine.map(({ file_row_number: _, ...r }) => r)), theirs: normal(theirs) };
}

/** Spans as the worker holds a run's columns (sorted by trace id, then start), from rows of plain values. */
function spanColumns(
  spans: { trace: number; start: bigint; duration: bigint | null; parent: boolean; service: string | null; name: string | null; status: number }[],
): ParquetColumn[] {
  const n = spans.length;
  const traceId = new Uint8Array(16 * n);
  const parent = new Uint8Array(8 * n);
  const parentNulls = new Uint8Array(n);
  const durationNulls = new Uint8Array(n);
  spans.forEach((s, i) => {
    traceId[16 * i] = s.trace >> 8;
    traceId[16 * i + 1] = s.trace & 0xff;
    traceId[16 * i + 15] = 7;
    if (s.parent) parent[8 * i] = 1;
    else parentNulls[i] = 1;
    if (s.duration === null) durationNulls[i] = 1;
  });
  // distinct entries, as the worker's merged dictionaries are
  const text = (name: string, values: (string | null)[]): ParquetColumn => {
    const column = stringEntriesColumn(name, values.map((v) => v ?? undefined));
    return column.kind === 'string-entries' ? { ...column, distinctEntries: true } : column;
  };
  return [
    { name: 'trace_id', kind: 'fixed16', values: traceId },
    { name: 'parent_span_id', kind: 'fixed8', values: parent, nulls: parentNulls },
    text('name', spans.map((s) => s.name)),
    text('service_name', spans.map((s) => s.service)),
    { name: 'start_time_unix_nano', kind: 'int64', values: BigInt64Array.from(spans.map((s) => s.start)) },
    { name: 'duration_nano', kind: 'int64', values: BigInt64Array.from(spans.map((s) => s.duration ?? 0n)), nulls: durationNulls },
    { name: 'status_code', kind: 'int32', values: Int32Array.from(spans.map((s) => s.status)) },
  ];
}

describe('trace summary builder', () => {
  it('writes the rows DuckDB groups from spans: roots, nulls, ties, errors, times beyond 2^53 ns', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marquetry-summary-'));
    const engine = await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '1GB' });
    try {
      const t0 = 1_763_700_000_000_000_000n;
      const spans = [
        // a root and children, two services, one error
        { trace: 1, start: t0, duration: 5_000n, parent: false, service: 'frontend', name: 'GET /', status: 0 },
        { trace: 1, start: t0 + 10n, duration: 9_000n, parent: true, service: 'cart', name: 'add', status: 2 },
        { trace: 1, start: t0 + 20n, duration: 1n, parent: true, service: 'cart', name: 'db', status: 1 },
        // no root in the part; a span without a service (counted under "")
        { trace: 2, start: t0 - 50n, duration: 3n, parent: true, service: null, name: 'orphan', status: 2 },
        { trace: 2, start: t0 - 40n, duration: null, parent: true, service: 'ß-svc', name: 'x', status: 0 },
        // two roots: the earlier is the trace's; a root without a name
        { trace: 3, start: t0 + 100n, duration: 10n, parent: true, service: 'a', name: 'child', status: 0 },
        { trace: 3, start: t0 + 200n, duration: 10n, parent: false, service: 'b', name: null, status: 0 },
        { trace: 3, start: t0 + 300n, duration: 10n, parent: false, service: 'c', name: 'late root', status: 2 },
        // spans more than 2^53 ns apart and a huge duration (the bigint path)
        { trace: 4, start: 1n, duration: 2n, parent: false, service: 'old', name: 'first', status: 0 },
        { trace: 4, start: t0, duration: 1n << 60n, parent: true, service: 'new', name: 'second', status: 0 },
        // only a null duration
        { trace: 5, start: t0, duration: null, parent: false, service: 'z', name: 'solo', status: 0 },
      ];
      const columns = spanColumns(spans);
      const spansFile = join(dir, 'spans.parquet');
      writeParquetFileSync(spansFile, spans.length, columns);
      const summaryFile = join(dir, 'mine.summary.parquet');
      const builder = new TraceSummaryBuilder(1, { paths: [summaryFile] });
      for (const c of columns) builder.add(0, c);
      assert.deepEqual(builder.finish(), [true]);
      const { mine, theirs } = await bothSummaries(engine, summaryFile, spansFile);
      assert.equal(mine.length, 5);
      assert.deepEqual(mine, theirs);
      // a run without one of the columns gets no summary (DuckDB builds it)
      const partial = new TraceSummaryBuilder(1, { paths: [join(dir, 'none.summary.parquet')] });
      for (const c of columns) if (c.name !== 'status_code') partial.add(0, c);
      assert.deepEqual(partial.finish(), [false]);
    } finally {
      engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes with each flushed part the summary DuckDB groups from its spans', async () => {
    const ds = await storeDataset(generateBackground(1500, 7, 0.03));
    try {
      const parts = ds.store.catalog.snapshot.parts;
      assert.ok(parts.length > 0);
      for (const part of parts) {
        assert.ok(part.summaryPath, `part ${part.id} has a summary`);
        const mine = join(ds.dataDir, part.summaryPath);
        const [meta] = await ds.engine.all(`SELECT created_by FROM parquet_file_metadata(${sqlString(mine)})`);
        assert.equal(meta!['created_by'], CREATED_BY, 'written by the flush worker, not by DuckDB');
        const { mine: rows, theirs } = await bothSummaries(ds.engine, mine, join(ds.dataDir, part.path));
        assert.ok(rows.length > 10, 'the summary has rows');
        assert.deepEqual(rows, theirs);
      }
    } finally {
      await ds.close();
    }
  });
});
