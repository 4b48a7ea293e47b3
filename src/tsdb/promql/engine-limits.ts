// A query's budgets: samples held at once (Prometheus's --query.max-samples)
// and wall-clock time / cancellation. The evaluator is synchronous once the
// samples are fetched, so it polls the clock every few thousand units of work.

import { QueryTimeoutError } from '../../model/errors.js';
import { PromqlExecutionError } from './engine-types.js';

const TICKS_PER_CLOCK_CHECK = 1024;

export class QueryLimits {
  /** Samples held by values not yet released. */
  current = 0;
  private ticks = 0;

  constructor(
    private readonly maxSamples: number,
    private readonly deadlineMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Accounts for `n` more samples held; throws past the limit. */
  hold(n: number): void {
    this.current += n;
    if (this.current > this.maxSamples) {
      throw new PromqlExecutionError('query processing would load too many samples into memory in query execution');
    }
  }

  /** Cheap enough to call per series: looks at the clock only now and then. */
  tick(): void {
    if (++this.ticks % TICKS_PER_CLOCK_CHECK === 0) this.check();
  }

  /** Waits for `work` (fetching samples), but fails as soon as the deadline passes or the signal aborts. */
  async guard<T>(work: Promise<T>): Promise<T> {
    this.check();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<never>((_, reject) => {
      const fail = (): void => {
        try {
          this.check();
        } catch (err) {
          reject(err);
        }
      };
      if (Number.isFinite(this.deadlineMs)) timer = setTimeout(fail, Math.max(0, this.deadlineMs - Date.now()) + 1);
      onAbort = fail;
      this.signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([work, stopped]);
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) this.signal?.removeEventListener('abort', onAbort);
    }
  }

  check(): void {
    if (this.signal?.aborted === true) throw new QueryTimeoutError('promql: query was canceled in query execution');
    if (Date.now() > this.deadlineMs) throw new QueryTimeoutError('promql: query timed out in query execution');
  }
}
