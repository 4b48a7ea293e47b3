// A second thread for trace lookups. A lookup's work is one row group's
// pages — decompressed (zstd in WebAssembly) and decoded at the trace's
// rows — for ~80–120 columns, on one thread: ~20 ms at 10 M spans
// (docs/storage.md). The columns are independent, so this worker reads
// about half of them while the calling thread reads the rest: the row
// group's bytes are shared memory (no copy), the worker's answer is the
// values at the trace's rows (a few thousand small values, cloned).
//
// One worker, started on first use and unref'd (it never keeps the process
// alive); requests queue in it. If it fails, lookups read every column on
// the calling thread (usable = false), as before it.

import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../parts/module-worker.js';
import type { ColumnChunkRef, ColumnReadHelper } from './part-pages.js';

/** A request to the worker: readColumnValues' arguments. */
export interface ColumnReadRequest {
  id: number;
  bytes: Uint8Array;
  base: number;
  columns: readonly ColumnChunkRef[];
  rows: Int32Array;
}

export type ColumnReadReply = { id: number; values: unknown[][] } | { id: number; error: string };

export class LookupHelper implements ColumnReadHelper {
  private worker: Worker | undefined;
  private failed = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (values: unknown[][]) => void; reject: (err: Error) => void }>();
  /** column chunks the worker has read so far */
  columnsRead = 0;

  get usable(): boolean {
    return !this.failed;
  }

  read(bytes: Uint8Array, base: number, columns: readonly ColumnChunkRef[], rows: Int32Array): Promise<unknown[][]> {
    if (!(bytes.buffer instanceof SharedArrayBuffer)) return Promise.reject(new Error('lookup helper: the bytes are not in shared memory'));
    const worker = this.started();
    if (!worker) return Promise.reject(new Error('lookup helper: not running'));
    const id = this.nextId++;
    return new Promise<unknown[][]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, bytes, base, columns, rows } satisfies ColumnReadRequest);
    });
  }

  /** Stops the worker; later reads are done by the caller. */
  async close(): Promise<void> {
    this.failed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error('lookup helper: closed'));
    if (worker) await worker.terminate();
  }

  private started(): Worker | undefined {
    if (this.failed) return undefined;
    if (this.worker) return this.worker;
    const worker = startModuleWorker(import.meta.url, 'lookup-helper-worker');
    worker.unref();
    worker.on('message', (reply: ColumnReadReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if ('error' in reply) waiting.reject(new Error(`lookup helper: ${reply.error}`));
      else {
        this.columnsRead += reply.values.length;
        waiting.resolve(reply.values);
      }
    });
    const fail = (err: Error): void => {
      if (this.worker !== worker) return;
      console.error(`lookup helper: ${err.message}; lookups read every column on one thread from now on`);
      this.failed = true;
      this.worker = undefined;
      this.failAll(err);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(err);
    this.pending.clear();
  }
}
