// Worker thread body of writeSortedRunsInWorker (src/parts/sorted-run.ts).

import { parentPort, workerData } from 'node:worker_threads';
import { writeSortedRuns, type SortedRunJob } from './sorted-run.js';
import { loadZstd } from './parquet/zstd.js';

const job = workerData as SortedRunJob;
if (job.write?.codec?.codec === 'zstd') await loadZstd();
parentPort!.postMessage(writeSortedRuns(job));
