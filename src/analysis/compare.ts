// Root-cause comparison: which dimension=value pairs set a target (errors,
// slow spans, exceptions, a TraceQL selection) apart from a baseline, and
// whose latency differs most. Plan (compare-plan.ts), one query, then scoring
// (compare-result.ts). Method and the score's meaning: docs/analysis.md.

import { BadQueryError } from '../model/errors.js';
import type { Engine } from '../engine/duckdb.js';
import { searchFiles, type SearchInput } from '../query/search.js';
import { traceIdSetFilterSql } from '../query/sql/trace-id-sets.js';
import { traceLevelRelationSql } from '../query/search-trace-level.js';
import type { TraceStore } from '../store/trace-store.js';
import { planComparison } from './compare-plan.js';
import { cubeIneligible, planCubeComparison, type CubePlan, type RangeFile } from './compare-cube.js';
import { acquireLongCubes } from './cube-long.js';
import { join } from 'node:path';
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

/** Files of the snapshot overlapping the range, with their catalog entries. */
function rangeFiles(input: SearchInput, req: CompareRequest): RangeFile[] {
  const out: RangeFile[] = [];
  for (const part of input.parts) {
    const minStartNs = BigInt(part.minStartNs);
    const maxStartNs = BigInt(part.maxStartNs);
    if (maxStartNs < req.startNs || minStartNs > req.endNs) continue;
    out.push({ path: join(input.dataDir, part.path), columns: part.columns, rows: part.rows, minStartNs, maxStartNs, part });
  }
  for (const f of input.staged) {
    if (f.maxStartNs < req.startNs || f.minStartNs > req.endNs) continue;
    out.push({ path: f.path, columns: f.columns, rows: f.rows, minStartNs: f.minStartNs, maxStartNs: f.maxStartNs });
  }
  return out;
}

function runQuery(engine: Engine, sql: string) {
  return engine.all(sql).catch((err: unknown) => {
    const msg = (err as Error).message ?? '';
    if (/regex|regular expression/i.test(msg)) throw new BadQueryError(`compare: invalid regular expression: ${msg.split('\n')[0]}`);
    throw err;
  });
}

/**
 * From the parts' span cubes when the request allows (span level; errors,
 * exceptions or slow against the rest) and the spans the cubes leave to read
 * (range edges, parts without cubes, the head) fit in maxSpans; undefined
 * with the reason otherwise.
 */
async function compareFromCubes(engine: Engine, input: SearchInput, req: CompareRequest, columns: ReadonlySet<string>): Promise<CompareResponse | string> {
  if (req.source === 'spans') return 'source=spans asked for';
  const ineligible = cubeIneligible(req);
  if (ineligible !== undefined) return ineligible;
  const planInput = { files: rangeFiles(input, req), dataDir: input.dataDir, columns };
  let plan = planCubeComparison(planInput, req, req.maxSpans);
  if (!plan) return 'no part inside the range has a cube';
  if (req.maxSpans > 0 && plan.rawSpans > req.maxSpans) return `${plan.rawSpans} spans outside cubes exceed maxSpans`;
  // every file in the range has a cube: read the cubes' long tables (cube-long.ts), built on first use
  const lease = plan.longEligible ? await acquireLongCubes(engine, plan.cubeFiles) : undefined;
  try {
    if (lease) plan = planCubeComparison({ ...planInput, longTables: lease.tables }, req, req.maxSpans)!;
    return await runCubePlan(engine, plan, req);
  } finally {
    lease?.release();
  }
}

async function runCubePlan(engine: Engine, plan: CubePlan, req: CompareRequest): Promise<CompareResponse> {
  // two statements, side by side: the cubes' and the high-cardinality columns' from spans
  const [rows, spanRows] = await Promise.all([runQuery(engine, plan.cube.sql), plan.spans ? runQuery(engine, plan.spans.sql) : undefined]);
  const more = plan.spans && spanRows ? [{ rows: spanRows, dimensions: plan.spans.dimensions }] : [];
  const response = assembleComparison({ rows, dimensions: plan.cube.dimensions, more, level: req.level, limit: req.limit, excluded: plan.excluded });
  response.answeredBy = {
    path: 'cube',
    cubeParts: plan.cubeParts,
    cubeSpans: plan.cubeSpans,
    spansRead: plan.rawSpans,
    fromSpans: plan.fromSpans,
    fromSpansFraction: plan.spansSampleFraction,
  };
  return response;
}

/** Compares over the files of a leased snapshot. */
export async function compareSpans(engine: Engine, input: SearchInput, req: CompareRequest): Promise<CompareResponse> {
  if (req.endNs < req.startNs) throw new BadQueryError('compare: end must not be before start');
  const { files, columns } = searchFiles(input, { query: '{}', limit: 1, spss: 1, startNs: req.startNs, endNs: req.endNs });
  const estimatedSpans = estimateSpans(input, req.startNs, req.endNs);
  // TraceQL errors surface even when the range holds no data
  const traceIdSetSql = (id: string): string => traceIdSetFilterSql(input.dataDir, id);
  const plan = planComparison({ files, columns, estimatedSpans, traceIdSetSql, traceLevelSql: traceLevelRelationSql(input) }, req);
  if (files.length === 0) return emptyResponse(req);
  const fromCubes = await compareFromCubes(engine, input, req, columns);
  if (typeof fromCubes !== 'string') return fromCubes;
  const rows = await runQuery(engine, plan.sql);
  const response = assembleComparison({ rows, dimensions: plan.dimensions, level: req.level, limit: req.limit, excluded: plan.excluded });
  if (plan.sampleFraction < 1) response.sample = { fraction: plan.sampleFraction, estimatedSpans };
  response.answeredBy = { path: 'spans', reason: fromCubes };
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
