// The life of parts on disk: compaction merges a day's level-0 parts into one,
// retention drops whole parts past their time, and a restart over the same
// data folder (clean, or from a crash image) keeps every span exactly once.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeExportTraceServiceRequest } from '../../src/receive/otlp-proto-encode.js';
import { hexOf } from '../../src/model/hex.js';
import type { SpanBatch } from '../../src/model/span-batch.js';
import type { ServerConfig } from '../../src/config/config.js';
import { eventually, getJson, startTestServer, type TestServer } from '../helpers/test-server.js';
import { syntheticBatch } from '../helpers/synthetic-spans.js';
import { postOtlpProto } from '../helpers/otlp-json.js';
import { catalogPartPaths, duckdbRows, exists, parquetList, readCatalogFromDisk, shiftBatchTo } from '../helpers/part-files.js';

const NS_PER_DAY = 86_400_000_000_000n;
const MS_PER_DAY = 86_400_000;
/** Background flush and compaction stay out of the way: the tests call them. */
const MANUAL: Partial<ServerConfig> = { flushIntervalMs: 3_600_000, compactIntervalMs: 3_600_000 };

function traceIds(batch: SpanBatch): string[] {
  const ids = new Set<string>();
  for (let i = 0; i < batch.length; i++) ids.add(hexOf(batch.traceId, i * 16, 16));
  return [...ids];
}

function spanIdsOf(batch: SpanBatch, traceId: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < batch.length; i++) if (hexOf(batch.traceId, i * 16, 16) === traceId) out.push(hexOf(batch.spanId, i * 8, 8));
  return out.sort();
}

/** Span ids the trace API returns for a trace; [] when 404. */
async function storedSpanIds(server: TestServer, traceId: string): Promise<string[]> {
  const r = await getJson(`${server.apiUrl}/api/traces/${traceId}`);
  if (r.status === 404) return [];
  assert.equal(r.status, 200);
  const ids: string[] = [];
  for (const rs of r.body.batches) for (const ss of rs.scopeSpans) for (const s of ss.spans) ids.push(s.spanId);
  return ids.sort();
}

/** Every span of every batch is returned exactly once by the trace API. */
async function assertEachSpanOnce(server: TestServer, batches: SpanBatch[]): Promise<void> {
  for (const batch of batches) {
    for (const id of traceIds(batch)) assert.deepEqual(await storedSpanIds(server, id), spanIdsOf(batch, id), `trace ${id}`);
  }
}

async function ingest(server: TestServer, batch: SpanBatch): Promise<void> {
  const r = await postOtlpProto(server.otlpUrl, encodeExportTraceServiceRequest(batch));
  assert.equal(r.status, 200);
}

async function partRowStats(dataDir: string): Promise<{ rows: number; distinctSpans: number }> {
  const paths = await catalogPartPaths(dataDir);
  const [r] = await duckdbRows(`SELECT count(*) AS rows, count(DISTINCT span_id) AS spans FROM ${parquetList(paths)}`);
  return { rows: Number(r!['rows']), distinctSpans: Number(r!['spans']) };
}

describe('compaction', () => {
  it('merges a day of level-0 parts into one level-1 part, deletes the old files and keeps every trace once', async () => {
    const server = await startTestServer(MANUAL);
    try {
      // A fixed minute of today (UTC), so every part falls on the same day.
      const dayStartNs = (BigInt(Date.now()) / NS_PER_DAY) * NS_PER_DAY + 60_000_000_000n;
      const batches: SpanBatch[] = [];
      for (let k = 0; k < 5; k++) {
        const batch = shiftBatchTo(syntheticBatch(10, 5, `compact-${k}`), dayStartNs + BigInt(k) * 1_000_000_000n);
        batches.push(batch);
        await ingest(server, batch);
        await server.store.flush();
      }
      const dataDir = server.config.dataDir;
      const before = await readCatalogFromDisk(dataDir);
      assert.equal(before.parts.length, 5);
      assert.ok(before.parts.every((p) => p.level === 0 && p.day === before.parts[0]!.day));
      const oldFiles = before.parts.flatMap((p) => [join(dataDir, p.path), join(dataDir, p.traceIndexPath!)]);

      assert.equal(await server.store.compact(), 5, 'five parts merged away');

      const after = await readCatalogFromDisk(dataDir);
      assert.equal(after.parts.length, 1);
      const merged = after.parts[0]!;
      assert.equal(merged.level, 1);
      assert.equal(merged.day, before.parts[0]!.day);
      assert.equal(merged.rows, 250);
      assert.deepEqual(merged.services, ['compact-0', 'compact-1', 'compact-2', 'compact-3', 'compact-4']);
      assert.ok(await exists(join(dataDir, merged.path)));
      assert.ok(await exists(join(dataDir, merged.traceIndexPath!)));
      await eventually(async () => ((await Promise.all(oldFiles.map(exists))).some(Boolean) ? undefined : true), 5000, 'old part files deleted');

      assert.deepEqual(await partRowStats(dataDir), { rows: 250, distinctSpans: 250 });
      await assertEachSpanOnce(server, batches);
      const all = await getJson(`${server.apiUrl}/api/search?q=%7B%7D&limit=100&spss=10`);
      assert.equal(all.body.traces.length, 50);
      assert.ok(all.body.traces.every((t: any) => t.spanSets[0].matched === 5 && t.rootTraceName === 'GET /checkout'));
      assert.equal(await server.store.compact(), 0, 'nothing more to merge');
    } finally {
      await server.dispose();
    }
  });
});

describe('retention', () => {
  it('drops whole parts older than the retention period and keeps the fresh ones', async () => {
    const server = await startTestServer({ ...MANUAL, retentionMs: MS_PER_DAY });
    try {
      const nowNs = BigInt(Date.now()) * 1_000_000n;
      const old = shiftBatchTo(syntheticBatch(5, 4, 'old-svc'), nowNs - 3n * NS_PER_DAY);
      const fresh = shiftBatchTo(syntheticBatch(5, 4, 'fresh-svc'), nowNs - 60_000_000_000n);
      await ingest(server, old);
      await ingest(server, fresh);
      await server.store.flush();
      const dataDir = server.config.dataDir;
      const before = await readCatalogFromDisk(dataDir);
      assert.equal(before.parts.length, 2, 'one part per day');
      const oldPart = before.parts.find((p) => BigInt(p.maxStartNs) < nowNs - NS_PER_DAY)!;
      assert.ok(oldPart, 'a part of three days ago');
      assert.equal(oldPart.rows, 20);

      await server.store.compact();

      const after = await readCatalogFromDisk(dataDir);
      assert.deepEqual(after.parts.map((p) => p.id), before.parts.filter((p) => p !== oldPart).map((p) => p.id));
      await eventually(async () => ((await exists(join(dataDir, oldPart.path))) ? undefined : true), 5000, 'expired part file deleted');
      for (const id of traceIds(old)) assert.equal((await getJson(`${server.apiUrl}/api/traces/${id}`)).status, 404, `old trace ${id}`);
      await assertEachSpanOnce(server, [fresh]);
      const all = await getJson(`${server.apiUrl}/api/search?q=%7B%7D&limit=100`);
      assert.deepEqual(all.body.traces.map((t: any) => t.traceID).sort(), traceIds(fresh).sort());
      assert.deepEqual((await getJson(`${server.apiUrl}/api/v1/services`)).body.services, ['fresh-svc']);
    } finally {
      await server.dispose();
    }
  });
});

describe('restart over the same data folder', () => {
  it('keeps flushed and unflushed spans queryable after a clean stop and start', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'marquetry-restart-'));
    try {
      const first = await startTestServer({ ...MANUAL, dataDir });
      const flushed = syntheticBatch(10, 5, 'flushed');
      const unflushed = syntheticBatch(10, 5, 'unflushed');
      await ingest(first, flushed);
      await first.store.flush();
      await ingest(first, unflushed);
      await first.dispose();

      const second = await startTestServer({ ...MANUAL, dataDir });
      try {
        assert.equal(second.store.stats().partRows, 100);
        await assertEachSpanOnce(second, [flushed, unflushed]);
        assert.equal((await getJson(`${second.apiUrl}/api/search?q=%7B%7D&limit=100`)).body.traces.length, 20);
        assert.deepEqual(await partRowStats(dataDir), { rows: 100, distinctSpans: 100 });
      } finally {
        await second.dispose();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('replays acknowledged spans from the WAL of a crash image exactly once, also on a second start', async () => {
    const liveDir = await mkdtemp(join(tmpdir(), 'marquetry-live-'));
    const imageDir = await mkdtemp(join(tmpdir(), 'marquetry-image-'));
    try {
      const live = await startTestServer({ ...MANUAL, dataDir: liveDir });
      const inParts = syntheticBatch(10, 5, 'in-parts');
      const inWal = syntheticBatch(10, 5, 'in-wal');
      await ingest(live, inParts);
      await live.store.flush();
      await ingest(live, inWal);
      assert.equal(live.store.stats().partRows, 50, 'the second batch is only in the WAL and the head');
      // The folder as a crash would leave it: acknowledged spans of the second batch only in the WAL.
      await cp(liveDir, imageDir, { recursive: true });
      await live.dispose();

      for (let start = 1; start <= 2; start++) {
        const server = await startTestServer({ ...MANUAL, dataDir: imageDir });
        try {
          assert.equal(server.store.stats().partRows, 100, `start ${start}: WAL replayed into parts`);
          await assertEachSpanOnce(server, [inParts, inWal]);
          assert.deepEqual(await partRowStats(imageDir), { rows: 100, distinctSpans: 100 });
        } finally {
          await server.dispose();
        }
      }
    } finally {
      await rm(liveDir, { recursive: true, force: true });
      await rm(imageDir, { recursive: true, force: true });
    }
  });
});
