// A flush bigger than one part is split by trace-id range into several parts
// of the same day: each part's companions (service-health rollups, span
// cube, trace summary) must count that part's spans only — not the whole flush once per part.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../config/config.js';
import { Engine, readParquetSql } from '../engine/duckdb.js';
import { encodeExportTraceServiceRequest } from '../receive/otlp-proto-encode.js';
import { generateBackground } from '../analysis/compare-test-helpers.js';
import { TraceStore } from './trace-store.js';

async function valueOf(engine: Engine, sql: string): Promise<string> {
  const [row] = await engine.all(sql);
  return String(row!['v']);
}

async function sumOf(engine: Engine, path: string, column: string): Promise<number> {
  const [row] = await engine.all(`SELECT coalesce(sum(${column}), 0)::BIGINT AS n FROM ${readParquetSql([path])}`);
  return Number(row!['n']);
}

describe('a flush split into several parts of one day', () => {
  it('gives each part rollups, a cube and a trace summary of its own spans', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'marquetry-split-'));
    const store = await TraceStore.open({ ...defaultConfig(), dataDir, walFsync: false, flushIntervalMs: 3_600_000, compactIntervalMs: 3_600_000, partMaxSpans: 2_000 });
    const engine = await Engine.create({ dataDir, threads: 1, memoryLimit: '512MB' });
    try {
      const batch = generateBackground(400, 5, 0.05);
      await store.ingestOtlp('proto', encodeExportTraceServiceRequest(batch));
      await store.flush();
      const parts = store.catalog.snapshot.parts;
      assert.ok(parts.length >= 2, `${batch.length} spans in parts of at most 2000: ${parts.length} part(s)`);
      assert.equal(new Set(parts.map((p) => p.day)).size, 1, 'all of one day');
      assert.equal(
        parts.reduce((n, p) => n + p.rows, 0),
        batch.length,
      );
      for (const p of parts) {
        assert.ok(p.rollupPath && p.cubePath && p.summaryPath, `${p.id} has its companions`);
        assert.equal(await sumOf(engine, join(dataDir, p.rollupPath), 'span_count'), p.rows, `rollups of ${p.id} count its ${p.rows} spans`);
        assert.equal(await sumOf(engine, join(dataDir, p.cubePath), 'span_count'), p.rows, `cube of ${p.id} counts its ${p.rows} spans`);
        assert.equal(await sumOf(engine, join(dataDir, p.summaryPath), 'span_count'), p.rows, `trace summary of ${p.id} counts its ${p.rows} spans`);
      }
      // and the overview from rollups agrees with the spans
      const errors = Array.from(batch.statusCode).filter((c) => c === 2).length;
      let rollupErrors = 0;
      for (const p of parts) rollupErrors += await sumOf(engine, join(dataDir, p.rollupPath!), 'error_count');
      assert.equal(rollupErrors, errors);
    } finally {
      engine.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  // the worker writes each column into arrays the next column reuses, except
  // the columns the companions keep until the part's last column (sorted-run.ts)
  it("builds the companions from the part's own durations and start times, not from a later column's values", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'marquetry-split-'));
    const store = await TraceStore.open({ ...defaultConfig(), dataDir, walFsync: false, flushIntervalMs: 3_600_000, compactIntervalMs: 3_600_000, partMaxSpans: 2_000 });
    const engine = await Engine.create({ dataDir, threads: 1, memoryLimit: '512MB' });
    try {
      await store.ingestOtlp('proto', encodeExportTraceServiceRequest(generateBackground(400, 5, 0.05)));
      await store.flush();
      for (const p of store.catalog.snapshot.parts) {
        const part = readParquetSql([join(dataDir, p.path)]);
        const rollups = readParquetSql([join(dataDir, p.rollupPath!)]);
        const summary = readParquetSql([join(dataDir, p.summaryPath!)]);
        assert.equal(
          await valueOf(engine, `SELECT sum(duration_sum_nano)::VARCHAR || ' ' || max(duration_max_nano)::VARCHAR AS v FROM ${rollups}`),
          await valueOf(engine, `SELECT sum(duration_nano)::VARCHAR || ' ' || max(duration_nano)::VARCHAR AS v FROM ${part}`),
          `rollups of ${p.id}: the part's durations`,
        );
        assert.equal(
          await valueOf(engine, `SELECT sum(start_time_unix_nano)::VARCHAR AS v FROM ${summary}`),
          await valueOf(engine, `SELECT sum(first)::VARCHAR AS v FROM (SELECT min(start_time_unix_nano) AS first FROM ${part} GROUP BY trace_id)`),
          `trace summary of ${p.id}: each trace's first start`,
        );
      }
    } finally {
      engine.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
