// The flush's regrouping worker threads (body: sorted-run-worker.ts), kept
// between flushes. A fresh worker per flush paid, every time, ~130 ms of CPU
// to load its modules and compile zstd's WebAssembly, and then ran the
// writer's hot loops unoptimised until V8 had compiled them again on its
// platform threads. An idle worker is reused by the next flush and ends
// after IDLE_WORKER_MS without one; at most MAX_IDLE_WORKERS wait (the trace
// and the log store flush at the same time at most).

import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from './module-worker.js';
import { retireWorker } from '../store/thread-cpu.js';
import type { SortedRunJob, SortedRunResult } from './sorted-run.js';

const IDLE_WORKER_MS = 30_000;
const MAX_IDLE_WORKERS = 2;

/** What the worker answers a job: its result, or why it failed. */
export type SortedRunAnswer = { result: SortedRunResult } | { error: { message: string; stack?: string } };

interface Pending {
  resolve(result: SortedRunResult): void;
  reject(err: Error): void;
}

/** Workers waiting for the next flush, newest last. */
const idleWorkers: RegroupingWorker[] = [];

class RegroupingWorker {
  private readonly worker: Worker;
  private pending: Pending | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor() {
    this.worker = startModuleWorker(import.meta.url, './sorted-run-worker');
    // an idle worker keeps no process alive
    this.worker.unref();
    this.worker.on('message', (answer: SortedRunAnswer) => {
      const pending = this.pending;
      this.pending = undefined;
      if (!pending) return;
      this.worker.unref();
      if ('result' in answer) pending.resolve(answer.result);
      else pending.reject(Object.assign(new Error(answer.error.message), answer.error.stack ? { stack: answer.error.stack } : {}));
      this.idle();
    });
    this.worker.on('error', (err) => this.end(err));
    this.worker.on('exit', (code) => this.end(new Error(`sorted run: worker exited with code ${code} before answering`)));
  }

  run(job: SortedRunJob): Promise<SortedRunResult> {
    clearTimeout(this.idleTimer);
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(job);
    });
  }

  /** Waits among the idle workers for another job, at most IDLE_WORKER_MS; ends at once when enough wait. */
  private idle(): void {
    if (this.ended) return;
    if (idleWorkers.length >= MAX_IDLE_WORKERS) {
      void this.terminate();
      return;
    }
    idleWorkers.push(this);
    this.idleTimer = setTimeout(() => void this.terminate(), IDLE_WORKER_MS);
    this.idleTimer.unref();
  }

  private async terminate(): Promise<void> {
    if (this.ended) return;
    this.end();
    retireWorker(this.worker);
    await this.worker.terminate();
  }

  /** No more jobs: out of the idle list, and a job still waiting fails with `err`. */
  private end(err?: Error): void {
    this.ended = true;
    clearTimeout(this.idleTimer);
    const at = idleWorkers.indexOf(this);
    if (at >= 0) idleWorkers.splice(at, 1);
    const pending = this.pending;
    this.pending = undefined;
    if (pending && err) pending.reject(err);
  }
}

/** Runs writeSortedRuns in a worker thread: an idle one from an earlier flush, else a new one. */
export function writeSortedRunsInWorker(job: SortedRunJob): Promise<SortedRunResult> {
  return (idleWorkers.pop() ?? new RegroupingWorker()).run(job);
}
