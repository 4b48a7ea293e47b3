// Trace summaries: a search answers the same from them as from the spans —
// traces whose spans are in several parts and in the head included — and
// they stay consistent with their parts through compaction, restart,
// backfill and retention.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, type ServerConfig } from '../config/config.js';
import { Engine, readParquetSql } from '../engine/duckdb.js';
import { hexOf } from '../model/hex.js';
import type { SpanBatch } from '../model/span-batch.js';
import { encodeExportTraceServiceRequest } from '../receive/otlp-proto-encode.js';
import { generateBackground, resourceValues } from '../analysis/compare-test-helpers.js';
import { search, type SearchResponse } from '../query/search.js';
import { TraceIndexCache } from '../query/trace-lookup.js';
import type { PartInfo } from '../parts/catalog.js';
import { TraceStore } from './trace-store.js';

const QUERIES = [
  '{ status = error }',
  '{ resource.service.name = "frontend" }',
  '{ kind = server && duration > 5ms }',
  '{ status = error } && { kind = client }',
  '{ }',
  // trace-level intrinsics, joined from the summaries
  '{ trace:rootService = "frontend" && kind = client }',
  '{ traceDuration > 40ms } && { status = error }',
  '{ rootName =~ "again .*" || trace:rootName = nil }',
];

/**
 * The traces of `seed` again (same trace ids) with new span ids and names,
 * one second earlier, every 7th span failing, and half the roots given a
 * parent: each trace then has spans in two parts, its earliest span in this
 * one, and its root here or (the roots given a parent) only in the other.
 */
function laterHalf(seed: number): SpanBatch {
  const b = generateBackground(120, seed, 0.05);
  for (let i = 0; i < b.length; i++) {
    b.spanId[i * 8] = b.spanId[i * 8]! ^ 0xff;
    b.startTimeUnixNano[i] = b.startTimeUnixNano[i]! - 1_000_000_000n;
    b.endTimeUnixNano[i] = b.endTimeUnixNano[i]! - 1_000_000_000n;
    b.name[i] = `again ${b.name[i]}`;
    if (b.parentSpanId.subarray(i * 8, i * 8 + 8).every((x) => x === 0) && b.traceId[i * 16]! % 2 === 0) b.parentSpanId[i * 8] = 1;
    if (i % 7 === 0) b.statusCode[i] = 2;
  }
  return b;
}

async function ingest(store: TraceStore, batch: SpanBatch): Promise<void> {
  await store.ingestOtlp('proto', encodeExportTraceServiceRequest(batch));
}

function withoutSummaries(parts: readonly PartInfo[]): PartInfo[] {
  return parts.map(({ summaryPath: _s, ...p }) => p);
}

/** Answers of every query: from the summaries, and from the spans alone (summaries left out of the catalog view). */
async function answers(store: TraceStore, engine: Engine, fromSpans = false, queries = QUERIES, extra: { startNs?: bigint; limit?: number } = {}): Promise<SearchResponse['traces'][]> {
  const snap = await store.snapshot();
  try {
    const input = fromSpans ? { ...snap, parts: withoutSummaries(snap.parts) } : snap;
    const out: SearchResponse['traces'][] = [];
    for (const query of queries) out.push((await search(engine, input, { query, limit: 1000, spss: 3, ...extra }, new TraceIndexCache())).traces);
    return out;
  } finally {
    snap.release();
  }
}

/** Per trace: start, end, root service and name, span and error counts per service, straight from the batches. */
function expectedTraces(batches: readonly SpanBatch[]): Map<string, { startNs: bigint; endNs: bigint; root: [string, string]; services: Record<string, { spanCount: number; errorCount: number }> }> {
  const out = new Map<string, { startNs: bigint; endNs: bigint; rootNs: bigint; root: [string, string]; services: Record<string, { spanCount: number; errorCount: number }> }>();
  for (const b of batches) {
    const services = resourceValues(b, 'service.name');
    for (let i = 0; i < b.length; i++) {
      const id = hexOf(b.traceId, i * 16, 16);
      const start = b.startTimeUnixNano[i]!;
      const end = b.endTimeUnixNano[i]!;
      let t = out.get(id);
      if (!t) out.set(id, (t = { startNs: start, endNs: end, rootNs: -1n, root: ['<root span not yet received>', ''], services: {} }));
      if (start < t.startNs) t.startNs = start;
      if (end > t.endNs) t.endNs = end;
      if (b.parentSpanId.subarray(i * 8, i * 8 + 8).every((x) => x === 0) && (t.rootNs < 0n || start < t.rootNs)) {
        t.rootNs = start;
        t.root = [services[i]!, b.name[i]!];
      }
      const s = (t.services[services[i]!] ??= { spanCount: 0, errorCount: 0 });
      s.spanCount++;
      if (b.statusCode[i] === 2) s.errorCount++;
    }
  }
  return out;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Whether the file is gone within a few seconds: a retired file is unlinked
 * without being awaited (src/parts/file-leases.ts), and on a loaded machine
 * the check can run before the unlink.
 */
async function deleted(path: string): Promise<boolean> {
  for (let tries = 0; tries < 50; tries++) {
    if (!(await exists(path))) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

async function summaryCounts(engine: Engine, path: string): Promise<{ rows: number; traces: number; spans: number }> {
  const [r] = await engine.all(`SELECT count(*) AS rows, count(DISTINCT trace_id) AS traces, sum(span_count)::BIGINT AS spans FROM ${readParquetSql([path])}`);
  return { rows: Number(r!['rows']), traces: Number(r!['traces']), spans: Number(r!['spans']) };
}

describe('trace summaries', () => {
  it('give the same search answers as the spans, for traces spread over parts and the head, through compaction, restart, backfill and retention', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'marquetry-summary-'));
    const config: ServerConfig = { ...defaultConfig(), dataDir, walFsync: false, flushIntervalMs: 3_600_000, compactIntervalMs: 3_600_000 };
    const engine = await Engine.create({ dataDir, threads: 2, memoryLimit: '1GB' });
    let store = await TraceStore.open(config);
    try {
      const batches = [generateBackground(120, 31, 0.05), laterHalf(31), generateBackground(80, 32, 0.05), generateBackground(80, 33, 0.05)];
      for (const b of batches) {
        await ingest(store, b);
        await store.flush();
      }
      const head = generateBackground(40, 34, 0.05);
      await ingest(store, head);
      const parts = store.catalog.snapshot.parts;
      assert.equal(parts.length, 4);
      for (const p of parts) {
        assert.ok(p.summaryPath, `part ${p.id} has a summary`);
        const c = await summaryCounts(engine, join(dataDir, p.summaryPath));
        assert.equal(c.spans, p.rows, `the summary of ${p.id} counts its spans`);
        assert.equal(c.rows, c.traces, 'one row per trace');
      }

      const expected = expectedTraces([...batches, head]);
      assert.equal(expected.size, 120 + 80 + 80 + 40, 'the later half adds spans to the first batch\'s traces, no traces');
      const before = await answers(store, engine);
      assert.deepEqual(before, await answers(store, engine, true), 'the same answers from the spans');
      const all = before[QUERIES.indexOf('{ }')]!;
      assert.equal(all.length, expected.size, 'every trace found');
      const roots = all.map((t) => t.rootTraceName.startsWith('again ')).filter((again) => again).length;
      assert.ok(roots > 10 && roots < 120, `roots of the earlier copy where it has one: ${roots} of 120`);
      for (const t of all) {
        const want = expected.get(t.traceID)!;
        assert.equal(t.startTimeUnixNano, String(want.startNs), t.traceID);
        assert.equal(t.durationMs, Number((want.endNs - want.startNs) / 1_000_000n), t.traceID);
        assert.deepEqual([t.rootServiceName, t.rootTraceName], want.root, `root of ${t.traceID}`);
        assert.deepEqual(t.serviceStats, want.services, `services of ${t.traceID}`);
      }
      // trace-level intrinsics select exactly the traces whose values qualify
      const durations = [...expected.values()].map((t) => t.endNs - t.startNs).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const median = durations[durations.length >> 1]!;
      const rootServices = new Map<string, number>();
      for (const t of expected.values()) rootServices.set(t.root[0], (rootServices.get(t.root[0]) ?? 0) + 1);
      const [commonRoot] = [...rootServices].sort((a, b) => b[1] - a[1])[0]!;
      const traceLevel = [`{ trace:duration > ${median}ns }`, `{ rootServiceName = ${JSON.stringify(commonRoot)} }`];
      const [slow, rooted] = await answers(store, engine, false, traceLevel);
      const ids = (ts: SearchResponse['traces']) => ts.map((t) => t.traceID).sort();
      assert.deepEqual(ids(slow!), [...expected].filter(([, t]) => t.endNs - t.startNs > median).map(([id]) => id).sort());
      assert.deepEqual(ids(rooted!), [...expected].filter(([, t]) => t.root[0] === commonRoot).map(([id]) => id).sort());
      assert.deepEqual(await answers(store, engine, true, traceLevel), [slow, rooted], 'the same trace-level answers from the spans');
      for (const q of QUERIES.slice(-3)) assert.ok(before[QUERIES.indexOf(q)]!.length > 0, `${q} finds traces`);
      // a time range cutting through the parts: summaries stand for spans only where a part lies wholly inside it
      const starts = [...expected.values()].map((t) => t.startNs).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const range = { startNs: starts[starts.length >> 1]! };
      const [ranged] = await answers(store, engine, false, ['{ }'], range);
      assert.ok(ranged!.length > 0 && ranged!.length < expected.size, `${ranged!.length} of ${expected.size} traces in the later half`);
      assert.deepEqual(await answers(store, engine, true, ['{ }'], range), [ranged]);
      // the newest few: traces ordered by their latest span, from summaries as from spans
      const newest = await answers(store, engine, false, ['{ }', `{ trace:duration > ${median}ns }`], { limit: 7 });
      assert.deepEqual(await answers(store, engine, true, ['{ }', `{ trace:duration > ${median}ns }`], { limit: 7 }), newest);
      assert.deepEqual(newest.map((a) => a.length), [7, 7]);

      const errors = before[QUERIES.indexOf('{ status = error }')]!;
      assert.ok(errors.length > 0 && errors.every((t) => t.spanSets[0]!.matched === Object.values(t.serviceStats).reduce((n, s) => n + s.errorCount, 0)), 'matched counts every error span');

      // compaction: one part, one summary row per trace (a trace of two inputs merged), the inputs' summaries deleted
      await store.flush();
      assert.equal(await store.compact(), 5);
      const [merged] = store.catalog.snapshot.parts;
      const c = await summaryCounts(engine, join(dataDir, merged!.summaryPath!));
      assert.deepEqual(c, { rows: expected.size, traces: expected.size, spans: merged!.rows });
      for (const p of parts) assert.equal(await deleted(join(dataDir, p.summaryPath!)), true, `summary of merged-away ${p.id} deleted`);
      assert.deepEqual(await answers(store, engine), before, 'the same answers after compaction');

      // a part without a summary (written before summaries): searched from its spans, then backfilled after a start
      await store.catalog.commit((s) => ({ ...s, parts: withoutSummaries(s.parts) }));
      assert.deepEqual(await answers(store, engine), before, 'the same answers without a summary');
      await store.close();
      store = await TraceStore.open(config);
      await store.summaries.backfilled();
      const backfilled = store.catalog.snapshot.parts[0]!;
      assert.ok(backfilled.summaryPath, 'backfilled');
      assert.deepEqual(await summaryCounts(engine, join(dataDir, backfilled.summaryPath)), c);
      assert.deepEqual(await answers(store, engine), before, 'the same answers from the backfilled summary');

      // retention drops the part and its summary together
      await store.close();
      store = await TraceStore.open({ ...config, retentionMs: 1 });
      await store.compact();
      assert.equal(store.catalog.snapshot.parts.length, 0);
      assert.equal(await deleted(join(dataDir, backfilled.summaryPath)), true, 'summary deleted with its part');
    } finally {
      await store.close();
      engine.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
