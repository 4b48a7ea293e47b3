// A process compacting metric blocks is SIGKILLed at spread-out moments; each
// time the store reopens with every sample exactly once, no leftover block
// folders, and compacts to the same answers afterwards.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MetricsStore } from '../../src/tsdb/metrics-store.js';
import { fillScrapeBlocks, SCRAPE_BLOCK_SPAN_MS, storeSnapshot, testStoreOptions, withDataDir } from '../../src/tsdb/store-test-helpers.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const compiled = import.meta.url.endsWith('.js');
const child = join(here, '../helpers', compiled ? 'metrics-compact-child.js' : 'metrics-compact-child.ts');
const KILLS = 6;

/** Runs the child until it says "compacting", waits `delayMs`, kills it; resolves with whether it had finished. */
function compactAndKill(dir: string, delayMs: number): Promise<boolean> {
  const env = { ...process.env };
  delete env['NODE_TEST_CONTEXT'];
  const proc = spawn(process.execPath, [...(compiled ? [] : ['--import', 'tsx']), child, dir], { stdio: ['ignore', 'pipe', 'inherit'], env });
  return new Promise((resolve, reject) => {
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (timer === undefined && out.startsWith('compacting\n')) timer = setTimeout(() => proc.kill('SIGKILL'), delayMs);
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' || code === 0) resolve(out.includes('done'));
      else reject(new Error(`compaction child exited with ${code}: ${out}`));
    });
  });
}

function openStore(dir: string): Promise<MetricsStore> {
  return MetricsStore.open(testStoreOptions(dir, { blockMaxSpanMs: SCRAPE_BLOCK_SPAN_MS }));
}

describe('metric block compaction under SIGKILL', { timeout: 240_000 }, () => {
  it('reopens with every sample once after a kill at any moment of a compaction', () =>
    withDataDir(async (root) => {
      const pristine = join(root, 'pristine');
      await fillScrapeBlocks(pristine, 400);
      const reference = await openStore(pristine);
      const want = await storeSnapshot(reference);
      await reference.close();

      // Time one uninterrupted compaction to spread the kills over it.
      const timed = join(root, 'timed');
      await cp(pristine, timed, { recursive: true });
      const started = Date.now();
      assert.equal(await compactAndKill(timed, 600_000), true);
      const fullMs = Date.now() - started;

      let interrupted = 0;
      for (let i = 1; i <= KILLS; i++) {
        const dir = join(root, `kill-${i}`);
        await cp(pristine, dir, { recursive: true });
        if (!(await compactAndKill(dir, Math.round((fullMs * i) / (KILLS + 1))))) interrupted++;
        const store = await openStore(dir);
        assert.deepEqual(await storeSnapshot(store), want, `kill ${i}: reopened`);
        assert.equal((await readdir(join(dir, 'blocks', 'metrics'))).length, store.stats().blocks, `kill ${i}: no leftover folders`);
        await store.compact();
        assert.deepEqual(await storeSnapshot(store), want, `kill ${i}: compacted after the restart`);
        await store.close();
      }
      console.log(`compaction crash: ${interrupted} of ${KILLS} kills landed before the compaction finished (a full one took ${fullMs} ms)`);
    }));
});
