import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHECKOUT, fixtureTrace, spanHex } from './fixtures.js';
import { rowOrder, visibleRows } from './rows.js';
import { buildTrace } from './trace-model.js';
import { treeKeyAction, type TreeKeyAction } from './tree-keys.js';

const trace = buildTrace(fixtureTrace(CHECKOUT));
const order = rowOrder(trace);
const span = (id: string): number => trace.spans.findIndex((s) => s.spanId === spanHex(id));

function press(key: string, focusedId: string, collapsedIds: string[] = []): TreeKeyAction | undefined {
  const collapsed = new Uint8Array(trace.spans.length);
  for (const id of collapsedIds) collapsed[span(id)] = 1;
  return treeKeyAction(key, { trace, rows: visibleRows(order, collapsed), collapsed, focused: span(focusedId), pageRows: 3 });
}

const focus = (id: string): TreeKeyAction => ({ kind: 'focus', span: span(id) });

describe('tree keys', () => {
  it('moves between visible rows, stopping at both ends', () => {
    assert.deepEqual(press('ArrowDown', 'root'), focus('cart-c'));
    assert.deepEqual(press('ArrowDown', 'cart-c', ['cart-c']), focus('fx-a'), 'skips a collapsed subtree');
    assert.deepEqual(press('ArrowUp', 'fx-a'), focus('redis'));
    assert.deepEqual(press('ArrowUp', 'root'), focus('root'));
    assert.deepEqual(press('ArrowDown', 'pay-s'), focus('pay-s'));
    assert.deepEqual(press('PageDown', 'root'), focus('redis'));
    assert.deepEqual(press('PageUp', 'cart-s'), focus('root'));
    assert.deepEqual(press('End', 'root'), focus('pay-s'));
    assert.deepEqual(press('Home', 'pay-s'), focus('root'));
  });

  it('collapses with ←, or goes to the parent of a leaf or collapsed span', () => {
    assert.deepEqual(press('ArrowLeft', 'cart-c'), { kind: 'toggle', span: span('cart-c') });
    assert.deepEqual(press('ArrowLeft', 'cart-c', ['cart-c']), focus('root'));
    assert.deepEqual(press('ArrowLeft', 'redis'), focus('cart-s'));
    assert.equal(press('ArrowLeft', 'root', ['root']), undefined);
  });

  it('expands with →, or goes to the first child of an expanded span', () => {
    assert.deepEqual(press('ArrowRight', 'cart-c', ['cart-c']), { kind: 'toggle', span: span('cart-c') });
    assert.deepEqual(press('ArrowRight', 'cart-c'), focus('cart-s'));
    assert.equal(press('ArrowRight', 'redis'), undefined);
  });

  it('opens with Enter, closes with Escape, steps matches with n and N, ignores other keys', () => {
    assert.deepEqual(press('Enter', 'fx-b'), { kind: 'select', span: span('fx-b') });
    assert.deepEqual(press('Escape', 'fx-b'), { kind: 'close' });
    assert.deepEqual(press('n', 'fx-b'), { kind: 'match', step: 1 });
    assert.deepEqual(press('N', 'fx-b'), { kind: 'match', step: -1 });
    assert.equal(press('x', 'fx-b'), undefined);
  });
});
