// Span cubes: the comparison from cubes counts every dimension value as the
// scan does, and cubes stay consistent with their parts through flushes,
// compaction, restarts, backfill and retention.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, type ServerConfig } from '../config/config.js';
import type { Engine, Row } from '../engine/duckdb.js';
import { readParquetSql } from '../engine/duckdb.js';
import { encodeExportTraceServiceRequest } from '../receive/otlp-proto-encode.js';
import { searchFiles, type SearchInput } from '../query/search.js';
import { TraceStore } from '../store/trace-store.js';
import type { Dimension } from './compare-dimensions.js';
import { planComparison } from './compare-plan.js';
import { planCubeComparison, type RangeFile } from './compare-cube.js';
import { runComparison } from './compare.js';
import type { CompareRequest, CompareResponse } from './compare-types.js';
import { acquireLongCubes } from './cube-long.js';
import { datasetRequest, generateBackground, storeDataset } from './compare-test-helpers.js';
import { Engine as DuckEngine } from '../engine/duckdb.js';

/** (dimension, mode, value) → [target, baseline, spans, Σ rank, Σ log-ratio] of a comparison query's rows. */
function countsByValue(rows: readonly Row[], dimensions: readonly Dimension[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of rows) {
    const col = Number(r['col']);
    const key = col < 0 ? '(totals)' : `${dimensions[col]!.label}/${dimensions[col]!.mode}=${String(r['val'])}`;
    out.set(key, ['nt', 'nb', 'ns', 'sr', 'slr'].map((k) => Number(r[k])));
  }
  return out;
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** The top rows of an answer, to compare answers of the same data. */
function summary(r: CompareResponse): unknown {
  const rows = (xs: readonly { dimension: string; value: string }[]) => xs.slice(0, 15).map((x) => `${x.dimension}=${x.value}`);
  return {
    target: r.target,
    baseline: r.baseline,
    dimensions: rows(r.dimensions),
    counts: r.dimensions.slice(0, 15).map((d) => [d.targetCount, d.baselineCount]),
    latency: rows(r.latency),
    culprit: r.culprit?.value,
  };
}

async function fileExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function cubeSpans(engine: Engine, path: string): Promise<number> {
  const [row] = await engine.all(`SELECT sum(span_count)::BIGINT AS n FROM ${readParquetSql([path])}`);
  return Number(row!['n']);
}

function rangeFilesOf(snap: SearchInput): RangeFile[] {
  return snap.parts.map((p) => ({
    path: join(snap.dataDir, p.path),
    columns: p.columns,
    rows: p.rows,
    minStartNs: BigInt(p.minStartNs),
    maxStartNs: BigInt(p.maxStartNs),
    part: p,
  }));
}

describe('span cubes', () => {
  it('count every dimension value as the scan of the same spans does', async () => {
    const ds = await storeDataset(generateBackground(1500, 7, 0.03));
    const snap = await ds.store.snapshot();
    try {
      const part = snap.parts[0]!;
      assert.ok(part.cubePath, 'the flush wrote a cube');
      assert.ok(part.cubeHighCardinality!.includes('span.app.user.id'), `user ids are left out of the cube: ${part.cubeHighCardinality}`);
      for (const target of [{ kind: 'errors' as const }, { kind: 'exceptions' as const }]) {
        const req = datasetRequest({ target });
        const { files, columns } = searchFiles(snap, { query: '{}', limit: 1, spss: 1, startNs: req.startNs, endNs: req.endNs });
        const scanPlan = planComparison({ files, columns, estimatedSpans: part.rows }, req);
        const scan = countsByValue(await ds.engine.all(scanPlan.sql), scanPlan.dimensions);
        const plan = planCubeComparison({ files: rangeFilesOf(snap), dataDir: snap.dataDir, columns }, req, 0)!;
        assert.ok(plan.spans, 'high-cardinality columns are counted from spans');
        const cube = countsByValue(await ds.engine.all(plan.cube.sql), plan.cube.dimensions);
        const fromSpans = countsByValue(await ds.engine.all(plan.spans.sql), plan.spans.dimensions);
        const [cubeTotals, spanTotals] = [cube.get('(totals)')!, fromSpans.get('(totals)')!];
        cubeTotals.forEach((c, i) => assert.ok(close(c, spanTotals[i]!), `${target.kind}: the two statements' totals ${cubeTotals} vs ${spanTotals}`));
        let compared = 0;
        for (const [key, want] of scan) {
          const got = cube.get(key) ?? fromSpans.get(key);
          // each side keeps its top candidates per column: values near the cut may be listed by one only
          if (!got) continue;
          compared++;
          want.forEach((w, i) => assert.ok(close(got[i]!, w), `${target.kind} ${key}: cube ${got} vs scan ${want}`));
        }
        assert.ok(compared >= 0.9 * scan.size, `${target.kind}: ${compared} of ${scan.size} values compared`);
      }
    } finally {
      snap.release();
      await ds.close();
    }
  });

  it('count the same from the long (unpivoted) cube tables as from the cube rows, for every target the cubes answer', async () => {
    const ds = await storeDataset(generateBackground(1500, 11, 0.03));
    const snap = await ds.store.snapshot();
    try {
      const targets: CompareRequest['target'][] = [{ kind: 'errors' }, { kind: 'exceptions' }, { kind: 'slow', percentile: 90 }, { kind: 'slow', thresholdMs: 50 }];
      for (const target of targets) {
        const req = datasetRequest({ target });
        const { columns } = searchFiles(snap, { query: '{}', limit: 1, spss: 1, startNs: req.startNs, endNs: req.endNs });
        const input = { files: rangeFilesOf(snap), dataDir: snap.dataDir, columns };
        const wide = planCubeComparison(input, req, 0)!;
        assert.equal(wide.longEligible, true);
        assert.equal(wide.fromLongTables, false);
        const lease = await acquireLongCubes(ds.engine, wide.cubeFiles);
        try {
          const long = planCubeComparison({ ...input, longTables: lease.tables }, req, 0)!;
          assert.equal(long.fromLongTables, true);
          const [want, got] = [countsByValue(await ds.engine.all(wide.cube.sql), wide.cube.dimensions), countsByValue(await ds.engine.all(long.cube.sql), long.cube.dimensions)];
          assert.ok(want.size > 50, `${JSON.stringify(target)}: ${want.size} values`);
          // ties at each column's candidate cut may fall either way (sums in another order): compare the values both keep
          let compared = 0;
          for (const [key, w] of want) {
            const g = got.get(key);
            if (!g) continue;
            compared++;
            w.forEach((x, i) => assert.ok(close(g[i]!, x) || (i === 4 && Math.abs(g[i]! - x) < 1e-6 * Math.max(1, w[2]!)), `${JSON.stringify(target)} ${key}: long ${g} vs rows ${w}`));
          }
          assert.ok(compared >= 0.98 * want.size, `${JSON.stringify(target)}: ${compared} of ${want.size} values in both`);
        } finally {
          lease.release();
        }
        const answer = await runComparison(ds.store, ds.engine, req);
        assert.equal(answer.answeredBy?.path, 'cube');
      }
    } finally {
      snap.release();
      await ds.close();
    }
  });

  it('answer with the spans of a part straddling the range as rows beside the cube of a part inside it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'marquetry-cube-'));
    const config: ServerConfig = { ...defaultConfig(), dataDir, walFsync: false, flushIntervalMs: 3_600_000, compactIntervalMs: 3_600_000 };
    const engine = await DuckEngine.create({ dataDir, threads: 2, memoryLimit: '1GB' });
    const store = await TraceStore.open(config);
    try {
      const hour = 3_600_000_000_000n;
      for (const shift of [0n, 2n * hour]) {
        const batch = generateBackground(600, 200 + Number(shift / hour), 0.03);
        for (let i = 0; i < batch.length; i++) {
          batch.startTimeUnixNano[i] = batch.startTimeUnixNano[i]! + shift;
          batch.endTimeUnixNano[i] = batch.endTimeUnixNano[i]! + shift;
        }
        await store.ingestOtlp('proto', encodeExportTraceServiceRequest(batch));
        await store.flush();
      }
      const [early, late] = [...store.catalog.snapshot.parts].sort((a, b) => (BigInt(a.minStartNs) < BigInt(b.minStartNs) ? -1 : 1));
      // the early part wholly inside; the late one cut in the middle
      const startNs = BigInt(early!.minStartNs);
      const endNs = (BigInt(late!.minStartNs) + BigInt(late!.maxStartNs)) / 2n;
      for (const target of [{ kind: 'errors' as const }, { kind: 'slow' as const, thresholdMs: 500 }]) {
        const req = datasetRequest({ startNs, endNs, target });
        const cube = await runComparison(store, engine, req);
        const spans = await runComparison(store, engine, { ...req, source: 'spans' });
        assert.equal(cube.answeredBy?.path, 'cube', JSON.stringify(cube.answeredBy));
        assert.equal(cube.answeredBy.cubeParts, 1);
        assert.ok(cube.answeredBy.spansRead === late!.rows, `the straddling part's spans read: ${JSON.stringify(cube.answeredBy)}`);
        if (target.kind === 'errors') assert.deepEqual(summary(cube), summary(spans));
        else assert.ok(cube.target.spans >= spans.target.spans, 'a threshold never misses a slower span');
      }
    } finally {
      await store.close();
      engine.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('stay consistent with their parts through compaction, restart, backfill and retention', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'marquetry-cube-'));
    const config: ServerConfig = { ...defaultConfig(), dataDir, walFsync: false, flushIntervalMs: 3_600_000, compactIntervalMs: 3_600_000 };
    const engine = await DuckEngine.create({ dataDir, threads: 2, memoryLimit: '1GB' });
    let store = await TraceStore.open(config);
    try {
      for (let i = 0; i < 4; i++) {
        const batch = generateBackground(400, 100 + i, 0.03);
        await store.ingestOtlp('proto', encodeExportTraceServiceRequest(batch));
        await store.flush();
      }
      const parts = store.catalog.snapshot.parts;
      assert.equal(parts.length, 4);
      for (const p of parts) assert.equal(await cubeSpans(engine, join(dataDir, p.cubePath!)), p.rows, `cube of ${p.id} holds its spans`);
      const slow = datasetRequest({ target: { kind: 'slow', percentile: 90 } });
      const before = [await runComparison(store, engine, datasetRequest()), await runComparison(store, engine, slow)];
      for (const r of before) assert.equal(r.answeredBy?.path, 'cube');

      // compaction: one part, its cube the sum of the four; the inputs' cubes retired with them
      assert.equal(await store.compact(), 4);
      const [merged] = store.catalog.snapshot.parts;
      assert.equal(store.catalog.snapshot.parts.length, 1);
      assert.equal(await cubeSpans(engine, join(dataDir, merged!.cubePath!)), merged!.rows);
      for (const p of parts) assert.equal(await fileExists(join(dataDir, p.cubePath!)), false, `cube of merged-away ${p.id} deleted`);
      const afterMerge = [await runComparison(store, engine, datasetRequest()), await runComparison(store, engine, slow)];
      assert.deepEqual(afterMerge.map(summary), before.map(summary));

      // restart: the cube is read from its file
      await store.close();
      store = await TraceStore.open(config);
      const afterRestart = [await runComparison(store, engine, datasetRequest()), await runComparison(store, engine, slow)];
      for (const r of afterRestart) assert.equal(r.answeredBy?.path, 'cube');
      assert.deepEqual(afterRestart.map(summary), before.map(summary));

      // a part without a cube (written before cubes): read as spans, then backfilled after the next start
      await store.catalog.commit((s) => ({ ...s, parts: s.parts.map(({ cubePath: _c, cubeHighCardinality: _h, ...p }) => p) }));
      const withoutCube = await runComparison(store, engine, datasetRequest());
      assert.equal(withoutCube.answeredBy?.path, 'spans');
      assert.deepEqual(summary(withoutCube), summary(before[0]!));
      await store.close();
      store = await TraceStore.open(config);
      await store.cubes.backfilled();
      const backfilled = store.catalog.snapshot.parts[0]!;
      assert.ok(backfilled.cubePath, 'backfilled');
      assert.equal(await cubeSpans(engine, join(dataDir, backfilled.cubePath)), backfilled.rows);
      assert.deepEqual(summary(await runComparison(store, engine, datasetRequest())), summary(before[0]!));

      // retention drops the part and its cube together
      await store.close();
      store = await TraceStore.open({ ...config, retentionMs: 1 });
      await store.compact();
      assert.equal(store.catalog.snapshot.parts.length, 0);
      assert.equal(await fileExists(join(dataDir, backfilled.cubePath)), false, 'cube deleted with its part');
    } finally {
      await store.close();
      engine.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
