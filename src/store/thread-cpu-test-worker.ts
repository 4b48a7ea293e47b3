// Worker body for thread-cpu.test.ts: registers as a log ingest thread,
// spins until it has used the CPU it is told, and says so.

import { parentPort, workerData } from 'node:worker_threads';
import { registerThisThread, retireThisThread } from './thread-cpu.js';

const { cpuMs, retire } = workerData as { cpuMs: number; retire: boolean };
registerThisThread('log-ingest');
const start = process.cpuUsage();
let sink = 0;
for (;;) {
  for (let i = 0; i < 100_000; i++) sink += Math.sqrt(i);
  const used = process.cpuUsage(start);
  if ((used.user + used.system) / 1000 >= cpuMs) break;
}
if (retire) retireThisThread();
parentPort!.postMessage(sink > 0);
