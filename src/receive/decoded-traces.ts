import type { SpanBatch } from '../model/span-batch.js';

/** What a trace decoder hands on: the spans kept, and what it refused and why. */
export interface DecodedTraces {
  batch: SpanBatch;
  /** Spans dropped for invalid ids; answered as OTLP partial success. */
  rejectedSpans: number;
  /** '' when nothing was rejected, else e.g. `2 spans rejected: invalid trace_id (length 3) in span "GET /x"`. */
  rejectMessage: string;
}

/** Counts items (spans, log records) refused for invalid ids and remembers why the first one was. */
export class Rejections {
  count = 0;
  private first = '';

  /** `noun` names one item in the message: 'span', 'log record' */
  constructor(private readonly noun = 'span') {}

  add(reason: string): void {
    if (this.count++ === 0) this.first = reason;
  }

  /** '' when none, else e.g. `2 spans rejected: invalid trace_id (length 3) in span "GET /x"`. */
  message(): string {
    if (this.count === 0) return '';
    return `${this.count} ${this.noun}${this.count === 1 ? '' : 's'} rejected: ${this.first}`;
  }
}
