import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError } from '../model/errors.js';
import { MetricsStore, type MetricsStoreOptions } from './metrics-store.js';
import { newLabelMatcher } from './promql/matchers.js';
import { batchOf, ingestSpec, testStoreOptions, TEST_WAL_TYPE, withDataDir } from './store-test-helpers.js';

const options = (dir: string): MetricsStoreOptions => testStoreOptions(dir);
const ingest = ingestSpec;
const withDir = withDataDir;

const up = (job: string): Record<string, string> => ({ __name__: 'up', job });
const all = [newLabelMatcher('__name__', '=', 'up')];

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
      const staleWords = async (): Promise<number[]> => {
        const got = (await store.select(all, 0, 1e9))[0]!;
        return [...new Uint32Array(got.v.buffer, got.v.byteOffset + 8, 2)];
      };
      assert.deepEqual(await staleWords(), [2, 0x7ff00000], 'from the head');
      await store.persist();
      assert.deepEqual(await staleWords(), [2, 0x7ff00000], 'from a block');
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
