// The body of an ingest thread (ingest-thread.ts), given a signal's decoders
// and staging schema: keeps decoded batches by ticket until the head has them
// staged, or discarded.

import { parentPort } from 'node:worker_threads';
import { DecodeError } from '../model/errors.js';
import { stageRows, type RowStagingSchema, type StagedContent } from '../head/head.js';
import type { IngestAnswer, IngestRequest, Ticket } from './ingest-thread.js';

/** What a decoder makes of a request: its batch, and what to answer beside the ticket. */
export interface DecoderResult<B> {
  batch: B;
  extra: object;
  /** buffers of `extra` to move rather than copy */
  transfer?: ArrayBuffer[];
}

export interface IngestSignal<B extends { length: number }> {
  schema: RowStagingSchema<B>;
  /** by IngestRequest.decoder */
  decoders: Record<string, (body: Uint8Array, args: unknown) => DecoderResult<B>>;
  decodeWalRecord(type: number, payload: Uint8Array): B;
  /** the typed arrays of a staged file's sidecar, moved rather than copied */
  sidecarBuffers?(sidecar: unknown): ArrayBuffer[];
}

/** Answers the ingest thread's calls on this worker's parent port. */
export function serveIngestThread<B extends { length: number }>(signal: IngestSignal<B>): void {
  const port = parentPort!;
  const batches = new Map<number, B>();
  let nextTicket = 1;

  const keep = (batch: B): Ticket => {
    if (batch.length === 0) return { id: 0, length: 0 };
    const id = nextTicket++;
    batches.set(id, batch);
    return { id, length: batch.length };
  };

  const stage = async (tickets: readonly number[], path: string, rows: number): Promise<StagedContent> => {
    const staged = tickets.map((id) => {
      const batch = batches.get(id);
      if (!batch) throw new Error(`no batch for ticket ${id}`);
      return batch;
    });
    const content = await stageRows(signal.schema, staged, path, rows);
    // only once the file is written: a failed seal is tried again with the same tickets
    for (const id of tickets) batches.delete(id);
    return content;
  };

  /** The typed arrays a staged file's description carries, moved rather than copied. */
  const buffersOf = (content: StagedContent): ArrayBuffer[] => {
    const out = new Set<ArrayBuffer>(signal.sidecarBuffers?.(content.sidecar) ?? []);
    for (const a of [content.traceIds, content.startNs]) if (a.buffer instanceof ArrayBuffer) out.add(a.buffer);
    return [...out];
  };

  const decode = (name: string, body: Uint8Array, args: unknown): DecoderResult<B> => {
    const decoder = signal.decoders[name];
    if (!decoder) throw new Error(`no decoder ${name}`);
    return decoder(body, args);
  };

  /** request bodies shared with the main thread (body-arena.ts), once it has sent them */
  let arena: SharedArrayBuffer | undefined;

  const answer = async (m: Exclude<IngestRequest, { op: 'discard' } | { op: 'arena' }>): Promise<[IngestAnswer, ArrayBuffer[]]> => {
    switch (m.op) {
      case 'decodeInArena': {
        if (!arena) throw new Error('no body arena');
        // decoders keep no view of the body: the main thread reuses the slot once the WAL has it
        const decoded = decode(m.decoder, new Uint8Array(arena, m.at, m.length), m.args);
        return [{ call: m.call, result: { ticket: keep(decoded.batch), ...decoded.extra } }, decoded.transfer ?? []];
      }
      case 'decode': {
        const decoded = decode(m.decoder, m.body, m.args);
        const transfer = decoded.transfer ?? [];
        // decoders keep no view of the body (their strings and ids are copies): it can go back
        if (m.lend) transfer.push(m.body.buffer as ArrayBuffer);
        return [{ call: m.call, result: { ticket: keep(decoded.batch), ...decoded.extra, ...(m.lend ? { lent: m.body } : {}) } }, transfer];
      }
      case 'walRecord':
        return [{ call: m.call, result: keep(signal.decodeWalRecord(m.type, m.payload)) }, []];
      case 'stage': {
        const content = await stage(m.tickets, m.path, m.rows);
        return [{ call: m.call, result: content }, buffersOf(content)];
      }
    }
  };

  const run = (m: IngestRequest): void => {
    if (m.op === 'discard') {
      for (const id of m.tickets) batches.delete(id);
      return;
    }
    if (m.op === 'arena') {
      arena = m.buffer;
      return;
    }
    answer(m).then(
      ([a, transfer]) => port.postMessage(a, transfer),
      (err: unknown) => port.postMessage({ call: m.call, error: { decode: err instanceof DecodeError, message: err instanceof Error ? err.message : String(err) } } satisfies IngestAnswer),
    );
  };

  // One request per turn of the event loop. Node delivers a port's messages in
  // a loop that also takes those arriving meanwhile (up to 1000): decoding in
  // it, under steady ingest, kept the loop from ever reaching the staging
  // file's write completions — no seal for 30 s, the unsealed batches grew
  // past the thread's heap (10 M-record logs bench).
  const queue: IngestRequest[] = [];
  let scheduled = false;
  const next = (): void => {
    scheduled = false;
    const m = queue.shift();
    if (m) run(m);
    if (queue.length > 0 && !scheduled) {
      scheduled = true;
      setImmediate(next);
    }
  };
  port.on('message', (m: IngestRequest) => {
    queue.push(m);
    if (!scheduled) {
      scheduled = true;
      setImmediate(next);
    }
  });
}
