// The server's resident memory as an admission bound: ingest answers 503 +
// Retry-After while the process's RSS plus room for a flush exceeds
// --max-memory. A flush (the regrouping worker writing parts of up to 512 Ki
// rows; DuckDB's COPY for merges and the fallback sort) adds ~0.3–0.4 GiB on top of whatever is resident when it
// starts, so between flushes ingest stops that much below the bound (docs/storage.md,
// "Memory"). RSS, not an estimate: the memory is spread over V8 heaps of
// three threads, typed arrays, DuckDB's allocator and page tables, and only
// the total is what the bound is about.

/** What a flush adds to the resident memory while it runs (measured: 0.3–0.4 GiB for 1 M spans). */
export const FLUSH_MEMORY_HEADROOM = 384 * 1024 * 1024;

/** How long one RSS reading answers for: reading it costs a /proc read, a request comes every ms or so. */
const SAMPLE_MS = 50;

export class ResidentMemoryBound {
  private sampledAtMs = -Infinity;
  private rssBytes = 0;

  /** `maxBytes` 0: no bound. */
  constructor(
    readonly maxBytes: number,
    private readonly headroomBytes = FLUSH_MEMORY_HEADROOM,
    private readonly readRss: () => number = () => process.memoryUsage.rss(),
  ) {}

  /**
   * Resident bytes when ingest has to wait, or undefined when there is room.
   * While a flush runs its memory is resident already: no headroom on top,
   * which would count it twice and refuse ingest below the bound.
   */
  exceeded(flushRunning: boolean, nowMs = performance.now()): number | undefined {
    if (this.maxBytes === 0) return undefined;
    if (nowMs - this.sampledAtMs >= SAMPLE_MS) {
      this.rssBytes = this.readRss();
      this.sampledAtMs = nowMs;
    }
    return this.rssBytes + (flushRunning ? 0 : this.headroomBytes) > this.maxBytes ? this.rssBytes : undefined;
  }
}
