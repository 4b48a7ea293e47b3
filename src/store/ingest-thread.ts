// A signal store's ingest thread: a worker that decodes the signal's requests
// and writes the head's staging files, so that the main thread is left HTTP,
// the WAL and the flush. The batches stay in the worker (moving their
// strings between threads would cost about what decoding them does); the
// head holds tickets for them (Stager). The worker's body is the signal's
// own module, built on serveIngestThread (ingest-worker.ts). Used by logs
// (log-ingest-thread.ts) and traces (trace-ingest-thread.ts).

import type { Worker, WorkerOptions } from 'node:worker_threads';
import { DecodeError } from '../model/errors.js';
import { startModuleWorker } from '../parts/module-worker.js';
import type { Stager, StagedContent } from '../head/head.js';
import { retireWorker } from './thread-cpu.js';
import type { ArenaSlot, BodyArena } from './body-arena.js';

/** A batch held by the ingest thread: its id there and its row count. */
export interface Ticket {
  /** 0 for an empty batch, which the thread does not keep */
  id: number;
  length: number;
}

export type IngestRequest =
  /**
   * decode a request with the signal's decoder `decoder` (`args`: what it
   * needs beside the body); `lend`: the body's buffer came moved and goes
   * back, moved, with the answer (Lent)
   */
  | { op: 'decode'; call: number; decoder: string; body: Uint8Array; args: unknown; lend?: boolean }
  /** decode a body that lies in the shared arena (`arena` op) at [at, at + length) */
  | { op: 'decodeInArena'; call: number; decoder: string; at: number; length: number; args: unknown }
  /** the shared buffer of the body arena (body-arena.ts), sent once before any decodeInArena */
  | { op: 'arena'; buffer: SharedArrayBuffer }
  | { op: 'walRecord'; call: number; type: number; payload: Uint8Array }
  | { op: 'stage'; call: number; tickets: number[]; path: string; rows: number }
  /** batches that will not be staged (the request failed after decoding); no answer */
  | { op: 'discard'; tickets: number[] };

/** A decoded request: the ticket of its batch and whatever else its decoder answers. */
export type Decoded<Extra> = { ticket: Ticket } & Extra;

/** A body lent to the thread comes back with the answer, here; undefined when it was copied (the caller's is intact). */
export interface Lent {
  lent?: Uint8Array;
}

/**
 * How a body goes to the thread: `copy` (the caller keeps using it), `move`
 * (the caller is done with it) or `lend` (moved there and back: the caller
 * needs it after decoding, e.g. for the WAL, and takes it from Lent). A body
 * that is a view into a larger buffer is copied whatever the mode.
 */
export type BodyPassing = 'copy' | 'move' | 'lend';

export type IngestAnswer =
  | { call: number; result: Decoded<object> | Ticket | StagedContent }
  /** `decode`: the input was bad (DecodeError), else the thread failed */
  | { call: number; error: { decode: boolean; message: string } };

type Call = Exclude<IngestRequest, { op: 'discard' } | { op: 'arena' }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class IngestThread implements Stager<Ticket> {
  private readonly worker: Worker;
  private readonly calls = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private nextCall = 1;
  private failure: Error | undefined;
  private closing = false;
  private arenaSent: BodyArena | undefined;

  /** `label` names the thread in errors ('log ingest thread'); the worker runs `name` beside `callerUrl` (startModuleWorker). */
  constructor(
    private readonly label: string,
    callerUrl: string,
    name: string,
    options: WorkerOptions = {},
  ) {
    this.worker = startModuleWorker(callerUrl, name, options);
    // referenced only while a call waits for it: an idle thread keeps no process alive
    this.worker.unref();
    this.worker.on('message', (a: IngestAnswer) => {
      const call = this.calls.get(a.call);
      if (!call) return;
      this.settled(a.call);
      if ('error' in a) call.reject(a.error.decode ? new DecodeError(a.error.message) : new Error(`${this.label}: ${a.error.message}`));
      else call.resolve(a.result);
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`${this.label}: exited with code ${code}`)));
  }

  /**
   * A request decoded by the signal's decoder `decoder`. `body` passes as
   * `passing` says when it is a whole buffer of its own (moved: detached
   * here); else it is copied (only its bytes: a view is not cloned with its
   * buffer). Moving spares the copy and the thread an allocation of the
   * body's size per request, which drives its young-generation collections.
   */
  protected decode<Extra>(decoder: string, body: Uint8Array, args: unknown, passing: BodyPassing = 'copy'): Promise<Decoded<Extra> & Lent> {
    const whole = body.byteOffset === 0 && body.buffer instanceof ArrayBuffer && body.byteLength === body.buffer.byteLength;
    if (!whole) return this.call({ op: 'decode', decoder, body: body.slice(), args });
    if (passing === 'copy') return this.call({ op: 'decode', decoder, body, args });
    return this.call({ op: 'decode', decoder, body, args, lend: passing === 'lend' }, [body.buffer as ArrayBuffer]);
  }

  /**
   * A request whose body lies in `arena` (its slot: the caller releases it
   * once the thread has answered and the body is no longer needed). The
   * thread reads it in place: nothing is copied or moved.
   */
  protected decodeInArena<Extra>(decoder: string, arena: BodyArena, slot: ArenaSlot, args: unknown): Promise<Decoded<Extra>> {
    if (this.arenaSent !== arena) {
      if (this.arenaSent !== undefined) throw new Error(`${this.label}: one body arena per thread`);
      if (!this.failure) this.worker.postMessage({ op: 'arena', buffer: arena.buffer } satisfies IngestRequest);
      this.arenaSent = arena;
    }
    return this.call({ op: 'decodeInArena', decoder, at: slot.offset, length: slot.bytes.length, args });
  }

  /** A WAL record (replay), decoded as at ingest. */
  decodeWalRecord(type: number, payload: Uint8Array): Promise<Ticket> {
    return this.call({ op: 'walRecord', type, payload: payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength ? payload : payload.slice() });
  }

  /** Stager: the batches of `tickets` into a staging file; the thread forgets them once it is written. */
  stage(tickets: readonly Ticket[], path: string, rows: number): Promise<StagedContent> {
    return this.call({ op: 'stage', tickets: tickets.map((t) => t.id), path, rows });
  }

  /** Drops the batch of a request that failed after decoding. */
  discard(ticket: Ticket): void {
    if (ticket.id !== 0 && !this.failure) this.worker.postMessage({ op: 'discard', tickets: [ticket.id] } satisfies IngestRequest);
  }

  /** Stops the thread; calls still waiting, and any later, fail. */
  async close(): Promise<void> {
    this.closing = true;
    this.fail(new Error(`${this.label}: closed`));
    retireWorker(this.worker);
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
    if (!this.closing) console.error(`${this.label}: ${String(err)}`);
    for (const [call, { reject }] of [...this.calls]) {
      this.settled(call);
      reject(this.failure);
    }
  }
}
