// Worker thread body of writeSortedRunsInWorker (sorted-run-thread.ts): one
// job per message, for as long as the thread is kept.

import { parentPort } from 'node:worker_threads';
import { loadPageCodec } from './parquet/compression.js';
import { writeSortedRuns, type SortedRunJob } from './sorted-run.js';
import type { SortedRunAnswer } from './sorted-run-thread.js';
import { registerThisThread } from '../store/thread-cpu.js';
import { releaseScratch } from './parquet/scratch.js';

registerThisThread('flush-sort');

parentPort!.on('message', (job: SortedRunJob) => {
  void answer(job).then((a) => parentPort!.postMessage(a));
});

async function answer(job: SortedRunJob): Promise<SortedRunAnswer> {
  try {
    // zstd pages need the WebAssembly module loaded in this thread first (once: later loads are no-ops)
    await loadPageCodec(job.write?.codec);
    for (const codec of Object.values(job.write?.columnCodecs ?? {})) await loadPageCodec(codec);
    return { result: writeSortedRuns(job) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return { error: { message: e.message, ...(e.stack ? { stack: e.stack } : {}) } };
  } finally {
    // an idle worker holds no scratch (~27 MiB after a 1 M-span flush): resident memory the bound counts while nothing uses it
    releaseScratch();
  }
}
