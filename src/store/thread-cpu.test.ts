import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { startModuleWorker } from '../parts/module-worker.js';
import { retireWorker, threadCpuSeconds } from './thread-cpu.js';

const linux = process.platform === 'linux';

/** A registered worker that has spun `cpuMs` of its CPU and waits to be terminated (or has retired itself and ends). */
async function busyWorker(cpuMs: number, retire: boolean) {
  const worker = startModuleWorker(import.meta.url, './thread-cpu-test-worker', { workerData: { cpuMs, retire } });
  const exited = once(worker, 'exit');
  await once(worker, 'message');
  return { worker, exited };
}

test('a worker\'s CPU is counted under its role while it runs and after it is gone', { skip: !linux && 'needs /proc' }, async () => {
  const before = threadCpuSeconds().workers['log-ingest'];
  const { worker: live } = await busyWorker(400, false);
  const running = threadCpuSeconds();
  // /proc counts in 10 ms ticks; the worker spun 400 ms of its own CPU
  assert.ok(running.workers['log-ingest'] - before >= 0.35, `live worker counted ${running.workers['log-ingest'] - before} s`);
  retireWorker(live);
  await live.terminate();
  const afterTerminate = threadCpuSeconds().workers['log-ingest'];
  assert.ok(afterTerminate - before >= 0.35, `terminated worker counted ${afterTerminate - before} s`);

  const ended = await busyWorker(300, true);
  await ended.exited;
  const afterEnd = threadCpuSeconds();
  assert.ok(afterEnd.workers['log-ingest'] - afterTerminate >= 0.25, `ended worker counted ${afterEnd.workers['log-ingest'] - afterTerminate} s`);

  // the parts add up to the process's total
  const parts = afterEnd.main + afterEnd.v8Platform + (afterEnd.libuvPool || 0) + afterEnd.other + Object.values(afterEnd.workers).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(parts - afterEnd.process) < 1e-6);
  assert.ok(afterEnd.main > 0 && afterEnd.process >= afterEnd.main);
});
