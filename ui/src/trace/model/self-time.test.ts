import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHECKOUT, fixtureTrace, spanHex } from './fixtures.js';
import { selfTimes } from './self-time.js';
import { buildTrace } from './trace-model.js';

describe('selfTimes', () => {
  it('subtracts children once where they overlap', () => {
    const t = buildTrace(fixtureTrace(CHECKOUT));
    const self = selfTimes(t);
    const ms = (id: string): number => self[t.spans.findIndex((s) => s.spanId === spanHex(id))]! / 1e6;
    // root 100 ms; children cover 5–25, 30–50 (fx-b inside fx-a's time), 55–95
    assert.equal(ms('root'), 20);
    assert.equal(ms('cart-s'), 14);
    assert.equal(ms('redis'), 4);
    assert.equal(ms('pay-c'), 4);
  });

  it('does not charge a parent for a child running after it ended', () => {
    const t = buildTrace(fixtureTrace([
      { id: 'p', name: 'p', start: 0, end: 10 },
      { id: 'a', parent: 'p', name: 'a', start: 8, end: 30 },
      { id: 'b', parent: 'p', name: 'b', start: 12, end: 14 },
    ]));
    assert.deepEqual([...selfTimes(t)].map((x) => x / 1e6), [8, 22, 2]);
  });
});
