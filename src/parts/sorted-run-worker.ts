// Worker thread body of writeSortedRunsInWorker (src/parts/sorted-run.ts).

import { parentPort, workerData } from 'node:worker_threads';
import { loadPageCodec } from './parquet/compression.js';
import { writeSortedRuns, type SortedRunJob } from './sorted-run.js';
import { registerThisThread, retireThisThread } from '../store/thread-cpu.js';

registerThisThread('flush-sort');

const job = workerData as SortedRunJob;
// zstd pages need the WebAssembly module loaded in this thread first
await loadPageCodec(job.write?.codec);
for (const codec of Object.values(job.write?.columnCodecs ?? {})) await loadPageCodec(codec);
try {
  parentPort!.postMessage(writeSortedRuns(job));
} finally {
  retireThisThread();
}
