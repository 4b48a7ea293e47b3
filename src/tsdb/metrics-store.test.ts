import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SampleBatch } from '../model/sample-batch.js';
import { DecodeError } from '../model/errors.js';
import { MetricsStore, type MetricsStoreOptions } from './metrics-store.js';
import { newLabelMatcher } from './promql/matchers.js';

/** A batch of series given as label objects and [t, v] samples; a test-only WAL encoding is JSON of this. */
type Spec = { labels: Record<string, string>; samples: [number, number][] }[];

function batchOf(spec: Spec): SampleBatch {
  const offsets = [0];
  const names: string[] = [];
  const values: string[] = [];
  const series: number[] = [];
  const t: number[] = [];
  const v: number[] = [];
  spec.forEach((s, i) => {
    for (const name of Object.keys(s.labels).sort()) {
      names.push(name);
      values.push(s.labels[name]!);
    }
    offsets.push(names.length);
    for (const [ts, val] of s.samples) {
      series.push(i);
      t.push(ts);
      v.push(val);
    }
  });
  return {
    seriesCount: spec.length,
    labelOffsets: Uint32Array.from(offsets),
    labelNames: names,
    labelValues: values,
    sampleCount: t.length,
    sampleSeries: Uint32Array.from(series),
    sampleTimeMs: Float64Array.from(t),
    sampleValue: Float64Array.from(v),
    metadata: [],
  };
}

const TEST_WAL_TYPE = 200;

function options(dataDir: string): MetricsStoreOptions {
  return {
    dataDir,
    chunkEncoding: 'auto',
    blockMaxSamples: 1_000_000,
    blockMaxSpanMs: 2 * 3600_000,
    maxHeadSamples: 10_000_000,
    retentionMs: 0,
    walFsync: false,
    decodeWalRecord: (type, payload) => {
      assert.equal(type, TEST_WAL_TYPE);
      return batchOf(JSON.parse(Buffer.from(payload).toString()) as Spec);
    },
  };
}

async function ingest(store: MetricsStore, spec: Spec): Promise<void> {
  await store.ingest(batchOf(spec), TEST_WAL_TYPE, Buffer.from(JSON.stringify(spec)));
}

const up = (job: string): Record<string, string> => ({ __name__: 'up', job });
const all = [newLabelMatcher('__name__', '=', 'up')];

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'marquetry-metrics-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('metrics store', () => {
  it('returns appended samples by matcher and time range', () =>
    withDir(async (dir) => {
      const store = await MetricsStore.open(options(dir));
      const samples: [number, number][] = [];
      for (let i = 0; i < 1000; i++) samples.push([1_000_000 + i * 1000, i % 7]);
      await ingest(store, [{ labels: up('a'), samples }, { labels: up('b'), samples: [[1_000_000, 1]] }]);
      const a = await store.select([...all, newLabelMatcher('job', '=', 'a')], 1_100_000, 1_200_000);
      assert.equal(a.length, 1);
      assert.equal(a[0]!.t.length, 101);
      assert.equal(a[0]!.v[0], 100 % 7);
      assert.deepEqual((await store.select([newLabelMatcher('job', '=~', 'a|b')], 0, 2e6)).length, 2);
      assert.deepEqual(store.labelValues('job'), ['a', 'b']);
      await store.close();
    }));

  it('refuses a batch with an out-of-order sample whole and changes nothing', () =>
    withDir(async (dir) => {
      const store = await MetricsStore.open(options(dir));
      await ingest(store, [{ labels: up('a'), samples: [[2000, 1]] }]);
      await assert.rejects(ingest(store, [{ labels: up('new'), samples: [[5000, 1]] }, { labels: up('a'), samples: [[1000, 2]] }]), DecodeError);
      await assert.rejects(ingest(store, [{ labels: up('a'), samples: [[2000, 9]] }]), /duplicate sample for timestamp/);
      await ingest(store, [{ labels: up('a'), samples: [[2000, 1]] }]); // identical resend: ignored
      assert.equal((await store.select(all, 0, 1e9)).length, 1, 'the refused batch created no series');
      assert.equal(store.head.samples, 1);
      await store.close();
    }));

  it('keeps NaN payloads such as the staleness marker bit for bit', () =>
    withDir(async (dir) => {
      const store = await MetricsStore.open(options(dir));
      const stale = new Float64Array(new Uint32Array([2, 0x7ff00000]).buffer)[0]!;
      const batch = batchOf([{ labels: up('a'), samples: [[1000, 1], [2000, 0]] }]);
      batch.sampleValue[1] = stale;
      await store.ingest(batch, TEST_WAL_TYPE, Buffer.from(JSON.stringify([{ labels: up('a'), samples: [[1000, 1]] }])));
      await store.persist();
      const got = (await store.select(all, 0, 1e9))[0]!;
      assert.deepEqual([...new Uint32Array(got.v.buffer, got.v.byteOffset + 8, 2)], [2, 0x7ff00000]);
      await store.close();
    }));

  it('serves blocks and head together and keeps ordering rules across a restart', () =>
    withDir(async (dir) => {
      let store = await MetricsStore.open(options(dir));
      await ingest(store, [{ labels: up('a'), samples: [[1000, 1], [2000, 2]] }]);
      await store.persist();
      await ingest(store, [{ labels: up('a'), samples: [[3000, 3]] }]);
      const merged = (await store.select(all, 0, 1e9))[0]!;
      assert.deepEqual([...merged.t], [1000, 2000, 3000]);
      assert.equal(store.stats().blocks, 1);
      // Crash: no close, so the sample at 3000 is only in the WAL.
      store = await MetricsStore.open(options(dir));
      assert.deepEqual([...(await store.select(all, 0, 1e9))[0]!.v], [1, 2, 3]);
      await assert.rejects(ingest(store, [{ labels: up('a'), samples: [[2500, 9]] }]), /out of order/);
      store.metadata.set('up', { metric: 'up', type: 'gauge', help: 'scrape health', unit: '' });
      await store.close();
      store = await MetricsStore.open(options(dir));
      assert.deepEqual([...(await store.select(all, 0, 1e9))[0]!.v], [1, 2, 3], 'nothing twice after persist + reopen');
      assert.equal(store.metadata.get('up')?.help, 'scrape health', 'metadata survives in the block');
      await store.close();
    }));
});
