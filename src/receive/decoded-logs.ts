import type { LogBatch } from '../model/log-batch.js';

/** What a log decoder hands on: the records kept, and what it refused and why. */
export interface DecodedLogs {
  batch: LogBatch;
  /** records dropped (invalid ids, bad lines); answered as partial success */
  rejected: number;
  /** '' when nothing was rejected, else e.g. `2 log records rejected: invalid trace_id (length 3) …` */
  rejectMessage: string;
}
