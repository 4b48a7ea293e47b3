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
import { ClickHousePeer } from './clickhouse.js';
import { PartReader } from './part-reader.js';
import { writeSortedRuns } from '../src/parts/sorted-run.js';
import { EVENTS_COMPACT_COLUMN, EVENTS_JSON_COLUMN } from '../src/parts/events-compact.js';

// Recent times: seed 001's TTL (3 days) would drop older rows on OPTIMIZE FINAL.
const NOW_NS = BigInt(Date.now()) * 1_000_000n;

describe('ClickHouse peer', () => {
  it('loads every span of a part into otel_traces and finds each trace by id with the seed query', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marquetry-bench-clickhouse-'));
    const reader = await PartReader.open(1);
    let peer: ClickHousePeer | undefined;
    try {
      const builder = new SpanBatchBuilder();
      generateTraces(builder, { traces: 60, rng: new Rng(11), nowUnixNano: NOW_NS, errorRate: 0.2 });
      const batch = builder.finish();
      const part = join(dir, 'part.parquet');
      await writeParquetFile(part, countSpans([batch]), spanRowColumns([batch], DEFAULT_DEDICATED_COLUMNS));
      const ours = await reader.rows(
        `SELECT count(*) AS spans, count(events) AS with_events, count("span.http.route") AS with_route FROM read_parquet('${part}')`,
      );

      await mkdir(join(dir, 'ch'));
      peer = await ClickHousePeer.open(join(dir, 'ch'));
      peer.createSchema();
      peer.load([part]);
      assert.equal(peer.tableSize('otel_traces').rows, batch.length);
      const [theirs] = peer.rows(
        `SELECT count() AS spans, countIf(length(\`Events.Name\`) > 0) AS with_events, countIf(mapContains(SpanAttributes, 'http.route')) AS with_route, ` +
          `countIf(ResourceAttributes['service.name'] = ServiceName) AS named, countIf(length(TraceId) = 32 AND length(SpanId) = 16) AS hex_ids, ` +
          `countIf(StatusCode = 'STATUS_CODE_ERROR') AS errors, countIf(SpanKind = 'SPAN_KIND_UNSPECIFIED') AS unspecified FROM otel_traces`,
      );
      assert.equal(Number(theirs!['spans']), Number(ours[0]!['spans']));
      assert.equal(Number(theirs!['with_events']), Number(ours[0]!['with_events']));
      assert.equal(Number(theirs!['with_route']), Number(ours[0]!['with_route']));
      assert.equal(Number(theirs!['named']), batch.length);
      assert.equal(Number(theirs!['hex_ids']), batch.length);
      assert.ok(Number(theirs!['errors']) > 0, 'a 20 % error rate leaves error spans');
      assert.equal(Number(theirs!['unspecified']), 0);

      const traces = await reader.sampleTraces([part], 10, 1);
      assert.equal(traces.length, 10);
      const stats = peer.lookupTraces(traces);
      assert.equal(stats.wrong, 0);

      // the same spans regrouped as a flush writes them, events compact: ClickHouse gets the same events
      const compactPart = join(dir, 'compact.parquet');
      const { layout } = await writeParquetFile(join(dir, 'staged.parquet'), batch.length, spanRowColumns([batch], DEFAULT_DEDICATED_COLUMNS));
      const result = writeSortedRuns({
        sources: [{ path: join(dir, 'staged.parquet'), layout: layout! }],
        runs: [{ outPath: compactPart, rows: Uint32Array.from({ length: batch.length }, (_, i) => i) }],
        compactEvents: true,
      });
      assert.deepEqual(result.storedAs, [{ [EVENTS_JSON_COLUMN]: [EVENTS_COMPACT_COLUMN] }]);
      const events = 'SELECT SpanId, `Events.Timestamp`, `Events.Name`, `Events.Attributes` FROM otel_traces ORDER BY SpanId';
      const fromJson = peer.rows(events);
      assert.ok(fromJson.filter((r) => (r['Events.Name'] as unknown[]).length > 0).length > 10, 'spans with events');
      peer.rows('TRUNCATE TABLE otel_traces');
      peer.load([compactPart]);
      assert.deepEqual(peer.rows(events), fromJson);
    } finally {
      peer?.close();
      reader.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
