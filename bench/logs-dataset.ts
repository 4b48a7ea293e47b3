// Generated application logs for the logs bench: JSON objects shaped like
// what services print (time, level, service, host, request id, a message made
// from templates with ids and numbers, nested http / user objects, sometimes
// an items array or an error object). As in real services, a request logs
// several lines (1-6, 3.4 on average) that share its request id, service,
// host, user and http fields, interleaved with other requests' lines; the
// message, time, level and items of each line are its own. Record i is a pure
// function of (seed, i), so the bench can check any stored record against its
// source. A rare word is planted in RARE_RECORDS records; "timeout" is a
// common one (~12 %).

import { seededRandom } from '../src/model/seeded-random.js';

export const RARE_WORD = 'quokkaflux';
export const COMMON_WORD = 'timeout';
const RARE_RECORDS = 6;

const SERVICES = ['cart', 'checkout', 'payment', 'catalog', 'search', 'auth', 'shipping', 'email', 'recommend', 'ads', 'frontend', 'inventory'];
const LEVELS = ['debug', 'info', 'info', 'info', 'info', 'info', 'warn', 'error'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const PATHS = ['/api/cart', '/api/checkout', '/api/products', '/api/products/{id}', '/api/users/{id}', '/api/orders', '/api/search', '/healthz', '/api/login'];
const TIERS = ['free', 'silver', 'gold', 'platinum'];
const TEMPLATES: ((r: () => number, n: (m: number) => number) => string)[] = [
  (_r, n) => `request served in ${n(900)} ms`,
  (_r, n) => `cache miss for key product:${n(50_000)}`,
  (_r, n) => `cache hit for key product:${n(50_000)}`,
  (_r, n) => `user u-${n(100_000)} logged in from 10.${n(255)}.${n(255)}.${n(255)}`,
  (_r, n) => `order ${n(10_000_000)} created with ${1 + n(9)} items`,
  (_r, n) => `payment authorized for order ${n(10_000_000)} amount ${n(500)}.${n(100)} EUR`,
  (_r, n) => `upstream timeout after ${1000 * (1 + n(30))} ms calling inventory-service`,
  (_r, n) => `connection refused by db-${n(8)}:5432, retrying in ${n(10)} s`,
  (_r, n) => `query took ${n(2000)} ms: SELECT * FROM orders WHERE user_id = ${n(100_000)}`,
  (_r, n) => `slow request: ${n(5000)} ms over the ${n(3) === 0 ? 'p99' : 'p95'} budget`,
  (_r, n) => `scheduled job reindex-${n(40)} finished, ${n(100_000)} documents`,
  (_r, n) => `rate limit exceeded for client ${n(5000)}, timeout window ${n(60)} s`,
  (_r, n) => `email sent to customer ${n(1_000_000)} template order_confirmation`,
  (_r, n) => `recommendations computed for session ${n(1 << 30).toString(16)} in ${n(300)} ms`,
  (_r, n) => `shipment ${n(10_000_000)} handed to carrier ${['dhl', 'ups', 'fedex', 'laposte'][n(4)]}`,
  (_r, n) => `feature flag new-checkout evaluated to ${n(2) === 0} for user u-${n(100_000)}`,
];

/** 16 hex digits from the generator. */
function hex16(r: () => number): string {
  return Math.floor(r() * 0x1_0000_0000).toString(16).padStart(8, '0') + Math.floor(r() * 0x1_0000_0000).toString(16).padStart(8, '0');
}

const BASE_MS = Date.parse('2026-11-19T00:00:00Z');

/** Lines of one window of consecutive records, shared out among the requests logging in it. */
const WINDOW = 64;
const MAX_LINES_PER_REQUEST = 6;

interface WindowLayout {
  /** per slot of the window: the slot where its request's first line is, and the line's number within the request */
  first: Uint8Array;
  line: Uint8Array;
  /** per slot: how many lines its request has */
  lines: Uint8Array;
}

let cachedWindow: { seed: number; w: number; layout: WindowLayout } | undefined;

/** Which request each record of window `w` belongs to: requests of 1-6 lines, their lines shuffled together. */
function windowLayout(seed: number, w: number): WindowLayout {
  if (cachedWindow && cachedWindow.seed === seed && cachedWindow.w === w) return cachedWindow.layout;
  const r = seededRandom((seed * 0x27d4eb2f) ^ Math.imul(w + 1, 0x165667b1));
  // request of each slot before shuffling: consecutive runs of 1-6 slots
  const owner = new Uint8Array(WINDOW);
  let slot = 0;
  let request = 0;
  while (slot < WINDOW) {
    const length = 1 + Math.floor(r() * MAX_LINES_PER_REQUEST);
    for (let k = 0; k < length && slot < WINDOW; k++) owner[slot++] = request;
    request++;
  }
  for (let k = WINDOW - 1; k > 0; k--) {
    const j = Math.floor(r() * (k + 1));
    const t = owner[k]!;
    owner[k] = owner[j]!;
    owner[j] = t;
  }
  const layout: WindowLayout = { first: new Uint8Array(WINDOW), line: new Uint8Array(WINDOW), lines: new Uint8Array(WINDOW) };
  const firstOf = new Map<number, number>();
  const count = new Map<number, number>();
  for (let k = 0; k < WINDOW; k++) {
    const o = owner[k]!;
    if (!firstOf.has(o)) firstOf.set(o, k);
    layout.first[k] = firstOf.get(o)!;
    layout.line[k] = count.get(o) ?? 0;
    count.set(o, layout.line[k]! + 1);
  }
  for (let k = 0; k < WINDOW; k++) layout.lines[k] = count.get(owner[k]!)!;
  cachedWindow = { seed, w, layout };
  return layout;
}

/** Record `i` of `total` (the rare word's records are spread over the total). */
export function logRecord(seed: number, i: number, total: number): Record<string, unknown> {
  const w = Math.floor(i / WINDOW);
  const layout = windowLayout(seed, w);
  const slot = i % WINDOW;
  // The request: everything its lines share.
  const q = seededRandom((seed * 0x9e3779b1) ^ Math.imul(w * WINDOW + layout.first[slot]! + 1, 0x85ebca6b));
  const qn = (m: number): number => Math.floor(q() * m);
  const service = SERVICES[qn(SERVICES.length)]!;
  const host = `${service}-${qn(6)}`;
  const reqId = hex16(q);
  const method = METHODS[qn(METHODS.length)]!;
  const path = PATHS[qn(PATHS.length)]!;
  const outcome = LEVELS[qn(LEVELS.length)]!;
  const status = outcome === 'error' ? [500, 502, 503, 504][qn(4)]! : outcome === 'warn' ? [404, 429, 400][qn(3)]! : 200;
  const durationMs = Math.round(q() * 200_000) / 100;
  const user = { id: `u-${qn(100_000)}`, tier: TIERS[qn(TIERS.length)]! };
  // The line: its own time, level, message and items.
  const r = seededRandom((seed * 0x9e3779b1) ^ Math.imul(i + 1, 0xc2b2ae35));
  const n = (m: number): number => Math.floor(r() * m);
  const lastLine = layout.line[slot] === layout.lines[slot]! - 1;
  // A failing request says so in its last line; its other lines, like everyone's, are mostly info.
  const level = lastLine && (outcome === 'error' || outcome === 'warn') ? outcome : (['debug', 'info', 'info', 'info', 'info'] as const)[n(5)]!;
  const ms = BASE_MS + i * 10 + n(10);
  const micros = n(1000);
  let msg = TEMPLATES[n(TEMPLATES.length)]!(r, n);
  const rareEvery = Math.max(1, Math.floor(total / RARE_RECORDS));
  if (i % rareEvery === 7 % rareEvery) msg += ` while ${RARE_WORD} rebalanced the pool`;
  const record: Record<string, unknown> = {
    ts: `${new Date(ms).toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`,
    level,
    service,
    host,
    req_id: reqId,
    seq: i,
    msg,
    http: { method, path, status, duration_ms: durationMs },
    user,
  };
  if (n(5) === 0) record['items'] = Array.from({ length: 1 + n(4) }, () => ({ sku: `SKU-${n(5000)}`, qty: 1 + n(5) }));
  if (level === 'error') record['error'] = { type: ['TimeoutError', 'ConnectionError', 'ValidationError'][n(3)], message: `failed after ${n(5)} retries` };
  return record;
}

/** Lines [from, to) as one NDJSON text. */
export function ndjsonLines(seed: number, from: number, to: number, total: number): string {
  let out = '';
  for (let i = from; i < to; i++) out += JSON.stringify(logRecord(seed, i, total)) + '\n';
  return out;
}
