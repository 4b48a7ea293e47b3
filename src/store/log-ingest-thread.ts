// The log store's ingest thread (ingest-thread.ts, worker body
// log-ingest-worker.ts): every log request is decoded, and the head's
// staging files written, beside the main thread, so that there a JSON-lines
// record costs only its share of HTTP and the WAL.

import type { JsonLinesOptions } from '../receive/json-lines-decode.js';
import { IngestThread, type Lent } from './ingest-thread.js';
import type { JsonLinesDecoded, OtlpLogsDecoded } from './log-ingest-protocol.js';

/**
 * Young generation of the worker: the objects JSON.parse makes for a line die
 * young, and a larger nursery scavenges less often (docs/logs.md, "Ingest cost").
 */
const YOUNG_GENERATION_MB = 96;

export class LogIngestThread extends IngestThread {
  constructor() {
    super('log ingest thread', import.meta.url, './log-ingest-worker', { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
  }

  /** `body` is moved to the thread (detached here) when it is a whole buffer of its own; else copied. */
  decodeJsonLines(body: Uint8Array, options: JsonLinesOptions): Promise<JsonLinesDecoded> {
    return this.decode('jsonLines', body, options, 'move');
  }

  /**
   * `walKeepsBody`: the WAL writes `body` after decoding, so it is lent to the
   * thread and comes back as `lent` (use that: `body` is detached if it was
   * moved); else it is moved for good. Copied when a view into a larger buffer.
   */
  decodeOtlp(format: 'proto' | 'json', body: Uint8Array, walKeepsBody: boolean): Promise<OtlpLogsDecoded & Lent> {
    return this.decode('otlp', body, format, walKeepsBody ? 'lend' : 'move');
  }
}
