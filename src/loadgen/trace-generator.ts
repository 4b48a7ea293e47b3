// Realistic OpenTelemetry traces for benchmarks: visitors of an online shop hit
// the frontend; the request fans out over gRPC/HTTP to ~10 services with
// PostgreSQL, Redis and Kafka underneath (routes.ts), timed like the real
// thing (span-node.ts), failing now and then (failures.ts), and written the
// way OpenTelemetry SDKs report it (resources.ts, span-writer.ts).

import type { SpanBatchBuilder } from '../model/span-batch-builder.js';
import { injectFailure } from './failures.js';
import { BatchRegistry } from './resources.js';
import type { Rng } from './rng.js';
import { visit } from './routes.js';
import { layoutTrace, TraceShaper } from './span-node.js';
import { writeTrace, type LinkTargets } from './span-writer.js';
import { instancesOf } from './topology.js';

export const DEFAULT_ERROR_RATE = 0.02;

/** Traces end at most this long before `nowUnixNano` (a few seconds of export delay). */
const RECENT_WINDOW_NS = 5e9;
const USER_POPULATION = 200_000;
const ROOT_RETRY_LINK_RATE = 0.005;
const TRACE_STATE_RATE = 0.05;
const CURRENCIES = ['USD', 'USD', 'USD', 'EUR', 'EUR', 'GBP', 'JPY', 'CAD', 'CHF', 'AUD'];

export interface GenerateOptions {
  traces: number;
  rng: Rng;
  /** the traces end within the few seconds before this instant */
  nowUnixNano: bigint;
  /** fraction of traces in which one operation fails (default 0.02) */
  errorRate?: number;
}

interface BuilderState {
  registry: BatchRegistry;
  links: LinkTargets;
}

// Per-builder state so that generating into one builder in several calls adds
// each resource and scope once and can link to earlier traces.
const stateOfBuilder = new WeakMap<SpanBatchBuilder, BuilderState>();

function stateOf(builder: SpanBatchBuilder): BuilderState {
  let state = stateOfBuilder.get(builder);
  if (!state) {
    state = { registry: new BatchRegistry(builder), links: { lastRoot: -1, lastProducer: -1 } };
    stateOfBuilder.set(builder, state);
  }
  return state;
}

interface Visitor {
  userId: string;
  currency: string;
  clientAddress: string;
}

/** A visitor from a fixed population where a few visit far more often than most. */
function drawVisitor(rng: Rng): Visitor {
  const index = Math.floor(USER_POPULATION * rng.float() ** 2);
  const h = Math.imul(index + 1, 0x9e3779b1) >>> 0;
  const g = Math.imul(h ^ (h >>> 15), 0x85ebca6b) >>> 0;
  return {
    userId: `usr_${h.toString(36).padStart(7, '0')}${(index % 1296).toString(36).padStart(2, '0')}`,
    currency: CURRENCIES[g % CURRENCIES.length]!,
    clientAddress: `${(g >>> 24) % 223 + 1}.${(g >>> 16) & 255}.${(g >>> 8) & 255}.${(g & 253) + 1}`,
  };
}

/**
 * Appends `traces` whole traces (5–60 spans, 2–8 levels deep each) to `builder`.
 * Deterministic for a given rng state, nowUnixNano and builder contents.
 */
export function generateTraces(builder: SpanBatchBuilder, options: GenerateOptions): void {
  const { traces, rng, nowUnixNano } = options;
  const errorRate = options.errorRate ?? DEFAULT_ERROR_RATE;
  if (!Number.isInteger(traces) || traces < 0) throw new Error(`loadgen: traces must be a non-negative integer, got ${traces}`);
  if (!(errorRate >= 0 && errorRate <= 1)) throw new Error(`loadgen: errorRate must be within 0..1, got ${errorRate}`);
  const state = stateOf(builder);
  const frontends = instancesOf('frontend');
  const nowMs = Number(nowUnixNano / 1_000_000n);
  for (let n = 0; n < traces; n++) {
    const t = new TraceShaper(rng);
    const visitor = drawVisitor(rng);
    const v = { t, rng, userId: visitor.userId, sessionId: rng.uuid(), currency: visitor.currency, nowMs };
    const root = visit(v, rng.pick(frontends), visitor.clientAddress);
    root.linked = rng.chance(ROOT_RETRY_LINK_RATE);
    if (rng.chance(errorRate)) injectFailure(rng, t.nodes);
    layoutTrace(rng, root);
    let lastEndNs = 0;
    for (const node of t.nodes) if (!node.dropped && node.endNs > lastEndNs) lastEndNs = node.endNs;
    const endedAgoNs = rng.float() * RECENT_WINDOW_NS;
    writeTrace({
      builder,
      registry: state.registry,
      rng,
      links: state.links,
      nodes: t.nodes,
      originUnixNano: nowUnixNano - BigInt(Math.ceil(lastEndNs + endedAgoNs)),
      traceState: rng.chance(TRACE_STATE_RATE) ? 'ot=th:0' : '',
    });
  }
}
