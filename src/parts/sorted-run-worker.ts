// Worker thread body of writeSortedRunsInWorker (src/parts/sorted-run.ts).

import { parentPort, workerData } from 'node:worker_threads';
import { writeSortedRuns, type SortedRunJob } from './sorted-run.js';

parentPort!.postMessage(writeSortedRuns(workerData as SortedRunJob));
