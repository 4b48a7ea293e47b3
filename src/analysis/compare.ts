// Root-cause comparison: which dimension=value pairs set a target (errors,
// slow spans, exceptions, a TraceQL selection) apart from a baseline, and
// whose latency differs most. Plan (compare-plan.ts), one query, then scoring
// (compare-result.ts). Method and the score's meaning: docs/analysis.md.

import { BadQueryError } from '../model/errors.js';
import type { Engine } from '../engine/duckdb.js';
import { searchFiles, type SearchInput } from '../query/search.js';
import { traceIdSetFilterSql } from '../query/sql/trace-id-sets.js';
import type { TraceStore } from '../store/trace-store.js';
import { planComparison } from './compare-plan.js';
import { assembleComparison } from './compare-result.js';
import type { CompareRequest, CompareResponse } from './compare-types.js';

/** Spans of the range per the catalog, assuming each file's spans spread evenly over its time range. */
export function estimateSpans(input: SearchInput, startNs: bigint, endNs: bigint): number {
  const share = (min: bigint, max: bigint): number => {
    if (max < startNs || min > endNs) return 0;
    if (max <= min) return 1;
    const lo = min > startNs ? min : startNs;
    const hi = max < endNs ? max : endNs;
    return Number(hi - lo) / Number(max - min);
  };
  let n = 0;
  for (const p of input.parts) n += p.rows * share(BigInt(p.minStartNs), BigInt(p.maxStartNs));
  for (const f of input.staged) n += f.rows * share(f.minStartNs, f.maxStartNs);
  return Math.round(n);
}

function emptyResponse(req: CompareRequest): CompareResponse {
  const zero = req.level === 'trace' ? { spans: 0, traces: 0 } : { spans: 0 };
  return { level: req.level, target: { ...zero }, baseline: { ...zero }, dimensions: [], latency: [], highCardinality: [], evidenceNeeded: 0, excluded: [] };
}

/** Compares over the files of a leased snapshot. */
export async function compareSpans(engine: Engine, input: SearchInput, req: CompareRequest): Promise<CompareResponse> {
  if (req.endNs < req.startNs) throw new BadQueryError('compare: end must not be before start');
  const { files, columns } = searchFiles(input, { query: '{}', limit: 1, spss: 1, startNs: req.startNs, endNs: req.endNs });
  const estimatedSpans = estimateSpans(input, req.startNs, req.endNs);
  // TraceQL errors surface even when the range holds no data
  const traceIdSetSql = (id: string): string => traceIdSetFilterSql(input.dataDir, id);
  const plan = planComparison({ files, columns, estimatedSpans, traceIdSetSql }, req);
  if (files.length === 0) return emptyResponse(req);
  const rows = await engine.all(plan.sql).catch((err: unknown) => {
    const msg = (err as Error).message ?? '';
    if (/regex|regular expression/i.test(msg)) throw new BadQueryError(`compare: invalid regular expression: ${msg.split('\n')[0]}`);
    throw err;
  });
  const response = assembleComparison({ rows, dimensions: plan.dimensions, level: req.level, limit: req.limit, excluded: plan.excluded });
  if (plan.sampleFraction < 1) response.sample = { fraction: plan.sampleFraction, estimatedSpans };
  return response;
}

/** Compares over the store's current parts and staged spans, holding them until done. */
export async function runComparison(store: TraceStore, engine: Engine, req: CompareRequest): Promise<CompareResponse> {
  const snap = await store.snapshot();
  try {
    return await compareSpans(engine, snap, req);
  } finally {
    snap.release();
  }
}
