// The trace store's ingest thread (ingest-thread.ts, worker body
// trace-ingest-worker.ts): every OTLP trace request is decoded, and the
// head's staging files written, beside the main thread, which is left HTTP,
// the WAL and the flush. Decoding, span-row columns and the staging file's
// encoding were most of a span's CPU on the main thread (docs/storage.md).

import type { AttributeColumnRef } from '../parts/schema.js';
import { IngestThread, type Decoded, type Lent } from './ingest-thread.js';
import type { ArenaSlot, BodyArena } from './body-arena.js';

/** What the worker needs to stage spans (passed as its workerData). */
export interface TraceIngestOptions {
  dedicatedColumns: readonly AttributeColumnRef[];
}

/** A decoded trace request: rejected spans, and for OTLP/JSON the protobuf the WAL keeps. */
export type OtlpTracesDecoded = Decoded<{ rejected: number; rejectMessage: string; walPayload?: Uint8Array }>;

export class TraceIngestThread extends IngestThread {
  constructor(options: TraceIngestOptions) {
    super('trace ingest thread', import.meta.url, './trace-ingest-worker', { workerData: options });
  }

  /**
   * `body` decompressed. `walKeepsBody`: the WAL writes it after decoding, so
   * it is lent to the thread and comes back as `lent` (use that, `body` is
   * detached if it was moved); else it is moved for good.
   */
  decodeOtlp(format: 'proto' | 'json', body: Uint8Array, walKeepsBody: boolean): Promise<OtlpTracesDecoded & Lent> {
    return this.decode('otlp', body, format, walKeepsBody ? 'lend' : 'move');
  }

  /** An OTLP/protobuf request whose body lies in `arena`, decoded in place (release `slot` once the WAL is done with it). */
  decodeOtlpProtoInArena(arena: BodyArena, slot: ArenaSlot): Promise<OtlpTracesDecoded> {
    return this.decodeInArena('otlp', arena, slot, 'proto');
  }
}
