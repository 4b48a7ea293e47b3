import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BinaryBlockIndex, encodeBlockIndex, type IndexSeries } from './block-index.js';
import { JsonBlockIndex, openBlockIndex } from './block.js';
import { SeriesIndex } from './series-index.js';
import { newLabelMatcher } from './promql/matchers.js';
import { seededRandom } from '../model/seeded-random.js';
import { testStoreOptions, withDataDir } from './store-test-helpers.js';
import { MetricsStore } from './metrics-store.js';
import { encodeChunks } from './compaction.js';
import { Catalog } from '../parts/catalog.js';
import type { BlockInfo } from './block.js';

const STALE = new Float64Array(new Uint32Array([2, 0x7ff00000]).buffer)[0]!;

function randomSeries(seed: number, count: number): IndexSeries[] {
  const r = seededRandom(seed);
  const out: IndexSeries[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const labels = [
      { name: '__name__', value: `metric_${Math.floor(r() * 20)}` },
      { name: 'instance', value: `host-${i}:9100` },
      ...(r() < 0.5 ? [{ name: 'mode', value: ['user', 'system', 'idle', 'ünïcode ✓'][Math.floor(r() * 4)]! }] : []),
    ];
    const chunks: IndexSeries['chunks'] = [];
    let t = 1_700_000_000_000 + Math.floor(r() * 1e6) - 5e5; // some series start before the block's minT of others
    for (let c = Math.floor(r() * 4); c > 0; c--) {
      const length = 1 + Math.floor(r() * 1024);
      const span = Math.floor(r() * 7_200_000);
      chunks.push([offset, length, t, t + span, 1 + Math.floor(r() * 480)]);
      offset += length;
      t += span + 1 + Math.floor(r() * 60_000);
    }
    const lastV = [0, -0, Infinity, -Infinity, NaN, STALE, r() * 1e9][i % 7]!;
    out.push({ labels, chunks, lastT: chunks.length ? chunks[chunks.length - 1]![3] : t, lastV });
  }
  return out;
}

function bits(v: number): string {
  return Buffer.from(new Float64Array([v]).buffer).toString('hex');
}

describe('binary block index', () => {
  for (const seed of [1, 2, 3]) {
    it(`round-trips labels, chunk refs, last samples and postings (seed ${seed})`, () => {
      const series = randomSeries(seed, 500);
      const minT = Math.min(...series.flatMap((s) => s.chunks.map((c) => c[2])));
      const maxT = Math.max(...series.flatMap((s) => s.chunks.map((c) => c[3])));
      const metadata = [{ metric: 'metric_1', type: 'counter' as const, help: 'h', unit: 'seconds' }];
      const index = new BinaryBlockIndex(encodeBlockIndex(series, minT, maxT, metadata));
      assert.equal(index.size, series.length);
      assert.deepEqual([index.minT, index.maxT], [minT, maxT]);
      assert.deepEqual(index.metadata, metadata);
      const memory = new SeriesIndex();
      series.forEach((s, id) => {
        memory.getOrCreate(s.labels);
        assert.deepEqual(index.labels(id), s.labels);
        assert.deepEqual(index.chunkRefs(id), s.chunks);
        const last = index.lastSample(id);
        assert.equal(last.t, s.lastT);
        assert.equal(bits(last.v), bits(s.lastV), 'last value bit for bit (staleness marker, -0)');
      });
      assert.deepEqual(index.labelNames(), memory.labelNames());
      assert.deepEqual(index.labelValues('mode'), memory.labelValues('mode'));
      for (const matchers of [
        [newLabelMatcher('__name__', '=', 'metric_3')],
        [newLabelMatcher('__name__', '=~', 'metric_1.*'), newLabelMatcher('mode', '!=', 'idle')],
        [newLabelMatcher('mode', '=~', '.+')],
        [newLabelMatcher('mode', '=', '')],
        [newLabelMatcher('instance', '!~', 'host-1.*')],
        [newLabelMatcher('nope', '=', 'x')],
      ]) {
        assert.deepEqual(index.select(matchers), memory.select(matchers), JSON.stringify(matchers));
      }
    });
  }

  it('refuses a flipped byte, a wrong magic and an unknown version', () => {
    const bytes = encodeBlockIndex(randomSeries(9, 20), 0, 1, []);
    for (const at of [0, 4, 20, bytes.length - 30, bytes.length - 1]) {
      const broken = bytes.slice();
      broken[at]! ^= 0x10;
      assert.throws(() => new BinaryBlockIndex(broken), /block index: (not a marquetry|unsupported version|checksum mismatch)/);
    }
    assert.throws(() => new BinaryBlockIndex(bytes.subarray(0, 10)), /block index/);
  });

  it('still opens version 1 blocks (index.json) written before the binary index', () =>
    withDataDir(async (dir) => {
      const blockDir = join(dir, 'blocks', 'metrics', '0000000v1-0123456789abcdef');
      await mkdir(blockDir, { recursive: true });
      const chunk = encodeChunks(Float64Array.from([1000, 2000]), Float64Array.from([1, 2]), 'varbit')[0]!;
      await writeFile(join(blockDir, 'chunks'), chunk.bytes);
      const v1 = { version: 1, minT: 1000, maxT: 2000, series: [{ labels: [['__name__', 'up'], ['job', 'a']], chunks: [[0, chunk.bytes.length, 1000, 2000, 2]], lastT: 2000, lastV: 'NaN' }] };
      await writeFile(join(blockDir, 'index.json'), JSON.stringify(v1));
      const index = await openBlockIndex(blockDir);
      assert.ok(index instanceof JsonBlockIndex);
      assert.ok(Number.isNaN(index.lastSample(0).v));
      // A store whose catalog names such a block serves it.
      const info: BlockInfo = { id: '0000000v1-0123456789abcdef', dir: join('blocks', 'metrics', '0000000v1-0123456789abcdef'), minT: 1000, maxT: 2000, series: 1, samples: 2, chunkBytes: chunk.bytes.length, indexBytes: 0, level: 0 };
      const catalog = await Catalog.open<BlockInfo>(join(dir, 'catalog', 'metrics'));
      await catalog.commit((s) => ({ ...s, parts: [info] }));
      const store = await MetricsStore.open(testStoreOptions(dir));
      const got = await store.select([newLabelMatcher('__name__', '=', 'up')], 0, 1e9);
      assert.deepEqual([...got[0]!.t], [1000, 2000]);
      await store.close();
    }));
});
