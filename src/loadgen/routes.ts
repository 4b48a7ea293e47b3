// The shop's call graph: which frontend routes exist, how often visitors hit
// them, and what each backend service does for a call (cache reads, queries,
// further calls). Every function adds spans through the TraceShaper, which
// silently skips calls once the trace is full.

import {
  grpcCall,
  httpCall,
  internalSpan,
  kafkaConsume,
  kafkaMessage,
  kafkaPublish,
  pgQuery,
  redisCommand,
  type PgDatabase,
  type Visit,
} from './calls.js';
import { addEvent, SpanKind, type SpanNode } from './span-node.js';
import type { Rng } from './rng.js';
import { fleet, type Instance } from './topology.js';

const CATALOG_DB: PgDatabase = { name: 'catalog', host: 'postgres-catalog.oteldemo.svc.cluster.local', user: 'catalog_ro' };
const ORDERS_DB: PgDatabase = { name: 'orders', host: 'postgres-orders.oteldemo.svc.cluster.local', user: 'checkout' };
const SHIPPING_DB: PgDatabase = { name: 'shipping', host: 'postgres-orders.oteldemo.svc.cluster.local', user: 'shipping' };
const PAYMENTS_DB: PgDatabase = { name: 'payments', host: 'payments.cluster-cx81kq2.eu-west-1.rds.amazonaws.com', user: 'payment_svc' };
const LEDGER_DB: PgDatabase = { name: 'ledger', host: 'ledger-db.internal', user: 'accounting' };
const REDIS_CART = 'redis-cart.oteldemo.svc.cluster.local';
const REDIS_CACHE = 'redis-cache.oteldemo.svc.cluster.local';
const REDIS_SESSION = 'redis-session.oteldemo.svc.cluster.local';

const CATALOG = 'oteldemo.ProductCatalogService';
const CURRENCY = 'oteldemo.CurrencyService';
const CART = 'oteldemo.CartService';

function productId(v: Visit): string {
  const ids = fleet().productIds;
  // a few best sellers get most views
  return ids[Math.floor(ids.length * v.rng.float() ** 2)]!;
}

function price(v: Visit): number {
  return Math.round(v.rng.logNormal(35, 0.8) * 100) / 100;
}

// ---- product catalog (Go, Redis cache in front of PostgreSQL) ----

function getProduct(v: Visit, parent: SpanNode, id: string): void {
  const server = grpcCall(v, parent, 'product-catalog', CATALOG, 'GetProduct');
  if (!server) return;
  server.attrs.push('app.product.id', id);
  const hit = v.rng.chance(0.75);
  redisCommand(v, server, REDIS_CACHE, 'GET', `product:${id}`, hit);
  if (hit) return;
  addEvent(server, 'cache miss', 0.3, ['cache.key', `product:${id}`]);
  pgQuery(v, server, CATALOG_DB, 'SELECT', 'products',
    'SELECT id, name, description, picture, price_currency, price_units, price_nanos, categories FROM products WHERE id = $1');
  redisCommand(v, server, REDIS_CACHE, 'SET', `product:${id} ? EX 300`, null);
}

function listProducts(v: Visit, parent: SpanNode): void {
  const server = grpcCall(v, parent, 'product-catalog', CATALOG, 'ListProducts');
  if (!server) return;
  const limit = v.rng.pick([12, 24, 48]);
  server.attrs.push('app.products.count', BigInt(Math.min(limit, fleet().productIds.length)));
  if (v.rng.chance(0.4)) return; // the listing is still in the in-process cache
  pgQuery(v, server, CATALOG_DB, 'SELECT', 'products',
    `SELECT id, name, price_currency, price_units, price_nanos, categories FROM products WHERE active ORDER BY rank DESC LIMIT ${limit}`);
}

// ---- currency (Node.js, Redis rate cache) ----

function convert(v: Visit, parent: SpanNode, from: string, to: string): void {
  const server = grpcCall(v, parent, 'currency', CURRENCY, 'Convert');
  if (!server) return;
  server.attrs.push('app.currency.conversion.from', from, 'app.currency.conversion.to', to);
  const hit = v.rng.chance(0.9);
  redisCommand(v, server, REDIS_CACHE, 'GET', `fx:${from}:${to}`, hit);
  if (!hit) {
    addEvent(server, 'cache miss', 0.4, ['cache.key', `fx:${from}:${to}`]);
    redisCommand(v, server, REDIS_CACHE, 'SET', `fx:${from}:${to} ? EX 60`, null);
  }
}

function convertMany(v: Visit, parent: SpanNode, count: number): void {
  if (v.currency === 'USD') return;
  v.t.parallel(parent, () => {
    for (let i = 0; i < count; i++) convert(v, parent, 'USD', v.currency);
  });
}

// ---- cart (Node.js on Redis) ----

function getCart(v: Visit, parent: SpanNode, items: number): void {
  const server = grpcCall(v, parent, 'cart', CART, 'GetCart');
  if (!server) return;
  server.attrs.push('app.user.id', v.userId, 'app.cart.items.count', BigInt(items));
  redisCommand(v, server, REDIS_CART, 'HGETALL', `cart:${v.userId}`, items > 0);
}

function addItem(v: Visit, parent: SpanNode, id: string): void {
  const server = grpcCall(v, parent, 'cart', CART, 'AddItem');
  if (!server) return;
  server.attrs.push('app.user.id', v.userId, 'app.product.id', id, 'app.product.quantity', BigInt(v.rng.int(1, 3)));
  redisCommand(v, server, REDIS_CART, 'HGET', `cart:${v.userId} ${id}`, v.rng.chance(0.2));
  redisCommand(v, server, REDIS_CART, 'HSET', `cart:${v.userId} ${id} ?`, null);
  redisCommand(v, server, REDIS_CART, 'EXPIRE', `cart:${v.userId} 604800`, null);
}

function emptyCart(v: Visit, parent: SpanNode): void {
  const server = grpcCall(v, parent, 'cart', CART, 'EmptyCart');
  if (!server) return;
  server.attrs.push('app.user.id', v.userId);
  redisCommand(v, server, REDIS_CART, 'DEL', `cart:${v.userId}`, null);
}

// ---- recommendation (Python), ads (Java) ----

function listRecommendations(v: Visit, parent: SpanNode): void {
  const server = grpcCall(v, parent, 'recommendation', 'oteldemo.RecommendationService', 'ListRecommendations');
  if (!server) return;
  const hit = v.rng.chance(0.5);
  server.attrs.push('app.products_recommended.count', BigInt(v.rng.int(3, 5)), 'app.recommendation.cache_enabled', true);
  redisCommand(v, server, REDIS_CACHE, 'GET', `recs:${v.userId}`, hit);
  if (hit) return;
  listProducts(v, server);
  redisCommand(v, server, REDIS_CACHE, 'SETEX', `recs:${v.userId} 120 ?`, null);
}

const AD_CATEGORIES = ['telescopes', 'binoculars', 'accessories', 'assembly', 'travel', 'books'];

function getAds(v: Visit, parent: SpanNode): void {
  const server = grpcCall(v, parent, 'ad', 'oteldemo.AdService', 'GetAds');
  if (!server) return;
  const targeted = v.rng.chance(0.6);
  const keys = targeted ? [v.rng.pick(AD_CATEGORIES)] : [];
  server.attrs.push('app.ads.contextKeys', keys, 'app.ads.contextKeys.count', BigInt(keys.length));
  server.attrs.push('app.ads.ad_request_type', targeted ? 'TARGETED' : 'NOT_TARGETED', 'app.ads.count', BigInt(v.rng.int(1, 2)));
  const pick = internalSpan(v, server, targeted ? 'getAdsByCategory' : 'getRandomAds', 0.08);
  pick?.attrs.push('app.ads.category', keys[0] ?? 'random');
}

// ---- shipping (Go), payment (Node.js), email (Python) ----

function getQuote(v: Visit, parent: SpanNode, items: number): void {
  const server = grpcCall(v, parent, 'shipping', 'oteldemo.ShippingService', 'GetQuote');
  if (!server) return;
  server.attrs.push('app.shipping.items.count', BigInt(items), 'app.shipping.cost.total', Math.round(v.rng.logNormal(9, 0.4) * 100) / 100);
  pgQuery(v, server, SHIPPING_DB, 'SELECT', 'shipping_rates',
    'SELECT base_cost, per_item_cost FROM shipping_rates WHERE country = $1 AND weight_class = $2');
}

/** Returns the server span of the call, or null when the trace is full. */
function shipOrder(v: Visit, parent: SpanNode, orderId: string, trackingId: string): SpanNode | null {
  const server = grpcCall(v, parent, 'shipping', 'oteldemo.ShippingService', 'ShipOrder');
  if (!server) return null;
  server.attrs.push('app.shipping.tracking.id', trackingId);
  pgQuery(v, server, SHIPPING_DB, 'INSERT', 'shipments',
    `INSERT INTO shipments (tracking_id, order_id, status, created_at) VALUES ('${trackingId}', '${orderId}', 'PENDING', now())`);
  return server;
}

const CARD_TYPES = ['visa', 'mastercard', 'amex'];
const LOYALTY = ['none', 'bronze', 'silver', 'gold', 'platinum'];

/** Returns the server span of the call, or null when the trace is full. */
function charge(v: Visit, parent: SpanNode, orderId: string, amount: number): SpanNode | null {
  const server = grpcCall(v, parent, 'payment', 'oteldemo.PaymentService', 'Charge');
  if (!server) return null;
  const card = v.rng.pick(CARD_TYPES);
  server.attrs.push('app.payment.card_type', card, 'app.payment.card_valid', true, 'app.payment.amount', amount);
  server.attrs.push('app.loyalty.level', v.rng.pick(LOYALTY));
  pgQuery(v, server, PAYMENTS_DB, 'SELECT', 'payment_limits',
    'SELECT daily_limit, spent_today FROM payment_limits WHERE user_id = $1 FOR UPDATE', [v.userId]);
  internalSpan(v, server, 'authorize card', 12)?.attrs.push('app.payment.card_type', card);
  pgQuery(v, server, PAYMENTS_DB, 'INSERT', 'payments',
    'INSERT INTO payments (order_id, user_id, amount, currency, card_type, status) VALUES ($1, $2, $3, $4, $5, $6)',
    [orderId, v.userId, amount.toFixed(2), v.currency, card, 'captured']);
  return server;
}

function sendConfirmation(v: Visit, parent: SpanNode, orderId: string): void {
  const server = httpCall(v, parent, 'email', { method: 'POST', route: '/send_order_confirmation', path: '/send_order_confirmation', bodyBytes: v.rng.int(600, 2400) });
  if (!server) return;
  server.attrs.push('app.order.id', orderId);
  internalSpan(v, server, 'render order confirmation', 1.5);
  internalSpan(v, server, 'smtp send', 35)?.attrs.push('app.email.recipient.domain', v.rng.pick(['gmail.com', 'outlook.com', 'yahoo.co.jp', 'web.de', 'icloud.com']));
}

// ---- checkout (Go): the longest traces ----

function placeOrder(v: Visit, parent: SpanNode, items: number): void {
  const server = grpcCall(v, parent, 'checkout', 'oteldemo.CheckoutService', 'PlaceOrder');
  if (!server) return;
  const orderId = v.rng.uuid();
  let amount = 0;
  const prepare = internalSpan(v, server, 'prepareOrderItemsAndShippingQuoteFromCart', 0.05);
  if (prepare) {
    getCart(v, prepare, items);
    for (let i = 0; i < items; i++) {
      getProduct(v, prepare, productId(v));
      if (v.currency !== 'USD') convert(v, prepare, 'USD', v.currency);
      amount += price(v);
    }
    getQuote(v, prepare, items);
    if (v.currency !== 'USD') convert(v, prepare, 'USD', v.currency);
  }
  amount = Math.round(amount * 100) / 100;
  // each milestone event is stamped when the call before it returns
  if (prepare) addEvent(server, 'prepared', 0, ['app.order.items.count', BigInt(items)], prepare);
  const charged = charge(v, server, orderId, amount);
  if (charged) addEvent(server, 'charged', 0, ['app.payment.transaction.id', v.rng.uuid()], charged.parent);
  const trackingId = v.rng.uuid();
  const shipped = shipOrder(v, server, orderId, trackingId);
  if (shipped) addEvent(server, 'shipped', 0, ['app.shipping.tracking.id', trackingId], shipped.parent);
  emptyCart(v, server);
  sendConfirmation(v, server, orderId);
  pgQuery(v, server, ORDERS_DB, 'INSERT', 'orders',
    'INSERT INTO orders (id, user_id, currency, total_units, total_nanos, items, created_at) VALUES ($1, $2, $3, $4, $5, $6, now())');
  const msg = kafkaMessage(v, 'orders', orderId, 180 + 90 * items);
  const producer = kafkaPublish(v, server, msg);
  if (producer) {
    const consumer = kafkaConsume(v, producer, 'accounting', msg);
    if (consumer) {
      consumer.attrs.push('app.order.id', orderId);
      pgQuery(v, consumer, LEDGER_DB, 'INSERT', 'ledger_entries',
        'INSERT INTO ledger_entries (order_id, account, amount, currency, booked_at) VALUES (?, ?, ?, ?, ?)');
      pgQuery(v, consumer, LEDGER_DB, 'INSERT', 'order_items',
        `INSERT INTO order_items (order_id, product_id, quantity, price) VALUES ${Array(items).fill('(?, ?, ?, ?)').join(', ')}`);
    }
  }
  server.attrs.push('app.user.id', v.userId, 'app.user.currency', v.currency, 'app.order.id', orderId);
  server.attrs.push('app.order.amount', amount, 'app.order.items.count', BigInt(items), 'app.shipping.tracking.id', trackingId);
}

// ---- frontend (Node.js + Express) ----

export interface Route {
  method: 'GET' | 'POST';
  /** Express route pattern */
  route: string;
  weight: number;
  /** the session middleware loads the visitor's session from Redis first */
  session?: boolean;
  path(v: Visit): string;
  /** adds the route's calls under the Express request handler span */
  handle(v: Visit, handler: SpanNode, cartItems: number): void;
}

export const ROUTES: readonly Route[] = [
  {
    method: 'GET', route: '/api/products/:productId', weight: 30,
    path: (v) => `/api/products/${productId(v)}`,
    handle(v, h) {
      v.t.parallel(h, () => {
        getProduct(v, h, productId(v));
        listRecommendations(v, h);
        getAds(v, h);
      });
      if (v.currency !== 'USD') convert(v, h, 'USD', v.currency);
    },
  },
  {
    method: 'GET', route: '/api/products', weight: 14,
    path: () => '/api/products',
    handle(v, h) {
      listProducts(v, h);
      convertMany(v, h, v.rng.int(4, 12));
    },
  },
  {
    method: 'GET', route: '/api/cart', weight: 15, session: true,
    path: () => '/api/cart',
    handle(v, h, items) {
      getCart(v, h, items);
      v.t.parallel(h, () => {
        for (let i = 0; i < items; i++) getProduct(v, h, productId(v));
      });
      convertMany(v, h, items);
      if (items > 0) getQuote(v, h, items);
    },
  },
  {
    method: 'POST', route: '/api/cart', weight: 10, session: true,
    path: () => '/api/cart',
    handle(v, h) {
      const id = productId(v);
      getProduct(v, h, id);
      addItem(v, h, id);
    },
  },
  {
    method: 'POST', route: '/api/checkout', weight: 6, session: true,
    path: () => '/api/checkout',
    // more than three distinct items would not fit the 60-span budget
    handle: (v, h, items) => placeOrder(v, h, Math.min(3, Math.max(1, items))),
  },
  {
    method: 'GET', route: '/api/recommendations', weight: 9,
    path: () => '/api/recommendations',
    handle: (v, h) => listRecommendations(v, h),
  },
  {
    method: 'GET', route: '/api/data', weight: 8,
    path: () => '/api/data',
    handle: (v, h) => getAds(v, h),
  },
  {
    method: 'GET', route: '/api/currency', weight: 5,
    path: () => '/api/currency',
    handle(v, h) {
      const server = grpcCall(v, h, 'currency', CURRENCY, 'GetSupportedCurrencies');
      // usually answered from memory; the list is reloaded from Redis now and then
      if (server && v.rng.chance(0.3)) redisCommand(v, server, REDIS_CACHE, 'SMEMBERS', 'fx:supported', true);
    },
  },
  {
    method: 'GET', route: '/api/session', weight: 3, session: true,
    path: () => '/api/session',
    handle: () => {},
  },
  {
    method: 'GET', route: '/api/config', weight: 4,
    path: () => '/api/config',
    handle: () => {}, // static site configuration, served from memory
  },
  {
    method: 'GET', route: '/api/shipping', weight: 3,
    path: () => '/api/shipping',
    handle(v, h, items) {
      getQuote(v, h, Math.max(1, items));
      convertMany(v, h, 1);
    },
  },
];

const ROUTE_WEIGHTS = ROUTES.map((r) => r.weight);

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.135 Mobile Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86',
  'python-requests/2.32.3',
];

const FEATURE_FLAGS = ['checkout.v2', 'recs.ml-ranker', 'cart.persist-redis', 'ads.lazy-load', 'search.typo-tolerance'];
/** A few (usually one to three) distinct items of `items`, in their list order; never none. */
function someOf(rng: Rng, items: readonly string[]): string[] {
  const want = rng.int(1, 3);
  const chosen = items.filter(() => rng.chance(want / items.length));
  return chosen.length > 0 ? chosen : [rng.pick(items)];
}

const CART_SIZE_WEIGHTS = [10, 30, 25, 15, 10, 6, 4]; // P(items = index)

/**
 * Builds one visitor request: the frontend's SERVER span, Express middleware
 * and request-handler spans, and the route's calls beneath. Returns the root.
 */
export function visit(v: Visit, frontend: Instance, clientAddress: string): SpanNode {
  const { t, rng } = v;
  const route = ROUTES[rng.weighted(ROUTE_WEIGHTS)]!;
  const path = route.path(v);
  const root = t.add(null, {
    instance: frontend,
    role: 'httpServer',
    kind: SpanKind.Server,
    name: `${route.method} ${route.route}`,
    workNs: t.ms(0.5, 0.6),
    protocol: 'http-server',
  })!;
  root.httpStatus = route.method === 'POST' && route.route === '/api/checkout' ? 201 : 200;
  root.attrs.push('http.request.method', route.method, 'http.route', route.route, 'url.path', path, 'url.scheme', 'https');
  if (route.method === 'GET' && v.currency !== 'USD' && rng.chance(0.5)) root.attrs.push('url.query', `currencyCode=${v.currency}`);
  root.attrs.push('server.address', 'shop.example.com', 'server.port', 443n, 'network.protocol.version', '1.1');
  root.attrs.push('client.address', clientAddress, 'network.peer.address', `10.42.0.${rng.int(2, 9)}`, 'network.peer.port', BigInt(rng.int(32768, 60999)));
  root.attrs.push('user_agent.original', rng.pick(USER_AGENTS), 'app.user.id', v.userId, 'app.session.id', v.sessionId);
  if (route.method === 'POST') root.attrs.push('http.request.body.size', BigInt(rng.int(40, 900)));
  if (rng.chance(0.3)) root.attrs.push('app.feature_flags', someOf(rng, FEATURE_FLAGS));

  const middleware = ['query', 'expressInit', 'cookieParser'];
  if (route.method === 'POST') middleware.push('jsonParser');
  if (route.session) middleware.push('session');
  for (const name of middleware) {
    const mw = t.add(root, { instance: frontend, role: 'framework', kind: SpanKind.Internal, name: `middleware - ${name}`, workNs: t.ms(0.02, 0.5) })!;
    mw.attrs.push('http.route', '/', 'express.name', name, 'express.type', 'middleware');
    if (name === 'session') redisCommand(v, mw, REDIS_SESSION, 'GET', `sess:${v.sessionId}`, null);
  }
  const handler = t.add(root, {
    instance: frontend,
    role: 'framework',
    kind: SpanKind.Internal,
    name: `request handler - ${route.route}`,
    workNs: t.ms(0.1, 0.6),
    failSource: 'internal',
  })!;
  handler.attrs.push('http.route', route.route, 'express.name', route.route, 'express.type', 'request_handler');
  route.handle(v, handler, rng.weighted(CART_SIZE_WEIGHTS));
  return root;
}
