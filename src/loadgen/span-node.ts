// The shape of one trace before it is written: a small tree of SpanNode built
// by the routes (routes.ts), then timed (layoutTrace) and given its failures
// (failures.ts), then written into a SpanBatchBuilder (span-writer.ts). A trace
// holds at most MAX_SPANS spans and is at most MAX_DEPTH deep; a call that
// would exceed either is simply not made.

import type { Rng } from './rng.js';
import { instancesOf, type Instance, type ScopeRole } from './topology.js';

export const SpanKind = { Internal: 1, Server: 2, Client: 3, Producer: 4, Consumer: 5 } as const;
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];

export const MAX_SPANS = 60;
export const MAX_DEPTH = 8;

/**
 * An attribute value; the JS type picks the OTLP type:
 * string → string, bigint → int, number → double, boolean → bool, string[] → array.
 */
export type AttrValue = string | bigint | number | boolean | readonly string[];

/** How a span reports success or failure in its attributes. */
export type Protocol = 'http-server' | 'http-client' | 'grpc-server' | 'grpc-client' | 'other';

/** Where a failure can start; picks the exception type and message. */
export type FailureSource = 'pg' | 'redis' | 'grpc' | 'http' | 'kafka' | 'internal';

export interface ExceptionInfo {
  type: string;
  message: string;
  stacktrace: string;
}

export interface Failure {
  /** status message; '' where the conventions leave it empty (HTTP status errors) */
  statusMessage: string;
  /** the error.type attribute */
  errorType: string;
  httpStatus: number;
  grpcStatus: number;
  exception: ExceptionInfo | null;
}

export interface SpanEvent {
  name: string;
  /** where in the span it happened, 0 = start, 1 = end */
  at: number;
  /** when set, the event happens just after this child span ended, and goes if the child was dropped */
  after: SpanNode | null;
  /** flat key, value, key, value… */
  attrs: (string | AttrValue)[];
}

export interface SpanNode {
  parent: SpanNode | null;
  instance: Instance;
  role: ScopeRole;
  kind: SpanKind;
  name: string;
  /** 1 for the root */
  depth: number;
  /** flat key, value, key, value… */
  attrs: (string | AttrValue)[];
  protocol: Protocol;
  /** HTTP status answered when the span does not fail */
  httpStatus: number;
  children: SpanNode[];
  /** starts together with the previous sibling instead of after it */
  concurrent: boolean;
  /** ns; > 0 for an asynchronous span (a message consumer) that starts this long after its parent ends */
  delayNs: number;
  /** ns; a leaf's whole duration, or the parent's own work around its children */
  workNs: number;
  /** ns each way; > 0 for a client span around a remote server span */
  networkNs: number;
  events: SpanEvent[] | null;
  /** carries a link to a span of another trace */
  linked: boolean;
  failSource: FailureSource | null;
  failure: Failure | null;
  /** ns from the trace's time origin, set by layoutTrace */
  startNs: number;
  endNs: number;
  /** row in the SpanBatchBuilder once written, else -1 */
  spanIndex: number;
  /** dropped: an earlier call failed and the caller gave up before making this one */
  dropped: boolean;
}

export interface NodeInit {
  instance: Instance;
  role: ScopeRole;
  kind: SpanKind;
  name: string;
  workNs: number;
  protocol?: Protocol;
  failSource?: FailureSource;
}

/** Grows one trace's tree under the span and depth budget. */
export class TraceShaper {
  spanCount = 0;
  readonly nodes: SpanNode[] = [];

  constructor(readonly rng: Rng) {}

  /** Whether `count` more spans fit below `parent`, one level deeper each. */
  fits(parent: SpanNode | null, count: number): boolean {
    const depth = parent ? parent.depth : 0;
    return this.spanCount + count <= MAX_SPANS && depth + count <= MAX_DEPTH;
  }

  /** Adds a span under `parent` (null for the root); null when over budget. */
  add(parent: SpanNode | null, init: NodeInit): SpanNode | null {
    if (!this.fits(parent, 1)) return null;
    const node: SpanNode = {
      parent,
      instance: init.instance,
      role: init.role,
      kind: init.kind,
      name: init.name,
      depth: parent ? parent.depth + 1 : 1,
      attrs: [],
      protocol: init.protocol ?? 'other',
      httpStatus: 200,
      children: [],
      concurrent: false,
      delayNs: 0,
      workNs: init.workNs,
      networkNs: 0,
      events: null,
      linked: false,
      failSource: init.failSource ?? null,
      failure: null,
      startNs: 0,
      endNs: 0,
      spanIndex: -1,
      dropped: false,
    };
    parent?.children.push(node);
    this.nodes.push(node);
    this.spanCount++;
    return node;
  }

  /** An instance of `service` to call, chosen as a round-robin balancer would look from outside. */
  instanceOf(service: string): Instance {
    return this.rng.pick(instancesOf(service));
  }

  /** Runs `calls`; the spans it adds directly under `parent` run concurrently (Promise.all style). */
  parallel(parent: SpanNode, calls: () => void): void {
    const before = parent.children.length;
    calls();
    for (let i = before + 1; i < parent.children.length; i++) parent.children[i]!.concurrent = true;
  }

  /** Log-normal duration in ns from a median in ms. */
  ms(medianMs: number, sigma: number): number {
    return this.rng.logNormal(medianMs * 1e6, sigma);
  }
}

export function addEvent(node: SpanNode, name: string, at: number, attrs: (string | AttrValue)[], after: SpanNode | null = null): void {
  (node.events ??= []).push({ name, at, attrs, after });
}

/**
 * Gives every node start/end times (ns from the trace origin): children inside
 * their parent, sequential ones separated by small gaps, concurrent ones
 * overlapping, and a remote server inside its client span by the network time.
 */
export function layoutTrace(rng: Rng, root: SpanNode): void {
  place(rng, root, 0);
}

function place(rng: Rng, node: SpanNode, start: number): void {
  node.startNs = start;
  if (node.children.length === 0) {
    node.endNs = start + node.workNs;
    return;
  }
  const remote = node.networkNs > 0;
  const lead = remote ? node.networkNs : node.workNs * 0.3;
  let groupStart = start + lead;
  let groupEnd = groupStart;
  let placed = 0;
  for (const child of node.children) {
    if (child.delayNs > 0 || child.dropped) continue;
    let childStart: number;
    if (child.concurrent && placed > 0) {
      childStart = groupStart + rng.logNormal(15_000, 0.8); // ~15 µs apart as the event loop issues them
    } else {
      if (placed > 0) groupStart = groupEnd + rng.logNormal(60_000, 0.9); // app work between calls
      childStart = groupStart;
    }
    place(rng, child, childStart);
    if (child.endNs > groupEnd) groupEnd = child.endNs;
    placed++;
  }
  node.endNs = groupEnd + (remote ? node.networkNs * (0.6 + 0.8 * rng.float()) : node.workNs * 0.7);
  for (const child of node.children) {
    if (child.delayNs > 0 && !child.dropped) place(rng, child, node.endNs + child.delayNs);
  }
}
