import type { SpanBatch } from '../model/span-batch.js';

/** What a trace decoder hands on: the spans kept, and what it refused and why. */
export interface DecodedTraces {
  batch: SpanBatch;
  /** Spans dropped for invalid ids; answered as OTLP partial success. */
  rejectedSpans: number;
  /** '' when nothing was rejected, else e.g. `2 spans rejected: invalid trace_id (length 3) in span "GET /x"`. */
  rejectMessage: string;
}
