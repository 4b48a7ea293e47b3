// Service health end to end: spans in over OTLP, rollups written at flush,
// merged by compaction, dropped by retention, reloaded after a restart, and
// the health API's numbers checked against figures computed here from the
// generated spans (counts exact, quantiles within 1%, exact mode exact).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { Engine } from '../../src/engine/duckdb.js';
import { mountHealthRoutes } from '../../src/api/health-route.js';
import { encodeExportTraceServiceRequest } from '../../src/receive/otlp-proto-encode.js';
import { datasetBatch, generateDataset, type HealthDataset } from '../../src/analysis/health-dataset.js';
import { HEALTH_QUANTILES, kindName, type HealthResponse, type HealthStats } from '../../src/analysis/health-types.js';
import { quantileRank } from '../../src/analysis/sketch.js';
import { healthFromRollups } from '../../src/analysis/health.js';
import type { ServerConfig } from '../../src/config/config.js';
import { eventually, startTestServer, type TestServer } from '../helpers/test-server.js';
import { postOtlpProto } from '../helpers/otlp-json.js';
import { duckdbRows, exists, parquetList, readCatalogFromDisk } from '../helpers/part-files.js';

const NS_PER_MINUTE = 60_000_000_000n;
const NS_PER_DAY = 1440n * NS_PER_MINUTE;
/**
 * Flush, compaction and sealing only when the tests ask: an ingest racing a
 * timer's seal can drop a batch from the head (src/head/head.ts, sealNow
 * keeps an alias of the pending list), which would make counts flaky.
 */
const MANUAL: Partial<ServerConfig> = { flushIntervalMs: 3_600_000, compactIntervalMs: 3_600_000, sealIntervalMs: 3_600_000 };
/** 10:00–13:00 UTC yesterday: in the past and within one day */
const DAY_NS = (BigInt(Date.now()) * 1_000_000n / NS_PER_DAY - 1n) * NS_PER_DAY;
const FROM_NS = DAY_NS + 600n * NS_PER_MINUTE;
const TO_NS = DAY_NS + 780n * NS_PER_MINUTE;
const TOLERANCE = 0.01 + 1e-9;

interface Harness {
  server: TestServer;
  engine: Engine;
  app: Hono;
}

async function openHarness(overrides: Partial<ServerConfig>): Promise<Harness> {
  const server = await startTestServer({ ...MANUAL, ...overrides });
  const engine = await Engine.create({ dataDir: server.config.dataDir, threads: 1, memoryLimit: '512MB' });
  const app = new Hono();
  mountHealthRoutes(app, { store: server.store, engine });
  return { server, engine, app };
}

async function closeHarness(h: Harness): Promise<void> {
  h.engine.close();
  await h.server.dispose();
}

async function ingest(server: TestServer, d: HealthDataset, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 2000) {
    const r = await postOtlpProto(server.otlpUrl, encodeExportTraceServiceRequest(datasetBatch(d, i, Math.min(to, i + 2000))));
    assert.equal(r.status, 200);
  }
}

async function health(h: Harness, query: string): Promise<{ status: number; body: any }> {
  const res = await h.app.request(`/api/v1/health?${query}`);
  return { status: res.status, body: await res.json() };
}

const seconds = (ns: bigint): string => String(Number(ns / 1_000_000_000n));

/** Exact figures of the spans `keep` selects, per label set and per step (−1 = whole range). */
function expectedCells(d: HealthDataset, stepMinutes: number, labelsOf: (i: number) => Record<string, string | null> | undefined) {
  const cells = new Map<string, { count: number; errors: number; max: number; durations: number[] }>();
  const startMinute = Number(FROM_NS / NS_PER_MINUTE);
  for (let i = 0; i < d.length; i++) {
    const labels = labelsOf(i);
    if (!labels) continue;
    const step = Math.floor((Number(d.startNs[i]! / NS_PER_MINUTE) - startMinute) / stepMinutes);
    for (const s of [step, -1]) {
      const id = `${JSON.stringify(labels)}#${s}`;
      let c = cells.get(id);
      if (!c) cells.set(id, (c = { count: 0, errors: 0, max: 0, durations: [] }));
      c.count++;
      if (d.status[i] === 2) c.errors++;
      c.max = Math.max(c.max, d.durationNs[i]!);
      c.durations.push(d.durationNs[i]!);
    }
  }
  return cells;
}

function assertClose(actual: number | null, exact: number, what: string, tolerance: number): void {
  assert.ok(actual !== null, `${what}: missing`);
  const err = Math.abs(actual - exact) / exact;
  assert.ok(err <= tolerance, `${what}: ${actual} vs exact ${exact} (error ${err})`);
}

function assertStats(s: HealthStats, c: { count: number; errors: number; max: number; durations: number[] }, what: string, tolerance: number): void {
  assert.equal(s.requests, c.count, `${what}: requests`);
  assert.equal(s.errors, c.errors, `${what}: errors`);
  assert.equal(s.maxMs, c.max / 1e6, `${what}: max`);
  const sorted = [...c.durations].sort((a, b) => a - b);
  const names = ['p50Ms', 'p90Ms', 'p95Ms', 'p99Ms'] as const;
  HEALTH_QUANTILES.forEach((q, k) => assertClose(s[names[k]!], sorted[quantileRank(q, sorted.length)]! / 1e6, `${what}: ${names[k]}`, tolerance));
}

/** Every group, step and total of `body` agrees with the spans; every expected cell is there. */
function assertAgrees(body: HealthResponse, d: HealthDataset, stepMinutes: number, labelsOf: (i: number) => Record<string, string | null> | undefined, tolerance: number): void {
  const cells = expectedCells(d, stepMinutes, labelsOf);
  let seen = 0;
  for (const g of body.groups) {
    const id = JSON.stringify(g.labels);
    const total = cells.get(`${id}#-1`);
    assert.ok(total, `unexpected group ${id}`);
    assertStats(g.totals, total, `${id} total`, tolerance);
    seen++;
    g.series.requests.forEach((n, t) => {
      const c = cells.get(`${id}#${t}`);
      if (!c) return assert.equal(n, 0, `${id} step ${t}`);
      assertStats(
        {
          requests: n,
          errors: g.series.errors[t]!,
          maxMs: g.series.maxMs[t]!,
          p50Ms: g.series.p50Ms[t]!,
          p90Ms: g.series.p90Ms[t]!,
          p95Ms: g.series.p95Ms[t]!,
          p99Ms: g.series.p99Ms[t]!,
          ratePerSecond: 0,
          errorRatio: null,
          avgMs: null,
        },
        c,
        `${id} step ${t}`,
        tolerance,
      );
      assert.equal(g.series.ratePerSecond[t], n / (stepMinutes * 60));
    });
  }
  const groupsExpected = [...cells.keys()].filter((k) => k.endsWith('#-1')).length;
  assert.equal(seen, groupsExpected, 'number of groups');
}

describe('service health API', () => {
  const d = generateDataset({ seed: 42, spans: 12_000, fromNs: FROM_NS, toNs: TO_NS, services: 4, operationsPerService: 4 });
  const range = `start=${seconds(FROM_NS)}&end=${seconds(TO_NS)}`;
  const byService = (i: number) => ({ service: d.operations[d.operation[i]!]!.service });
  let h: Harness;

  before(async () => {
    h = await openHarness({});
    // three flushed parts, and a quarter of the spans left in the head
    for (const [from, to] of [[0, 3000], [3000, 6000], [6000, 9000]] as const) {
      await ingest(h.server, d, from, to);
      await h.server.store.flush();
    }
    await ingest(h.server, d, 9000, 12_000);
  });
  after(() => closeHarness(h));

  it('answers per-service series from rollups and the head: counts exact, quantiles within 1%', async () => {
    const r = await health(h, `${range}&step=10m`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.source, 'rollups');
    assert.deepEqual(r.body.groupBy, ['service']);
    assert.equal(r.body.timestampsMs.length, 18);
    assert.equal(r.body.timestampsMs[0], Number(FROM_NS / 1_000_000n));
    assertAgrees(r.body, d, 10, byService, TOLERANCE);
  });

  it('answers the same figures exactly from spans with exact=true', async () => {
    const r = await health(h, `${range}&step=10m&exact=true`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.source, 'spans');
    assertAgrees(r.body, d, 10, byService, 1e-12);
    const fromRollups = (await health(h, `${range}&step=10m`)).body as HealthResponse;
    for (const g of r.body.groups as HealthResponse['groups']) {
      const twin = fromRollups.groups.find((x) => x.labels['service'] === g.labels['service'])!;
      assert.deepEqual(twin.series.requests, g.series.requests);
      assert.deepEqual(twin.series.errors, g.series.errors);
      assert.equal(twin.totals.avgMs, g.totals.avgMs);
    }
  });

  it('answers per operation of one service, and ranks its top operations', async () => {
    const r = await health(h, `${range}&step=1h&service=svc-01&top=3`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.groupBy, ['service', 'name', 'kind']);
    const byOperation = (i: number) => {
      const op = d.operations[d.operation[i]!]!;
      return op.service === 'svc-01' ? { service: op.service, name: op.name, kind: kindName(op.kind) } : undefined;
    };
    assertAgrees(r.body, d, 60, byOperation, TOLERANCE);
    const top = r.body.topOperations as HealthResponse['topOperations'];
    assert.ok(top.byLatency.length <= 3 && top.byLatency.length > 0);
    for (let i = 1; i < top.byLatency.length; i++) assert.ok(top.byLatency[i - 1]!.p99Ms! >= top.byLatency[i]!.p99Ms!);
    assert.ok(top.byLatency.every((o) => o.service === 'svc-01'));
  });

  it('ranks top operations across services by p99 and by errors', async () => {
    const r = await health(h, `${range}&step=3h&top=50`);
    const top = r.body.topOperations as HealthResponse['topOperations'];
    const cells = expectedCells(d, 180, (i) => {
      const op = d.operations[d.operation[i]!]!;
      return { service: op.service, name: op.name, kind: kindName(op.kind) };
    });
    assert.equal(top.byLatency.length, [...cells.keys()].filter((k) => k.endsWith('#-1')).length);
    for (const o of [...top.byLatency, ...top.byErrors]) {
      const c = cells.get(`${JSON.stringify({ service: o.service, name: o.name, kind: o.kind })}#-1`)!;
      assertStats(o, c, `${o.service} ${o.name}`, TOLERANCE);
    }
    const withErrors = [...cells.values()].filter((c, i) => [...cells.keys()][i]!.endsWith('#-1') && c.errors > 0);
    assert.equal(top.byErrors.length, withErrors.length);
    for (let i = 1; i < top.byErrors.length; i++) assert.ok(top.byErrors[i - 1]!.errors >= top.byErrors[i]!.errors);
  });

  it('groups by a span attribute and by a resource attribute, exactly from spans', async () => {
    const route = await health(h, `${range}&step=1h&groupBy=span.http.route`);
    assert.equal(route.status, 200, JSON.stringify(route.body));
    assert.equal(route.body.source, 'spans');
    assert.deepEqual(route.body.groupBy, ['service', 'span.http.route']);
    assertAgrees(route.body, d, 60, (i) => {
      const op = d.operations[d.operation[i]!]!;
      return { service: op.service, 'span.http.route': op.route ?? null };
    }, 1e-12);
    const version = await health(h, `${range}&step=30m&groupBy=resource.service.version&service=svc-02`);
    assert.equal(version.status, 200, JSON.stringify(version.body));
    assertAgrees(version.body, d, 30, (i) => {
      const op = d.operations[d.operation[i]!]!;
      return op.service === 'svc-02' ? { service: op.service, 'resource.service.version': d.versions[d.version[i]!]! } : undefined;
    }, 1e-12);
  });

  it('rolls up parts written before rollups existed from their spans', async () => {
    const snap = await h.server.store.snapshot();
    try {
      const legacy = snap.parts.map(({ rollupPath: _, ...p }) => p);
      const req = { startMinute: Number(FROM_NS / NS_PER_MINUTE), endMinute: Number(TO_NS / NS_PER_MINUTE), stepMinutes: 30, exact: false, topN: 5 };
      const sources = await h.server.store.rollups.sources(h.engine, { dataDir: snap.dataDir, parts: legacy, staged: snap.staged }, req.startMinute, req.endMinute);
      const fromSpans = healthFromRollups(sources, h.server.store.rollups.keys, req);
      const fromFiles = (await health(h, `${range}&step=30m&top=5`)).body;
      assert.deepEqual(fromSpans, fromFiles);
    } finally {
      snap.release();
    }
  });

  it('answers an empty range with no groups', async () => {
    const r = await health(h, `start=${seconds(FROM_NS - NS_PER_DAY)}&end=${seconds(FROM_NS - NS_PER_DAY + 3600n * 1_000_000_000n)}&step=5m`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.groups, []);
    assert.equal(r.body.timestampsMs.length, 12);
  });

  it('rejects bad parameters with 400 and a message', async () => {
    for (const q of [
      `${range}&step=30s`,
      `${range}&step=soon`,
      `start=${seconds(TO_NS)}&end=${seconds(FROM_NS)}`,
      `start=yesterday`,
      `${range}&step=1m&groupBy=%7B`,
      `${range}&groupBy=event.name`,
      `${range}&top=-1`,
      `${range}&exact=maybe`,
      `start=0&end=${seconds(TO_NS)}&step=1m`,
    ]) {
      const r = await health(h, q);
      assert.equal(r.status, 400, `${q}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.error, /./);
    }
  });
});

describe('rollups on disk', () => {
  it('writes one beside each flushed part, merges them at compaction and reloads them after a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'marquetry-health-'));
    const d = generateDataset({ seed: 7, spans: 8000, fromNs: FROM_NS, toNs: TO_NS });
    const range = `start=${seconds(FROM_NS)}&end=${seconds(TO_NS)}&step=5m`;
    let h = await openHarness({ dataDir });
    try {
      for (let k = 0; k < 4; k++) {
        await ingest(h.server, d, k * 2000, (k + 1) * 2000);
        await h.server.store.flush();
      }
      const before = await readCatalogFromDisk(dataDir);
      assert.equal(before.parts.length, 4);
      for (const p of before.parts) {
        assert.ok(p.rollupPath?.endsWith(`${p.id}.rollup.parquet`), `rollupPath of ${p.id}`);
        const [row] = await duckdbRows(`SELECT sum(span_count) AS n FROM ${parquetList([join(dataDir, p.rollupPath!)])}`);
        assert.equal(Number(row!['n']), p.rows);
      }
      const answer = (await health(h, range)).body as HealthResponse;
      assert.equal(answer.groups.reduce((n, g) => n + g.totals.requests, 0), 8000);

      assert.equal(await h.server.store.compact(), 4);
      const merged = await readCatalogFromDisk(dataDir);
      assert.equal(merged.parts.length, 1);
      const part = merged.parts[0]!;
      assert.ok(part.rollupPath && (await exists(join(dataDir, part.rollupPath))));
      const [row] = await duckdbRows(`SELECT sum(span_count) AS n, count(*) AS rows FROM ${parquetList([join(dataDir, part.rollupPath)])}`);
      assert.equal(Number(row!['n']), 8000);
      const oldFiles = before.parts.map((p) => join(dataDir, p.rollupPath!));
      await eventually(async () => ((await Promise.all(oldFiles.map(exists))).some(Boolean) ? undefined : true), 5000, 'old rollup files deleted');
      assert.deepEqual((await health(h, range)).body, answer, 'same answer after compaction');

      await closeHarness(h);
      h = await openHarness({ dataDir });
      assert.deepEqual((await health(h, range)).body, answer, 'same answer after a restart');
      assert.deepEqual((await health(h, `${range}&exact=true`)).body.groups.map((g: any) => g.totals.requests), answer.groups.map((g) => g.totals.requests));
    } finally {
      await closeHarness(h);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('drops rollups with the parts retention drops', async () => {
    const h = await openHarness({ retentionMs: 2 * 86_400_000 });
    try {
      const oldFrom = FROM_NS - 3n * NS_PER_DAY;
      const old = generateDataset({ seed: 3, spans: 2000, fromNs: oldFrom, toNs: oldFrom + 3600n * 1_000_000_000n });
      const fresh = generateDataset({ seed: 4, spans: 2000, fromNs: FROM_NS, toNs: TO_NS });
      await ingest(h.server, old, 0, old.length);
      await ingest(h.server, fresh, 0, fresh.length);
      await h.server.store.flush();
      const dataDir = h.server.config.dataDir;
      const before = await readCatalogFromDisk(dataDir);
      assert.equal(before.parts.length, 2);
      const oldPart = before.parts.find((p) => BigInt(p.maxStartNs) < FROM_NS)!;
      const oldRange = `start=${seconds(oldFrom)}&end=${seconds(oldFrom + 3600n * 1_000_000_000n)}&step=1h`;
      assert.equal((await health(h, oldRange)).body.groups.reduce((n: number, g: any) => n + g.totals.requests, 0), 2000);

      await h.server.store.compact();
      const afterRetention = await readCatalogFromDisk(dataDir);
      assert.equal(afterRetention.parts.length, 1);
      await eventually(async () => ((await exists(join(dataDir, oldPart.rollupPath!))) ? undefined : true), 5000, 'old rollup file deleted');
      assert.deepEqual((await health(h, oldRange)).body.groups, []);
      const freshTotal = (await health(h, `start=${seconds(FROM_NS)}&end=${seconds(TO_NS)}&step=1h`)).body.groups.reduce((n: number, g: any) => n + g.totals.requests, 0);
      assert.equal(freshTotal, 2000);
    } finally {
      await closeHarness(h);
    }
  });
});
