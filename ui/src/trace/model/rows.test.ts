import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chain, CHECKOUT, fixtureTrace, spanHex } from './fixtures.js';
import { collapseBelowDepth, descendantCounts, revealSpan, rowOrder, visibleRows } from './rows.js';
import { buildTrace, type Trace } from './trace-model.js';

const ids = (t: Trace, rows: Int32Array): string[] => [...rows].map((i) => t.spans[i]!.spanId);
const hex = (...names: string[]): string[] => names.map(spanHex);
const indexOfId = (t: Trace, id: string): number => t.spans.findIndex((s) => s.spanId === spanHex(id));

describe('rows', () => {
  const t = buildTrace(fixtureTrace(CHECKOUT));
  const order = rowOrder(t);

  it('lists spans depth-first, children by start', () => {
    assert.deepEqual(ids(t, order.preorder), hex('root', 'cart-c', 'cart-s', 'redis', 'fx-a', 'fx-b', 'pay-c', 'pay-s'));
    order.preorder.forEach((span, position) => assert.equal(order.positionOf[span], position));
  });

  it('hides the subtree of a collapsed span, and shows it again when expanded', () => {
    const collapsed = new Uint8Array(t.spans.length);
    collapsed[indexOfId(t, 'cart-c')] = 1;
    assert.deepEqual(ids(t, visibleRows(order, collapsed)), hex('root', 'cart-c', 'fx-a', 'fx-b', 'pay-c', 'pay-s'));
    collapsed[indexOfId(t, 'cart-c')] = 0;
    assert.equal(visibleRows(order, collapsed).length, 8);
    collapsed[indexOfId(t, 'root')] = 1;
    assert.deepEqual(ids(t, visibleRows(order, collapsed)), hex('root'));
  });

  it('expands the ancestors of a span to reveal it', () => {
    const collapsed = new Uint8Array(t.spans.length);
    collapsed[indexOfId(t, 'root')] = 1;
    collapsed[indexOfId(t, 'cart-s')] = 1;
    collapsed[indexOfId(t, 'pay-c')] = 1;
    assert.equal(revealSpan(t, collapsed, indexOfId(t, 'redis')), true);
    assert.ok(ids(t, visibleRows(order, collapsed)).includes(spanHex('redis')));
    assert.equal(collapsed[indexOfId(t, 'pay-c')], 1, 'unrelated subtrees stay collapsed');
    assert.equal(revealSpan(t, collapsed, indexOfId(t, 'redis')), false);
  });

  it('collapses below a depth and counts descendants', () => {
    assert.deepEqual(ids(t, visibleRows(order, collapseBelowDepth(t, 1))), hex('root', 'cart-c', 'fx-a', 'fx-b', 'pay-c'));
    const counts = descendantCounts(order);
    assert.equal(counts[indexOfId(t, 'root')], 7);
    assert.equal(counts[indexOfId(t, 'cart-c')], 2);
    assert.equal(counts[indexOfId(t, 'redis')], 0);
  });

  it('handles a chain 10,000 spans deep without recursion', () => {
    const deep = buildTrace(fixtureTrace(chain(10_000)));
    const deepOrder = rowOrder(deep);
    assert.equal(deepOrder.subtreeEnd[0], 10_000);
    assert.equal(deep.spans[deepOrder.preorder[9_999]!]!.depth, 9_999);
    const collapsed = new Uint8Array(10_000);
    collapsed[deepOrder.preorder[5_000]!] = 1;
    assert.equal(visibleRows(deepOrder, collapsed).length, 5_001);
  });
});
