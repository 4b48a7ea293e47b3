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
});
