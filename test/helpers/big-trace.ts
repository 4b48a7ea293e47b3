// One large, realistic-looking trace as OTLP/JSON requests, for testing that
// the trace view stays usable at 10,000 spans: a request fans out over a dozen
// services, each server span calls a few others or a database, some calls
// fail, some spans carry events. Deterministic for a seed.

import { Rng } from '../../src/loadgen/rng.js';
import { attrs, HexIds, jsonSpan, serviceRequest } from './otlp-json.js';

const SERVICES = ['frontend', 'checkout', 'cart', 'catalog', 'pricing', 'inventory', 'payment', 'shipping', 'email', 'recommendation', 'ads', 'currency', 'fraud', 'search'];
const OPERATIONS = ['GetItem', 'ListItems', 'Reserve', 'Quote', 'Charge', 'Lookup', 'Score', 'Render', 'Convert', 'Notify'];

export interface BigTrace {
  traceId: string;
  /** span count, including the root */
  spans: number;
  rootName: string;
  /** the span that starts last: the final row in tree order is not necessarily it */
  lastSpanName: string;
  /** OTLP/JSON request bodies, one per service, each under a few MB */
  requests: Record<string, unknown>[];
}

interface PendingSpan {
  spanId: string;
  service: string;
  depth: number;
  startNs: bigint;
  durationNs: bigint;
}

/** `spanCount` spans in one trace starting at `startNs`; the root lasts about two seconds. */
export function bigTrace(spanCount: number, startNs: bigint, seed = 1): BigTrace {
  const rng = new Rng(seed);
  const ids = new HexIds(seed);
  const traceId = ids.traceId();
  const byService = new Map<string, Record<string, unknown>[]>();
  const add = (service: string, span: Record<string, unknown>): void => {
    let list = byService.get(service);
    if (!list) byService.set(service, (list = []));
    list.push(span);
  };
  const rootName = 'POST /api/checkout';
  const root: PendingSpan = { spanId: ids.spanId(), service: 'frontend', depth: 0, startNs, durationNs: 2_000_000_000n };
  add('frontend', jsonSpan({ traceId, spanId: root.spanId, name: rootName, kind: 2, startNs, durationNs: root.durationNs, attributes: attrs({ 'http.route': '/api/checkout', 'http.request.method': 'POST' }) }));
  // breadth-first: every span gets children until the budget runs out
  const queue: PendingSpan[] = [root];
  let made = 1;
  let lastStart = startNs;
  let lastSpanName = rootName;
  for (let q = 0; q < queue.length && made < spanCount; q++) {
    const parent = queue[q]!;
    const children = Math.min(spanCount - made, rng.int(2, 6));
    const slot = parent.durationNs / BigInt(children + 1);
    for (let c = 0; c < children; c++) {
      const service = parent.depth < 6 && rng.chance(0.6) ? rng.pick(SERVICES) : parent.service;
      const name = `${service === parent.service ? 'internal' : 'rpc'} ${rng.pick(OPERATIONS)}`;
      const childStart = parent.startNs + slot * BigInt(c) + BigInt(rng.int(0, 999));
      const durationNs = (slot * BigInt(rng.int(50, 190))) / 100n; // half to nearly twice a slot: some overlap
      const spanId = ids.spanId();
      const failed = rng.chance(0.01);
      add(
        service,
        jsonSpan({
          traceId,
          spanId,
          parentSpanId: parent.spanId,
          name,
          kind: service === parent.service ? 1 : 2,
          startNs: childStart,
          durationNs,
          attributes: attrs({ 'app.index': made, 'app.depth': parent.depth + 1 }),
          ...(failed ? { status: { code: 2, message: 'deadline exceeded' } } : {}),
          extra: failed ? { events: [{ timeUnixNano: String(childStart + durationNs / 2n), name: 'exception', attributes: attrs({ 'exception.type': 'DeadlineExceeded' }) }] } : {},
        }),
      );
      queue.push({ spanId, service, depth: parent.depth + 1, startNs: childStart, durationNs });
      if (childStart > lastStart) {
        lastStart = childStart;
        lastSpanName = name;
      }
      made++;
    }
  }
  const requests = [...byService].map(([service, spans]) => serviceRequest(service, spans));
  return { traceId, spans: made, rootName, lastSpanName, requests };
}
