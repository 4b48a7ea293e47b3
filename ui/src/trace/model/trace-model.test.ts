import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHECKOUT, FIXTURE_EPOCH_NS, fixtureTrace, spanHex, type FixtureSpan } from './fixtures.js';
import { buildTrace, TraceModelError, type Trace } from './trace-model.js';

const byId = (trace: Trace, id: string) => {
  const s = trace.spans.find((x) => x.spanId === spanHex(id));
  assert.ok(s, `span ${id}`);
  return s;
};

describe('buildTrace', () => {
  it('links parents and children, with depth, services and error count', () => {
    const t = buildTrace(fixtureTrace(CHECKOUT));
    assert.equal(t.spans.length, 8);
    assert.deepEqual(t.roots, [byId(t, 'root').index]);
    assert.equal(byId(t, 'redis').depth, 3);
    assert.equal(t.spans[byId(t, 'redis').parent]!.spanId, spanHex('cart-s'));
    assert.deepEqual(
      byId(t, 'root').children.map((c) => t.spans[c]!.spanId),
      ['cart-c', 'fx-a', 'fx-b', 'pay-c'].map(spanHex),
    );
    assert.deepEqual(t.services, ['frontend', 'cart', 'payment']);
    assert.equal(t.errorCount, 1);
    assert.equal(t.duration, 100e6);
    assert.equal(t.startUnixNano, FIXTURE_EPOCH_NS);
  });

  it('orders spans by start and numbers them by that order', () => {
    const t = buildTrace(fixtureTrace([...CHECKOUT].reverse()));
    t.spans.forEach((s, i) => assert.equal(s.index, i));
    for (let i = 1; i < t.spans.length; i++) assert.ok(t.spans[i]!.start >= t.spans[i - 1]!.start);
  });

  it('keeps nanosecond precision at today\'s epoch', () => {
    const t = buildTrace(fixtureTrace([
      { id: 'a', name: 'a', start: 0, end: 0.000003 },
      { id: 'b', parent: 'a', name: 'b', start: 0.000001, end: 0.000002 },
    ]));
    assert.equal(byId(t, 'b').start, 1);
    assert.equal(byId(t, 'b').duration, 1);
    assert.equal(byId(t, 'a').duration, 3);
  });

  it('makes a span with a missing parent an orphan root after the true roots', () => {
    const t = buildTrace(fixtureTrace([
      { id: 'lost', parent: 'gone', name: 'orphan', start: 0, end: 5 },
      { id: 'r', name: 'root', start: 1, end: 10 },
      { id: 'c', parent: 'lost', name: 'orphan child', start: 1, end: 2 },
    ]));
    assert.deepEqual(t.roots.map((r) => t.spans[r]!.name), ['root', 'orphan']);
    assert.equal(byId(t, 'lost').orphan, true);
    assert.equal(byId(t, 'r').orphan, false);
    assert.equal(byId(t, 'c').depth, 1);
  });

  it('treats an all-zero parent id as no parent', () => {
    const response = fixtureTrace([{ id: 'r', name: 'root', start: 0, end: 1 }]);
    response[0]!.scopeSpans![0]!.spans![0]!.parentSpanId = '0000000000000000';
    const t = buildTrace(response);
    assert.equal(t.spans[0]!.orphan, false);
    assert.equal(t.spans[0]!.parentSpanId, '');
  });

  it('attaches children to the first of two spans with the same id', () => {
    const t = buildTrace(fixtureTrace([
      { id: 'dup', name: 'first', start: 0, end: 10 },
      { id: 'dup', name: 'second', start: 1, end: 9 },
      { id: 'kid', parent: 'dup', name: 'kid', start: 2, end: 3 },
    ]));
    assert.equal(t.spans.length, 3);
    assert.equal(t.spans[byId(t, 'kid').parent]!.name, 'first');
  });

  it('cuts a parent cycle so that every span is reachable from a root', () => {
    const t = buildTrace(fixtureTrace([
      { id: 'x', parent: 'y', name: 'x', start: 0, end: 10 },
      { id: 'y', parent: 'x', name: 'y', start: 1, end: 5 },
      { id: 'z', parent: 'z', name: 'self', start: 2, end: 3 },
    ]));
    assert.equal(t.spans.length, 3);
    const reachable = new Set<number>();
    const visit = (i: number): void => {
      reachable.add(i);
      t.spans[i]!.children.forEach(visit);
    };
    t.roots.forEach(visit);
    assert.equal(reachable.size, 3);
  });

  it('skips spans without an id or start and fails only when none is left', () => {
    const response = fixtureTrace(CHECKOUT);
    response[0]!.scopeSpans![0]!.spans!.push({ name: 'no id', startTimeUnixNano: '1' }, { spanId: 'abcd', name: 'no start' });
    const t = buildTrace(response);
    assert.equal(t.spans.length, 8);
    assert.equal(t.skipped, 2);
    assert.throws(() => buildTrace([{ scopeSpans: [{ spans: [{ name: 'x' }] }] }]), TraceModelError);
    assert.throws(() => buildTrace([]), /no usable spans/);
  });

  it('draws a span that ends before it starts as zero-length', () => {
    const response = fixtureTrace([{ id: 'a', name: 'a', start: 5, end: 5 }]);
    response[0]!.scopeSpans![0]!.spans![0]!.endTimeUnixNano = '12';
    assert.equal(buildTrace(response).spans[0]!.duration, 0);
  });

  it('gives events offsets from their span start, and keeps resource, scope, links and status', () => {
    const t = buildTrace(fixtureTrace(CHECKOUT));
    const pay = byId(t, 'pay-s');
    assert.deepEqual(pay.events.map((e) => [e.name, e.offset]), [['exception', 33e6]]);
    assert.deepEqual(pay.events[0]!.attributes[0], { key: 'exception.type', value: 'CardDeclined' });
    assert.equal(pay.resource.service, 'payment');
    assert.deepEqual(pay.resource.attributes.map((a) => a.key), ['service.name', 'host.name']);
    assert.deepEqual([pay.scope.name, pay.scope.version], ['payment-tracer', '1.2.3']);
    assert.deepEqual(pay.links.map((l) => l.spanId), ['bbbbbbbbbbbbbbbb']);
    assert.equal(pay.isError, true);
    assert.equal(pay.statusMessage, 'Charge failed');
    assert.equal(byId(t, 'root').attributes.find((a) => a.key === 'http.response.status_code')?.value, '500');
  });

  it('reads kinds and status codes sent as enum names', () => {
    const t = buildTrace([{ scopeSpans: [{ spans: [{ spanId: '01', name: 'x', kind: 'SPAN_KIND_CLIENT', startTimeUnixNano: '5', endTimeUnixNano: '6', status: { code: 'STATUS_CODE_ERROR' } }] }] }]);
    assert.equal(t.spans[0]!.kind, 3);
    assert.equal(t.spans[0]!.isError, true);
  });

  it('names a resource without service.name unknown_service', () => {
    const t = buildTrace([{ resource: { attributes: [] }, scopeSpans: [{ spans: [{ spanId: '01', name: 'x', startTimeUnixNano: '5', endTimeUnixNano: '6' }] }] }]);
    assert.deepEqual(t.services, ['unknown_service']);
  });
});

describe('clock skew', () => {
  const skewed = (child: Partial<FixtureSpan>): Trace =>
    buildTrace(fixtureTrace([
      { id: 'p', name: 'call', service: 'frontend', kind: 3, start: 10, end: 30 },
      { id: 'c', parent: 'p', name: 'serve', service: 'backend', kind: 2, start: 2, end: 18, ...child },
      { id: 'g', parent: 'c', name: 'query', service: 'backend', kind: 3, start: 4, end: 6 },
    ]));

  it('centres a server span from another process that starts before its client, with its subtree', () => {
    const t = skewed({});
    const c = byId(t, 'c');
    // 16 ms child in a 20 ms parent: 2 ms either side; the trace starts with the parent
    assert.equal(t.startUnixNano, FIXTURE_EPOCH_NS + 10_000_000n);
    assert.equal(c.start, 2e6);
    assert.equal(c.skew, 10e6);
    assert.equal(byId(t, 'g').start, 4e6);
    assert.equal(byId(t, 'g').skew, 10e6);
    assert.equal(c.startUnixNano, FIXTURE_EPOCH_NS + 2_000_000n);
    assert.equal(t.duration, 20e6);
  });

  it('moves a longer child only so that it does not start before its parent', () => {
    const c = byId(skewed({ start: 0, end: 25 }), 'c');
    assert.equal(c.start, 0);
    assert.equal(c.skew, 10e6);
  });

  it('leaves a child that fits, a same-process child, and a consumer alone', () => {
    assert.equal(byId(skewed({ start: 12, end: 20 }), 'c').skew, 0);
    assert.equal(byId(skewed({ service: 'frontend' }), 'c').skew, 0);
    assert.equal(byId(skewed({ kind: 5 }), 'c').skew, 0);
  });
});
