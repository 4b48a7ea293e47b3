// Service health over a store snapshot: from rollups (parts' rollup files and
// the head's staging files, merged so the answer is complete up to now), or
// from spans when asked for exact figures or an attribute grouping.

import type { Engine } from '../engine/duckdb.js';
import type { TraceStore } from '../store/trace-store.js';
import { healthFromRollups } from './health.js';
import { healthFromSpans } from './health-raw.js';
import { checkHealthRequest, type HealthRequest, type HealthResponse } from './health-types.js';

export class ServiceHealth {
  constructor(
    private readonly store: TraceStore,
    /** the query engine (not the store's write engine) */
    private readonly engine: Engine,
  ) {}

  async overview(req: HealthRequest): Promise<HealthResponse> {
    checkHealthRequest(req);
    const takenAtMs = Date.now();
    const snap = await this.store.snapshot();
    try {
      if (req.exact || req.groupBy !== undefined) return await healthFromSpans(this.engine, snap, req);
      const sources = await this.store.rollups.sources(this.engine, { ...snap, takenAtMs }, req.startMinute, req.endMinute);
      return healthFromRollups(sources, this.store.rollups.keys, req);
    } finally {
      snap.release();
    }
  }
}
