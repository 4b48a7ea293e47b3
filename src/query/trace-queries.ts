// The trace questions the API asks, each over a leased snapshot of the store
// (parts + staging files), so files stay in place while a query reads them.

import { join } from 'node:path';
import { NotFoundError } from '../model/errors.js';
import { Engine, readParquetSql, sqlString, type Row } from '../engine/duckdb.js';
import type { TraceSnapshot, TraceStore } from '../store/trace-store.js';
import { TraceIndexCache, lookupTrace, parseTraceId } from './trace-lookup.js';
import { PartPagesCache } from './part-pages.js';
import { LookupHelper } from './lookup-helper.js';
import { assembleResourceSpans, type OtlpResourceSpans } from './otlp-assemble.js';
import { search, searchFiles, type SearchRequest, type SearchResponse } from './search.js';
import { tagNames, tagValues, type TagScope, type TagValue } from './tags.js';
import { durationHistogram, type DurationHistogram, type DurationHistogramRequest } from './duration-histogram.js';

export interface OperationSummary {
  name: string;
  kind: number;
  spans: number;
}

export class TraceQueries {
  private readonly indexes = new TraceIndexCache();
  private readonly pages = new PartPagesCache();
  /** reads half of a lookup's columns on a second thread (lookup-helper.ts) */
  private readonly helper = new LookupHelper();

  /**
   * @param engine searches and scans (several threads)
   * @param lookupEngine trace lookups and the per-trace step of searches: one
   *   thread, concurrent queries (trace-lookup.ts)
   */
  constructor(
    private readonly store: TraceStore,
    private readonly engine: Engine,
    private readonly lookupEngine: Engine = engine,
  ) {}

  private async withSnapshot<T>(fn: (s: TraceSnapshot) => Promise<T>): Promise<T> {
    const snap = await this.store.snapshot();
    try {
      this.indexes.retain(snap.parts);
      this.pages.retain(snap.parts.map((p) => join(snap.dataDir, p.path)));
      return await fn(snap);
    } finally {
      snap.release();
    }
  }

  /** All spans of a trace as OTLP ResourceSpans; NotFoundError when none. */
  traceById(hex: string): Promise<OtlpResourceSpans[]> {
    const id = parseTraceId(hex);
    return this.withSnapshot(async (s) => {
      const rows = await lookupTrace(this.lookupEngine, s, id, this.indexes, this.pages, this.helper);
      if (rows.length === 0) throw new NotFoundError(`trace ${hex} not found`);
      return assembleResourceSpans(rows);
    });
  }

  /** Stops the lookup helper thread. */
  close(): Promise<void> {
    return this.helper.close();
  }

  search(req: SearchRequest): Promise<SearchResponse> {
    return this.withSnapshot((s) => search(this.engine, s, req, this.indexes, this.lookupEngine));
  }

  /** Durations of the spans a search matches, in logarithmic buckets. */
  durationHistogram(req: DurationHistogramRequest): Promise<DurationHistogram> {
    return this.withSnapshot((s) => durationHistogram(this.engine, s, req));
  }

  tags(): Promise<Record<TagScope, string[]>> {
    return this.withSnapshot(async (s) => {
      const columns = new Set<string>();
      for (const p of s.parts) for (const c of p.columns) columns.add(c);
      for (const f of s.staged) for (const c of f.columns) columns.add(c);
      return tagNames(columns);
    });
  }

  tagValues(tag: string, range: Pick<SearchRequest, 'startNs' | 'endNs'>): Promise<TagValue[]> {
    return this.withSnapshot(async (s) => {
      const { files, columns } = searchFiles(s, { query: '{}', limit: 1, spss: 1, ...range });
      return tagValues(this.engine, files, columns, tag);
    });
  }

  /** Service names, from the catalog and the head without scanning spans. */
  services(): Promise<string[]> {
    return this.withSnapshot(async (s) => {
      const names = new Set<string>();
      for (const p of s.parts) for (const n of p.services) names.add(n);
      for (const f of s.staged) for (const n of f.services) names.add(n);
      return [...names].sort();
    });
  }

  /** Span names (operations) of one service, with kind and count. */
  operations(service: string, range: Pick<SearchRequest, 'startNs' | 'endNs'>): Promise<OperationSummary[]> {
    return this.withSnapshot(async (s) => {
      const ofService = { dataDir: s.dataDir, parts: s.parts.filter((p) => p.services.includes(service)), staged: s.staged.filter((f) => f.services.has(service)) };
      const { files: chosen } = searchFiles(ofService, { query: '{}', limit: 1, spss: 1, ...range });
      if (chosen.length === 0) return [];
      const rows: Row[] = await this.engine.all(
        `SELECT name, kind, count(*) AS spans FROM ${readParquetSql(chosen)} WHERE service_name = ${sqlString(service)} ` +
          `GROUP BY name, kind ORDER BY spans DESC, name LIMIT 1000`,
      );
      return rows.map((r) => ({ name: String(r['name']), kind: Number(r['kind']), spans: Number(r['spans']) }));
    });
  }
}
