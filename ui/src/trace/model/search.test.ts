import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHECKOUT, fixtureTrace, spanHex } from './fixtures.js';
import { rowOrder } from './rows.js';
import { matchesInRowOrder, parseSearch, searchTrace, stepMatch } from './search.js';
import { buildTrace } from './trace-model.js';

const t = buildTrace(fixtureTrace(CHECKOUT));
const found = (query: string): string[] => [...searchTrace(t, query)].map((i) => t.spans[i]!.spanId).sort();
const hex = (...ids: string[]): string[] => ids.map(spanHex).sort();

describe('searchTrace', () => {
  it('matches names, services and scope names case-insensitively', () => {
    assert.deepEqual(found('hgetall'), hex('redis'));
    assert.deepEqual(found('PAYMENT'), hex('pay-s'));
    assert.deepEqual(found('cart-tracer'), hex('cart-s', 'redis'));
  });

  it('matches attribute keys and values of span and resource', () => {
    assert.deepEqual(found('user-99'), hex('cart-s'));
    assert.deepEqual(found('db.system'), hex('redis'));
    assert.deepEqual(found('payment-7f9c'), hex('pay-s'));
  });

  it('matches key=value on one attribute, and key= on having it', () => {
    assert.deepEqual(found('app.payment.card_type=vis'), hex('pay-s'));
    assert.deepEqual(found('app.payment.card_type=mastercard'), []);
    assert.deepEqual(found('http.response.status_code=500'), hex('root'));
    assert.deepEqual(found('db.system='), hex('redis'));
    assert.deepEqual(found('service.name=cart'), hex('cart-s', 'redis'));
  });

  it('matches the span\'s own status, kind, service and name as key=value', () => {
    assert.deepEqual(found('status=error'), hex('pay-s'));
    assert.deepEqual(found('kind=server'), hex('root', 'cart-s', 'pay-s'));
    assert.deepEqual(found('service=cart kind=client'), hex('redis'));
    assert.deepEqual(found('name=convert'), hex('fx-a', 'fx-b'));
    assert.deepEqual(found('server'), [], 'a bare word does not match the kind');
  });

  it('matches span ids, event names and status messages', () => {
    assert.deepEqual(found(spanHex('fx-b')), hex('fx-b'));
    assert.deepEqual(found('exception'), hex('pay-s'));
    assert.deepEqual(found('retry'), hex('pay-c'));
    assert.deepEqual(found('insufficient'), hex('pay-s'));
    assert.deepEqual(found('exception.type=carddeclined'), hex('pay-s'));
    assert.deepEqual(found('charge failed'), hex('pay-s'));
    assert.deepEqual(found('"failed charge"'), []);
    assert.deepEqual(found('failed charge'), hex('pay-s'));
  });

  it('needs every term to match', () => {
    assert.deepEqual(found('convert frontend'), hex('fx-a', 'fx-b'));
    assert.deepEqual(found('convert cart'), []);
  });

  it('finds nothing for an empty query', () => {
    assert.equal(searchTrace(t, '   ').length, 0);
    assert.deepEqual(parseSearch(' a  "b c" k=v '), [{ text: 'a' }, { text: 'b c' }, { key: 'k', text: 'v' }]);
    assert.deepEqual(parseSearch('Service="My Shop" ""'), [{ key: 'service', text: 'my shop' }]);
  });
});

describe('stepping through matches', () => {
  const order = rowOrder(t);
  const ordered = matchesInRowOrder(searchTrace(t, 'charge'), order.positionOf);
  const pos = (id: string): number => order.positionOf[t.spans.findIndex((s) => s.spanId === spanHex(id))]!;

  it('goes to the next match below, wrapping to the first', () => {
    assert.equal(t.spans[stepMatch(ordered, order.positionOf, pos('root'), 1)!]!.spanId, spanHex('pay-c'));
    assert.equal(t.spans[stepMatch(ordered, order.positionOf, pos('pay-c'), 1)!]!.spanId, spanHex('pay-s'));
    assert.equal(t.spans[stepMatch(ordered, order.positionOf, pos('pay-s'), 1)!]!.spanId, spanHex('pay-c'));
  });

  it('goes to the previous match above, wrapping to the last', () => {
    assert.equal(t.spans[stepMatch(ordered, order.positionOf, pos('pay-s'), -1)!]!.spanId, spanHex('pay-c'));
    assert.equal(t.spans[stepMatch(ordered, order.positionOf, pos('root'), -1)!]!.spanId, spanHex('pay-s'));
    assert.equal(stepMatch(new Int32Array(0), order.positionOf, 0, 1), undefined);
  });
});
