import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_DEDICATED_COLUMNS } from '../src/parts/schema.js';
import { writeParquetFile } from '../src/parts/parquet/writer.js';
import { countSpans, spanRowColumns } from '../src/parts/span-columns.js';
import { SpanBatchBuilder } from '../src/model/span-batch-builder.js';
import { Rng } from '../src/loadgen/rng.js';
import { generateTraces } from '../src/loadgen/trace-generator.js';
import { planComparison } from '../src/analysis/compare-plan.js';
import { ClickHousePeer } from './clickhouse.js';
import { comparisonSql, overviewSql } from './clickhouse-analysis.js';
import { PartReader } from './part-reader.js';

// Recent times: seed 001's TTL (3 days) would drop older rows on OPTIMIZE FINAL.
const NOW_NS = BigInt(Date.now()) * 1_000_000n;
/** Dimensions with fewer values than our plan's candidates per criterion, so every value with a target span is returned. */
const SMALL_DIMENSIONS = new Set(['resource.service.name', 'span.http.route', 'span.db.system', 'span.http.request.method']);

describe('ClickHouse analysis questions', () => {
  it('counts target and baseline per value as our comparison does, and requests per service as the overview', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marquetry-bench-clickhouse-analysis-'));
    const reader = await PartReader.open(1);
    let peer: ClickHousePeer | undefined;
    try {
      const builder = new SpanBatchBuilder();
      generateTraces(builder, { traces: 80, rng: new Rng(5), nowUnixNano: NOW_NS, errorRate: 0.2 });
      const batch = builder.finish();
      const part = join(dir, 'part.parquet');
      await writeParquetFile(part, countSpans([batch]), spanRowColumns([batch], DEFAULT_DEDICATED_COLUMNS));
      await mkdir(join(dir, 'ch'));
      peer = await ClickHousePeer.open(join(dir, 'ch'));
      peer.createSchema();
      peer.load([part]);

      const startMs = Number(NOW_NS / 1_000_000n) - 3_600_000;
      const endMs = Number(NOW_NS / 1_000_000n) + 3_600_000;
      const columns = new Set((await reader.rows(`DESCRIBE SELECT * FROM read_parquet('${part}')`)).map((r) => String(r['column_name'])));
      const plan = planComparison(
        { files: [part], columns, estimatedSpans: batch.length },
        { startNs: BigInt(startMs) * 1_000_000n, endNs: BigInt(endMs) * 1_000_000n, target: { kind: 'errors' }, baseline: { kind: 'rest' }, level: 'span', limit: 1000, maxSpans: 0 },
      );
      const ours = new Map<string, string>();
      for (const r of await reader.rows(plan.sql)) {
        const col = Number(r['col']);
        if (col < 0 || Number(r['nt']) === 0) continue;
        const d = plan.dimensions[col]!;
        if (d.mode === 'value' && SMALL_DIMENSIONS.has(d.label)) ours.set(`${d.label}=${r['val']}`, `${r['nt']}/${r['nb']}`);
      }
      const theirs = new Map<string, string>();
      for (const r of peer.rows(comparisonSql({ startMs, endMs, target: 'errors', perDimension: 1000 }))) {
        if (SMALL_DIMENSIONS.has(String(r['dimension']))) theirs.set(`${r['dimension']}=${r['value']}`, `${r['nt']}/${r['nb']}`);
      }
      assert.ok(ours.size > 10, `${ours.size} values compared`);
      assert.deepEqual([...theirs].sort(), [...ours].sort());

      const perService = new Map<string, number>();
      for (const r of peer.rows(overviewSql({ startMs, endMs, stepSeconds: 60, quantiles: 'quantilesExact' }))) {
        // the per-service totals set: no step, no operation
        if (String(r['t']).startsWith('1970-') && r['op'] === '') perService.set(String(r['ServiceName']), Number(r['requests']));
      }
      const counted = await reader.rows(`SELECT service_name, count(*) AS n FROM read_parquet('${part}') GROUP BY 1`);
      assert.deepEqual(perService, new Map(counted.map((r) => [String(r['service_name']), Number(r['n'])])));
    } finally {
      peer?.close();
      reader.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
