// Worker thread body of LookupHelper (lookup-helper.ts): reads the columns
// it is asked for from the shared row-group bytes, one request at a time.

import { parentPort } from 'node:worker_threads';
import { loadZstd } from '../parts/parquet/zstd.js';
import { registerThisThread } from '../store/thread-cpu.js';
import { readPortableColumnValues } from './part-pages.js';
import type { ColumnReadReply, ColumnReadRequest } from './lookup-helper.js';

registerThisThread('trace-lookup');
await loadZstd();

parentPort!.on('message', (req: ColumnReadRequest) => {
  let reply: ColumnReadReply;
  try {
    reply = { id: req.id, values: readPortableColumnValues(req.bytes, req.base, req.columns, req.rows) };
  } catch (err) {
    reply = { id: req.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(reply);
});
