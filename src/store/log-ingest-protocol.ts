// Messages between the log store and its ingest thread (log-ingest-thread.ts,
// log-ingest-worker.ts). A decoded batch stays in the worker; the main thread
// holds a ticket for it, appends the ticket to the head once the request is
// durable, and hands tickets back to have their batches staged.

import type { JsonLinesOptions, LineError } from '../receive/json-lines-decode.js';
import type { StagedContent } from '../head/head.js';

/** A batch held by the ingest thread: its id there and its record count. */
export interface LogTicket {
  /** 0 for an empty batch, which the thread does not keep */
  id: number;
  length: number;
}

export type LogIngestRequest =
  | { op: 'jsonLines'; call: number; body: Uint8Array; options: JsonLinesOptions }
  | { op: 'otlp'; call: number; format: 'proto' | 'json'; body: Uint8Array }
  | { op: 'walRecord'; call: number; type: number; payload: Uint8Array }
  | { op: 'stage'; call: number; tickets: number[]; path: string; rows: number }
  /** batches that will not be staged (the request failed after decoding); no answer */
  | { op: 'discard'; tickets: number[] };

export interface JsonLinesDecoded {
  ticket: LogTicket;
  errors: LineError[];
}

export interface OtlpLogsDecoded {
  ticket: LogTicket;
  rejected: number;
  rejectMessage: string;
}

export type LogIngestAnswer =
  | { call: number; result: JsonLinesDecoded | OtlpLogsDecoded | LogTicket | StagedContent }
  /** `decode`: the input was bad (DecodeError), else the thread failed */
  | { call: number; error: { decode: boolean; message: string } };
