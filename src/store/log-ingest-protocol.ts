// What the log store's ingest thread (log-ingest-thread.ts,
// log-ingest-worker.ts) answers for a log request, beside its ticket.

import type { LineError } from '../receive/json-lines-decode.js';
import type { Decoded, Ticket } from './ingest-thread.js';

/** A log batch held by the ingest thread. */
export type LogTicket = Ticket;

export type JsonLinesDecoded = Decoded<{ errors: LineError[] }>;

export type OtlpLogsDecoded = Decoded<{ rejected: number; rejectMessage: string }>;
