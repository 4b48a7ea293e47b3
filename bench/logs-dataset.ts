// Generated application logs for the logs bench: JSON objects shaped like
// what services print (time, level, service, host, request id, a message made
// from templates with ids and numbers, nested http / user objects, sometimes
// an items array or an error object). Record i is a pure function of (seed, i),
// so the bench can check any stored record against its source. A rare word is
// planted in RARE_RECORDS records; "timeout" is a common one (~8 %).

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

/** Record `i` of `total` (the rare word's records are spread over the total). */
export function logRecord(seed: number, i: number, total: number): Record<string, unknown> {
  const r = seededRandom((seed * 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b));
  const n = (m: number): number => Math.floor(r() * m);
  const service = SERVICES[n(SERVICES.length)]!;
  const level = LEVELS[n(LEVELS.length)]!;
  const ms = BASE_MS + i * 10 + n(10);
  const micros = n(1000);
  const method = METHODS[n(METHODS.length)]!;
  const status = level === 'error' ? [500, 502, 503, 504][n(4)]! : level === 'warn' ? [404, 429, 400][n(3)]! : 200;
  let msg = TEMPLATES[n(TEMPLATES.length)]!(r, n);
  const rareEvery = Math.max(1, Math.floor(total / RARE_RECORDS));
  if (i % rareEvery === 7 % rareEvery) msg += ` while ${RARE_WORD} rebalanced the pool`;
  const record: Record<string, unknown> = {
    ts: `${new Date(ms).toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`,
    level,
    service,
    host: `${service}-${n(6)}`,
    req_id: hex16(r),
    seq: i,
    msg,
    http: { method, path: PATHS[n(PATHS.length)]!, status, duration_ms: Math.round(r() * 200_000) / 100 },
    user: { id: `u-${n(100_000)}`, tier: TIERS[n(TIERS.length)]! },
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
