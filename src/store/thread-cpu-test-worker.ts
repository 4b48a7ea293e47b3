// Worker body for thread-cpu.test.ts: registers as a log ingest thread,
// spins until it has used the CPU it is told (its own, by /proc), says so,
// and then either retires and ends, or waits to be terminated.

import { parentPort, workerData } from 'node:worker_threads';
import { procCpuSeconds, registerThisThread, retireThisThread } from './thread-cpu.js';

const { cpuMs, retire } = workerData as { cpuMs: number; retire: boolean };
registerThisThread('log-ingest');
const start = procCpuSeconds('thread-self');
let sink = 0;
for (;;) {
  for (let i = 0; i < 100_000; i++) sink += Math.sqrt(i);
  if ((procCpuSeconds('thread-self') - start) * 1000 >= cpuMs) break;
}
if (retire) retireThisThread();
// not retired: stays (and keeps its /proc entry) until terminated
else setInterval(() => undefined, 60_000);
parentPort!.postMessage(sink > 0);
