// OTLP JSON → the trace the page draws: one span per row with its parent,
// children, depth, service and times relative to the trace start.
//
// Real traces are untidy, so building never fails on content:
// - a span whose parent is not in the trace (dropped, sampled out, still in
//   flight) becomes an extra root marked `orphan`;
// - duplicate span ids keep the first span as the parent target;
// - parent cycles (corrupt ids) are cut, the cycle's earliest span becomes a root;
// - clocks of different processes disagree: a synchronous child from another
//   resource that starts before or ends after its parent is shifted, with its
//   subtree, into the parent (`skew` records the shift; the detail panel shows
//   the reported times). Same-process children and messaging consumers are
//   never moved: a child that outlives its parent there is real (async work).

import { formatAnyValue, type OtlpKeyValue, type OtlpResourceSpans, type OtlpSpan } from './otlp.js';
import { asNanos, nanosBetween, parseUnixNano, type Nanos, type UnixNano } from './units.js';

export const SpanKind = { Unspecified: 0, Internal: 1, Server: 2, Client: 3, Producer: 4, Consumer: 5 } as const;
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];
export const SPAN_KIND_NAMES: readonly string[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

export const StatusCode = { Unset: 0, Ok: 1, Error: 2 } as const;
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];
export const STATUS_NAMES: readonly string[] = ['unset', 'ok', 'error'];

export interface Attribute {
  readonly key: string;
  /** display text of the value */
  readonly value: string;
}

/** Shared by every span of one resource / scope. */
export interface ResourceInfo {
  readonly service: string;
  readonly attributes: readonly Attribute[];
  readonly schemaUrl: string;
}

export interface ScopeInfo {
  readonly name: string;
  readonly version: string;
  readonly attributes: readonly Attribute[];
}

export interface SpanEventInfo {
  /** since the span's reported start */
  readonly offset: Nanos;
  readonly at: UnixNano;
  readonly name: string;
  readonly attributes: readonly Attribute[];
}

export interface SpanLinkInfo {
  readonly traceId: string;
  readonly spanId: string;
  readonly attributes: readonly Attribute[];
}

export interface TraceSpan {
  /** position in `Trace.spans` */
  readonly index: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly traceState: string;
  readonly name: string;
  readonly kind: number;
  readonly service: string;
  readonly resource: ResourceInfo;
  readonly scope: ScopeInfo;
  /** as reported by the span's process */
  readonly startUnixNano: UnixNano;
  /** since the trace start, after clock-skew correction */
  readonly start: Nanos;
  readonly duration: Nanos;
  /** shift applied to the reported times to fit the parent (0: none) */
  readonly skew: Nanos;
  readonly statusCode: number;
  readonly statusMessage: string;
  readonly isError: boolean;
  readonly attributes: readonly Attribute[];
  readonly events: readonly SpanEventInfo[];
  readonly links: readonly SpanLinkInfo[];
  readonly dropped: { readonly attributes: number; readonly events: number; readonly links: number };
  /** index of the parent span, -1 for roots */
  readonly parent: number;
  /** child indexes, ordered by start */
  readonly children: readonly number[];
  readonly depth: number;
  /** has a parent id that is not in the trace */
  readonly orphan: boolean;
}

export interface Trace {
  readonly traceId: string;
  /** ordered by corrected start; `span.index` is the position here */
  readonly spans: readonly TraceSpan[];
  /** root indexes (true roots first, then orphans), each group ordered by start */
  readonly roots: readonly number[];
  readonly startUnixNano: UnixNano;
  readonly duration: Nanos;
  /** distinct service names, in order of first appearance */
  readonly services: readonly string[];
  readonly errorCount: number;
  /** spans refused while building (no span id, unreadable times) */
  readonly skipped: number;
}

export class TraceModelError extends Error {
  readonly code = 'trace_model';
}

interface MutableSpan extends Omit<TraceSpan, 'start' | 'duration' | 'skew' | 'parent' | 'children' | 'depth' | 'orphan' | 'index'> {
  index: number;
  start: Nanos;
  duration: Nanos;
  skew: Nanos;
  parent: number;
  children: number[];
  depth: number;
  orphan: boolean;
  /** reported end, UnixNano */
  endUnixNano: UnixNano;
}

function attributesOf(list: readonly OtlpKeyValue[] | undefined): Attribute[] {
  if (!list) return [];
  return list.map((kv) => ({ key: String(kv.key), value: formatAnyValue(kv.value) }));
}

function resourceInfo(rs: OtlpResourceSpans): ResourceInfo {
  const attributes = attributesOf(rs.resource?.attributes);
  const service = attributes.find((a) => a.key === 'service.name')?.value ?? '';
  return { service: service === '' ? 'unknown_service' : service, attributes, schemaUrl: rs.schemaUrl ?? '' };
}

/** OTLP JSON enums arrive as numbers, or from some exporters as names (SPAN_KIND_SERVER, STATUS_CODE_ERROR). */
function enumValue(v: unknown, prefix: string, names: readonly string[]): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (/^\d+$/.test(v)) return Number(v);
    const i = names.indexOf(v.replace(prefix, '').toLowerCase());
    if (i >= 0) return i;
  }
  return 0;
}

function readSpan(span: OtlpSpan, resource: ResourceInfo, scope: ScopeInfo): MutableSpan | undefined {
  const spanId = (span.spanId ?? '').toLowerCase();
  const start = parseUnixNano(span.startTimeUnixNano);
  const reportedEnd = parseUnixNano(span.endTimeUnixNano);
  if (spanId === '' || start === undefined) return undefined;
  // an end before the start (or missing) is drawn as a zero-length span
  const end = reportedEnd !== undefined && reportedEnd >= start ? reportedEnd : start;
  const statusCode = enumValue(span.status?.code, 'STATUS_CODE_', STATUS_NAMES);
  return {
    index: -1,
    traceId: (span.traceId ?? '').toLowerCase(),
    spanId,
    parentSpanId: /^0*$/.test(span.parentSpanId ?? '') ? '' : span.parentSpanId!.toLowerCase(),
    traceState: span.traceState ?? '',
    name: span.name ?? '',
    kind: enumValue(span.kind, 'SPAN_KIND_', SPAN_KIND_NAMES),
    service: resource.service,
    resource,
    scope,
    startUnixNano: start,
    endUnixNano: end,
    start: asNanos(0),
    duration: nanosBetween(start, end),
    skew: asNanos(0),
    statusCode,
    statusMessage: span.status?.message ?? '',
    isError: statusCode === StatusCode.Error,
    attributes: attributesOf(span.attributes),
    events: (span.events ?? []).map((e) => {
      const at = parseUnixNano(e.timeUnixNano) ?? start;
      return { at, offset: nanosBetween(start, at), name: e.name ?? '', attributes: attributesOf(e.attributes) };
    }),
    links: (span.links ?? []).map((l) => ({ traceId: (l.traceId ?? '').toLowerCase(), spanId: (l.spanId ?? '').toLowerCase(), attributes: attributesOf(l.attributes) })),
    dropped: { attributes: span.droppedAttributesCount ?? 0, events: span.droppedEventsCount ?? 0, links: span.droppedLinksCount ?? 0 },
    parent: -1,
    children: [],
    depth: 0,
    orphan: false,
  };
}

function readSpans(batches: readonly OtlpResourceSpans[]): { spans: MutableSpan[]; skipped: number } {
  const spans: MutableSpan[] = [];
  let skipped = 0;
  for (const rs of batches) {
    const resource = resourceInfo(rs);
    for (const ss of rs.scopeSpans ?? []) {
      const scope: ScopeInfo = { name: ss.scope?.name ?? '', version: ss.scope?.version ?? '', attributes: attributesOf(ss.scope?.attributes) };
      for (const raw of ss.spans ?? []) {
        const span = readSpan(raw, resource, scope);
        if (span) spans.push(span);
        else skipped++;
      }
    }
  }
  return { spans, skipped };
}

const byReportedStart = (a: MutableSpan, b: MutableSpan): number => (a.startUnixNano < b.startUnixNano ? -1 : a.startUnixNano > b.startUnixNano ? 1 : 0);

/** Links parents and children; returns roots (true roots, then orphans, then cycle breakers) in start order. */
function linkTree(spans: MutableSpan[]): number[] {
  const byId = new Map<string, number>();
  spans.forEach((s, i) => {
    if (!byId.has(s.spanId)) byId.set(s.spanId, i);
  });
  const trueRoots: number[] = [];
  const orphans: number[] = [];
  spans.forEach((s, i) => {
    if (s.parentSpanId === '') return trueRoots.push(i);
    const parent = byId.get(s.parentSpanId);
    if (parent === undefined || parent === i) {
      s.orphan = parent === undefined;
      return orphans.push(i);
    }
    s.parent = parent;
    spans[parent]!.children.push(i);
  });
  const roots = [...trueRoots, ...orphans];
  // spans on a parent cycle are reachable from no root: cut each cycle at its earliest span
  const reached = markReachable(spans, roots);
  for (let i = 0; i < spans.length; i++) {
    if (reached[i]) continue;
    const parent = spans[i]!.parent;
    spans[parent]!.children = spans[parent]!.children.filter((c) => c !== i);
    spans[i]!.parent = -1;
    roots.push(i);
    markReachable(spans, [i], reached);
  }
  return roots;
}

function markReachable(spans: readonly MutableSpan[], from: readonly number[], reached: Uint8Array = new Uint8Array(spans.length)): Uint8Array {
  const stack = [...from];
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (reached[i]) continue;
    reached[i] = 1;
    for (const c of spans[i]!.children) stack.push(c);
  }
  return reached;
}

/** Messaging is asynchronous: a consumer may run long after its producer ended. */
function isAsyncEdge(parent: MutableSpan, child: MutableSpan): boolean {
  return parent.kind === SpanKind.Producer || child.kind === SpanKind.Consumer;
}

/** Shift that moves `child` (reported times) inside `parent` (corrected), or 0. */
function skewInto(parent: MutableSpan, child: MutableSpan): Nanos {
  const parentStart = parent.start;
  const childStart = child.start;
  if (child.duration > parent.duration) {
    // cannot fit: only make it start no earlier than the parent
    return asNanos(childStart < parentStart ? parentStart - childStart : 0);
  }
  const inside = childStart >= parentStart && childStart + child.duration <= parentStart + parent.duration;
  if (inside) return asNanos(0);
  // centre it: the network latency is split evenly between request and response
  return asNanos(parentStart + (parent.duration - child.duration) / 2 - childStart);
}

/** Depth, and start times relative to `origin` with skew correction, parents before children. */
function placeSpans(spans: MutableSpan[], roots: readonly number[], origin: UnixNano): void {
  const stack: number[] = [];
  for (const r of roots) {
    const root = spans[r]!;
    root.start = nanosBetween(origin, root.startUnixNano);
    root.depth = 0;
    stack.push(r);
  }
  while (stack.length > 0) {
    const parent = spans[stack.pop()!]!;
    for (const c of parent.children) {
      const child = spans[c]!;
      child.depth = parent.depth + 1;
      // a child on the parent's clock is off by what the parent was off by;
      // a child on another clock is compared afresh with the corrected parent
      const sameClock = child.resource === parent.resource;
      child.skew = sameClock ? parent.skew : asNanos(0);
      child.start = asNanos(nanosBetween(origin, child.startUnixNano) + child.skew);
      if (!sameClock && !isAsyncEdge(parent, child)) {
        child.skew = skewInto(parent, child);
        child.start = asNanos(child.start + child.skew);
      }
      stack.push(c);
    }
  }
}

/**
 * Builds the trace model from its ResourceSpans (`batches` of /api/traces/{id},
 * `trace.resourceSpans` of /api/v2/traces/{id}); throws TraceModelError only
 * when there is no usable span at all.
 */
export function buildTrace(resourceSpans: readonly OtlpResourceSpans[]): Trace {
  const { spans, skipped } = readSpans(resourceSpans);
  if (spans.length === 0) throw new TraceModelError(`trace: no usable spans (${skipped} without id or start time)`);
  spans.sort(byReportedStart);
  const origin = spans[0]!.startUnixNano;
  const roots = linkTree(spans);
  placeSpans(spans, roots, origin);
  return finish(spans, roots, origin, skipped);
}

/** Re-sorts by corrected start, renumbers, and summarises. */
function finish(spans: MutableSpan[], roots: number[], origin: UnixNano, skipped: number): Trace {
  const order = spans.map((_, i) => i).sort((a, b) => spans[a]!.start - spans[b]!.start || a - b);
  const newIndex = new Int32Array(spans.length);
  order.forEach((old, i) => (newIndex[old] = i));
  const sorted = order.map((old) => spans[old]!);
  let minStart = Infinity;
  let maxEnd = -Infinity;
  const services: string[] = [];
  const seenServices = new Set<string>();
  let errorCount = 0;
  sorted.forEach((s, i) => {
    s.index = i;
    s.parent = s.parent < 0 ? -1 : newIndex[s.parent]!;
    s.children = s.children.map((c) => newIndex[c]!).sort((a, b) => a - b);
    minStart = Math.min(minStart, s.start);
    maxEnd = Math.max(maxEnd, s.start + s.duration);
    if (!seenServices.has(s.service)) seenServices.add(s.service) && services.push(s.service);
    if (s.isError) errorCount++;
  });
  // corrections only move spans inside parents, so minStart is 0; rebase anyway for safety
  if (minStart !== 0) for (const s of sorted) s.start = asNanos(s.start - minStart);
  const rootOrder = (list: number[]): number[] => list.map((r) => newIndex[r]!).sort((a, b) => a - b);
  const trueRoots = rootOrder(roots.filter((r) => !spans[r]!.orphan && spans[r]!.parentSpanId === ''));
  const otherRoots = rootOrder(roots.filter((r) => spans[r]!.orphan || spans[r]!.parentSpanId !== ''));
  return {
    traceId: sorted[0]!.traceId,
    spans: sorted,
    roots: [...trueRoots, ...otherRoots],
    startUnixNano: (origin + BigInt(Math.round(minStart))) as UnixNano,
    duration: asNanos(maxEnd - minStart),
    services,
    errorCount,
    skipped,
  };
}
