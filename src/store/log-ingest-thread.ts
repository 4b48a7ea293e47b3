// The log store's ingest thread: a worker (log-ingest-worker.ts) that decodes
// every log request and writes the head's staging files, so that on the main
// thread a JSON-lines record costs only its share of HTTP and the WAL. The
// batches stay in the worker (moving their strings between threads would cost
// about what decoding them does); the head holds tickets for them.

import type { Worker } from 'node:worker_threads';
import { DecodeError } from '../model/errors.js';
import { startModuleWorker } from '../parts/module-worker.js';
import type { Stager, StagedContent } from '../head/head.js';
import type { JsonLinesOptions } from '../receive/json-lines-decode.js';
import type { JsonLinesDecoded, LogIngestAnswer, LogIngestRequest, LogTicket, OtlpLogsDecoded } from './log-ingest-protocol.js';

type Call = Exclude<LogIngestRequest, { op: 'discard' }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Young generation of the worker: the objects JSON.parse makes for a line die
 * young, and a larger nursery scavenges less often (docs/logs.md, "Ingest cost").
 */
const YOUNG_GENERATION_MB = 96;

export class LogIngestThread implements Stager<LogTicket> {
  private readonly worker: Worker;
  private readonly calls = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private nextCall = 1;
  private failure: Error | undefined;
  private closing = false;

  constructor() {
    this.worker = startModuleWorker(import.meta.url, './log-ingest-worker', { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    // referenced only while a call waits for it: an idle thread keeps no process alive
    this.worker.unref();
    this.worker.on('message', (a: LogIngestAnswer) => {
      const call = this.calls.get(a.call);
      if (!call) return;
      this.settled(a.call);
      if ('error' in a) call.reject(a.error.decode ? new DecodeError(a.error.message) : new Error(`log ingest thread: ${a.error.message}`));
      else call.resolve(a.result);
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`log ingest thread: exited with code ${code}`)));
  }

  /** `body` is moved to the thread (detached here) when it is a whole buffer of its own; else copied. */
  decodeJsonLines(body: Uint8Array, options: JsonLinesOptions): Promise<JsonLinesDecoded> {
    const owned = body.byteOffset === 0 && body.buffer instanceof ArrayBuffer && body.byteLength === body.buffer.byteLength;
    return this.call({ op: 'jsonLines', body, options }, owned ? [body.buffer as ArrayBuffer] : []);
  }

  decodeOtlp(format: 'proto' | 'json', body: Uint8Array): Promise<OtlpLogsDecoded> {
    return this.call({ op: 'otlp', format, body });
  }

  /** A WAL record (replay), decoded as at ingest. */
  decodeWalRecord(type: number, payload: Uint8Array): Promise<LogTicket> {
    return this.call({ op: 'walRecord', type, payload });
  }

  /** Stager: the batches of `tickets` into a staging file; the thread forgets them once it is written. */
  stage(tickets: readonly LogTicket[], path: string, rows: number): Promise<StagedContent> {
    return this.call({ op: 'stage', tickets: tickets.map((t) => t.id), path, rows });
  }

  /** Drops the batch of a request that failed after decoding. */
  discard(ticket: LogTicket): void {
    if (ticket.id !== 0 && !this.failure) this.worker.postMessage({ op: 'discard', tickets: [ticket.id] } satisfies LogIngestRequest);
  }

  /** Stops the thread; calls still waiting, and any later, fail. */
  async close(): Promise<void> {
    this.closing = true;
    this.fail(new Error('log ingest thread: closed'));
    await this.worker.terminate();
  }

  private call<T>(request: DistributiveOmit<Call, 'call'>, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const call = this.nextCall++;
    return new Promise<T>((resolve, reject) => {
      if (this.calls.size === 0) this.worker.ref();
      this.calls.set(call, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...request, call } as Call, transfer);
    });
  }

  private settled(call: number): void {
    this.calls.delete(call);
    if (this.calls.size === 0) this.worker.unref();
  }

  /** The thread is gone: every waiting and later call fails (acknowledged records are in the WAL; a restart replays them). */
  private fail(err: Error): void {
    if (!this.failure) this.failure = err;
    if (!this.closing) console.error(`logs: ${String(err)}`);
    for (const [call, { reject }] of [...this.calls]) {
      this.settled(call);
      reject(this.failure);
    }
  }
}
