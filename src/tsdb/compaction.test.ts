import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { compactionRanges, encodeChunks, planCompaction } from './compaction.js';
import type { BlockInfo } from './block.js';
import { mergePieces } from './series-merge.js';
import { MetricsStore } from './metrics-store.js';
import { newLabelMatcher } from './promql/matchers.js';
import { chunkIterator } from './chunks/index.js';
import { fillScrapeBlocks, ingestSpec, SCRAPE_T0, storeSnapshot as snapshot, testStoreOptions, withDataDir } from './store-test-helpers.js';
import { seededRandom } from '../model/seeded-random.js';

const H = 3600_000;
const MIN = 60_000;

function block(id: string, minT: number, maxT: number, level = 0): BlockInfo {
  return { id, dir: id, minT, maxT, series: 1, samples: 1, chunkBytes: 1, indexBytes: 1, level };
}

describe('compaction planning', () => {
  it('grows windows by 3x from the head block span and caps them at a tenth of retention', () => {
    assert.deepEqual(compactionRanges(2 * H, 0).slice(0, 3), [6 * H, 18 * H, 54 * H]);
    assert.equal(Math.max(...compactionRanges(2 * H, 0)), 486 * H, 'below the 31-day cap');
    assert.deepEqual(compactionRanges(2 * H, 100 * 24 * H), [6 * H, 18 * H, 54 * H, 162 * H]);
  });

  it('merges a window once a newer block starts after it, smallest range first', () => {
    const ranges = [6 * H, 18 * H];
    const blocks = [block('a', 0, 2 * H - 1), block('b', 2 * H, 4 * H - 1), block('c', 4 * H, 6 * H - 1)];
    assert.equal(planCompaction(blocks, ranges), undefined, 'the window may still get data');
    const plan = planCompaction([...blocks, block('d', 6 * H, 7 * H)], ranges)!;
    assert.deepEqual(plan.sources.map((b) => b.id), ['a', 'b', 'c']);
    assert.equal(plan.level, 1);
    const next = planCompaction([block('m1', 0, 6 * H - 1, 1), block('m2', 6 * H, 12 * H - 1, 1), block('m3', 12 * H, 18 * H - 1, 1), block('n', 18 * H, 19 * H)], ranges)!;
    assert.deepEqual([next.level, next.sources.length], [2, 3]);
  });

  it('puts a backfilled block into the window of its oldest sample', () => {
    const plan = planCompaction([block('merged', 0, 6 * H - 1, 1), block('backfill', 3 * H, 7 * H), block('now', 7 * H, 8 * H)], [6 * H])!;
    assert.deepEqual(plan.sources.map((b) => b.id), ['merged', 'backfill']);
  });
});

describe('series merge and re-cut', () => {
  it('merges interleaved and overlapping pieces, keeping the earlier piece on equal timestamps', () => {
    const piece = (t: number[], v: number[]) => ({ labels: [], t: Float64Array.from(t), v: Float64Array.from(v) });
    const got = mergePieces([piece([5, 7, 9], [50, 70, 90]), piece([1, 5, 6, 10], [10, 55, 60, 100])]);
    assert.deepEqual([...got.t], [1, 5, 6, 7, 9, 10]);
    assert.deepEqual([...got.v], [10, 55, 60, 70, 90, 100]);
  });

  it('re-cuts samples into full chunks that decode to the same samples', () => {
    const r = seededRandom(3);
    const n = 5000;
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      t[i] = 1_700_000_000_000 + i * 15_000 + Math.round(r() * 100);
      v[i] = i % 100 === 0 ? NaN : Math.round(r() * 1e6) / 100;
    }
    const chunks = encodeChunks(t, v, 'auto');
    assert.ok(chunks.length > 5);
    let k = 0;
    for (const c of chunks) {
      const it = chunkIterator(c.bytes);
      while (it.next()) {
        assert.equal(it.t, t[k]);
        assert.ok(Object.is(it.v, v[k]) || (Number.isNaN(it.v) && Number.isNaN(v[k])));
        k++;
      }
      assert.equal(c.minT, t[k - c.count]);
      assert.equal(c.maxT, t[k - 1]);
    }
    assert.equal(k, n);
  });
});

const T0 = SCRAPE_T0;

const fillBlocks = (dir: string): Promise<void> => fillScrapeBlocks(dir, 40);

async function blockFolders(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'blocks', 'metrics'))).sort();
}

describe('metrics store compaction', () => {
  it('answers every query the same before and after compaction, with fewer and larger blocks', () =>
    withDataDir(async (dir) => {
      await fillBlocks(dir);
      const store = await MetricsStore.open(testStoreOptions(dir, { blockMaxSpanMs: 30 * MIN }));
      const before = await snapshot(store);
      const blocksBefore = store.stats().blocks;
      const window = [newLabelMatcher('__name__', '=', 'node_cpu_seconds_total'), newLabelMatcher('instance', '=', 'host-3')];
      const windowBefore = await store.select(window, T0 + 75 * MIN, T0 + 200 * MIN);
      assert.ok((await store.compact()) > 0);
      assert.deepEqual(await snapshot(store), before);
      const byLabels = (list: typeof windowBefore) => [...list].sort((a, b) => (JSON.stringify(a.labels) < JSON.stringify(b.labels) ? -1 : 1));
      assert.deepEqual(byLabels(await store.select(window, T0 + 75 * MIN, T0 + 200 * MIN)), byLabels(windowBefore));
      const stats = store.stats();
      assert.ok(stats.blocks < blocksBefore, `${stats.blocks} blocks after, ${blocksBefore} before`);
      assert.equal(stats.blockSamples, before.reduce((n, line) => n + line.split(' ')[1]!.split(',').length, 0), 'every sample once');
      assert.equal((await blockFolders(dir)).length, stats.blocks, 'sources removed');
      await store.close();
      const reopened = await MetricsStore.open(testStoreOptions(dir, { blockMaxSpanMs: 30 * MIN }));
      assert.deepEqual(await snapshot(reopened), before);
      await assert.rejects(ingestSpec(reopened, [{ labels: { __name__: 'backfilled', job: 'late' }, samples: [[T0, 1]] }]), /out of order/, 'ordering continues from the compacted block');
      await reopened.close();
    }));

  it('leaves a readable store with every sample once wherever a compaction stops', () =>
    withDataDir(async (root) => {
      const base = join(root, 'base');
      await fillBlocks(base);
      const pristine = join(root, 'pristine');
      await cp(base, pristine, { recursive: true });
      const store = await MetricsStore.open(testStoreOptions(base, { blockMaxSpanMs: 30 * MIN }));
      const want = await snapshot(store);
      await store.compact();
      await store.close();
      const sourceFolders = await blockFolders(pristine);
      const newFolders = (await blockFolders(base)).filter((n) => !sourceFolders.includes(n));
      assert.ok(newFolders.length > 0);

      // The three states a crash can leave: a half-written block, a written block not in the catalog, and sources not yet removed.
      const states: Record<string, (dir: string) => Promise<void>> = {
        'while writing the new block': async (dir) => {
          await cp(pristine, dir, { recursive: true });
          await cp(join(base, 'blocks', 'metrics', newFolders[0]!), join(dir, 'blocks', 'metrics', `.${newFolders[0]!}.tmp`), { recursive: true });
        },
        'after renaming it, before the catalog commit': async (dir) => {
          await cp(pristine, dir, { recursive: true });
          for (const f of newFolders) await cp(join(base, 'blocks', 'metrics', f), join(dir, 'blocks', 'metrics', f), { recursive: true });
        },
        'after the commit, before removing the sources': async (dir) => {
          await cp(base, dir, { recursive: true });
          for (const f of sourceFolders) await cp(join(pristine, 'blocks', 'metrics', f), join(dir, 'blocks', 'metrics', f), { recursive: true, force: false });
        },
      };
      for (const [name, make] of Object.entries(states)) {
        const dir = join(root, name.replaceAll(' ', '-').replaceAll(',', ''));
        await make(dir);
        const reopened = await MetricsStore.open(testStoreOptions(dir, { blockMaxSpanMs: 30 * MIN }));
        assert.deepEqual(await snapshot(reopened), want, name);
        assert.equal((await blockFolders(dir)).length, reopened.stats().blocks, `${name}: leftover folders removed`);
        await reopened.compact();
        assert.deepEqual(await snapshot(reopened), want, `${name}, compacted again`);
        await reopened.close();
      }
    }));
});
