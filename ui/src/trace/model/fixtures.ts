// Test fixtures: small traces written as a list of spans with times in
// milliseconds from a fixed instant, turned into the OTLP JSON the API sends
// (one resource per service, ids as hex, times as decimal nanosecond strings).

import type { OtlpKeyValue, OtlpResourceSpans, OtlpSpan } from './otlp.js';

/** An instant late in 2026 with nanosecond digits a double would lose. */
export const FIXTURE_EPOCH_NS = 1_795_252_705_693_838_904n;
export const FIXTURE_TRACE_ID = '384702ea4869e89f39ba3601e69a53ae';

export interface FixtureSpan {
  id: string;
  parent?: string;
  name: string;
  service?: string;
  /** ms since FIXTURE_EPOCH_NS */
  start: number;
  end: number;
  kind?: number;
  error?: boolean;
  attributes?: Record<string, string | number | boolean>;
  events?: { at: number; name: string; attributes?: Record<string, string | number | boolean> }[];
  links?: { traceId: string; spanId: string }[];
}

export const msToNs = (ms: number): bigint => BigInt(Math.round(ms * 1e6));

/** Pads a short readable id ("a1") to 16 hex digits, so ids stay legible in tests. */
export function spanHex(id: string): string {
  if (/^[0-9a-f]{16}$/.test(id)) return id;
  const hex = [...id].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
  return hex.padStart(16, '0').slice(-16);
}

function keyValues(o: Record<string, string | number | boolean> | undefined): OtlpKeyValue[] {
  return Object.entries(o ?? {}).map(([key, v]) => ({
    key,
    value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v },
  }));
}

function otlpSpan(s: FixtureSpan): OtlpSpan {
  return {
    traceId: FIXTURE_TRACE_ID,
    spanId: spanHex(s.id),
    parentSpanId: s.parent === undefined ? '' : spanHex(s.parent),
    name: s.name,
    kind: s.kind ?? 1,
    startTimeUnixNano: String(FIXTURE_EPOCH_NS + msToNs(s.start)),
    endTimeUnixNano: String(FIXTURE_EPOCH_NS + msToNs(s.end)),
    attributes: keyValues(s.attributes),
    events: (s.events ?? []).map((e) => ({ timeUnixNano: String(FIXTURE_EPOCH_NS + msToNs(e.at)), name: e.name, attributes: keyValues(e.attributes) })),
    links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: [] })),
    status: { code: s.error ? 2 : 0, ...(s.error ? { message: `${s.name} failed` } : {}) },
  };
}

export function fixtureTrace(spans: readonly FixtureSpan[]): OtlpResourceSpans[] {
  const byService = new Map<string, OtlpResourceSpans>();
  for (const s of spans) {
    const service = s.service ?? 'frontend';
    let rs = byService.get(service);
    if (!rs) {
      rs = {
        resource: { attributes: keyValues({ 'service.name': service, 'host.name': `${service}-7f9c` }) },
        scopeSpans: [{ scope: { name: `${service}-tracer`, version: '1.2.3', attributes: [] }, spans: [] }],
      };
      byService.set(service, rs);
    }
    rs.scopeSpans![0]!.spans!.push(otlpSpan(s));
  }
  return [...byService.values()];
}

/** A checkout: frontend → cart (redis) and checkout → payment (error) in sequence, plus parallel currency calls. */
export const CHECKOUT: readonly FixtureSpan[] = [
  { id: 'root', name: 'POST /api/checkout', service: 'frontend', kind: 2, start: 0, end: 100, attributes: { 'http.route': '/api/checkout', 'http.response.status_code': 500 } },
  { id: 'cart-c', parent: 'root', name: 'GET cart', service: 'frontend', kind: 3, start: 5, end: 25 },
  { id: 'cart-s', parent: 'cart-c', name: 'GET /cart', service: 'cart', kind: 2, start: 6, end: 24, attributes: { 'app.user.id': 'user-99' } },
  { id: 'redis', parent: 'cart-s', name: 'HGETALL', service: 'cart', kind: 3, start: 8, end: 12, attributes: { 'db.system': 'redis' } },
  { id: 'fx-a', parent: 'root', name: 'Convert', service: 'frontend', kind: 3, start: 30, end: 50 },
  { id: 'fx-b', parent: 'root', name: 'Convert', service: 'frontend', kind: 3, start: 32, end: 45 },
  {
    id: 'pay-c', parent: 'root', name: 'Charge', service: 'frontend', kind: 3, start: 55, end: 95,
    events: [{ at: 60, name: 'retry', attributes: { attempt: 2 } }],
  },
  {
    id: 'pay-s', parent: 'pay-c', name: 'Charge', service: 'payment', kind: 2, start: 57, end: 93, error: true,
    attributes: { 'app.payment.card_type': 'visa' },
    events: [{ at: 90, name: 'exception', attributes: { 'exception.type': 'CardDeclined', 'exception.message': 'insufficient funds' } }],
    links: [{ traceId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', spanId: 'bbbbbbbbbbbbbbbb' }],
  },
];

/** A chain of `depth` spans, each the only child of the one before (deep recursion would overflow). */
export function chain(depth: number): FixtureSpan[] {
  return Array.from({ length: depth }, (_, i) => ({
    id: i.toString(16).padStart(16, '0').replace(/^0/, 'c'),
    ...(i > 0 ? { parent: (i - 1).toString(16).padStart(16, '0').replace(/^0/, 'c') } : {}),
    name: `level ${i}`,
    start: i * 0.001,
    end: 2 * depth * 0.001 - i * 0.001,
  }));
}

/** A seeded random tree of `count` spans (children inside or overlapping their parents, some async). */
export function randomTree(count: number, seed: number): FixtureSpan[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state / 4294967296;
  };
  const spans: FixtureSpan[] = [{ id: 'r'.padStart(16, '0'), name: 'root', start: 0, end: 1000 }];
  for (let i = 1; i < count; i++) {
    const parent = spans[Math.floor(next() * spans.length)]!;
    const length = parent.end - parent.start;
    const start = parent.start + next() * length;
    // one child in ten outlives its parent
    const end = next() < 0.1 ? start + next() * length : start + next() * (parent.end - start);
    spans.push({ id: i.toString(16).padStart(16, '0'), parent: parent.id, name: `op ${i % 7}`, service: `svc-${i % 5}`, start, end });
  }
  return spans;
}
