import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sparklinePath } from './sparkline-path.js';

describe('sparklinePath', () => {
  it('scales values into the box with larger values higher, from zero', () => {
    assert.equal(sparklinePath([0, 5, 10], 100, 22), 'M0 21 L50 11 L100 1');
  });

  it('lifts the pen over nulls and draws lone values as dots', () => {
    assert.equal(sparklinePath([10, null, 10], 100, 22), 'M0 1 L0 1 M100 1 L100 1');
    assert.equal(sparklinePath([5, 10, null, 10], 90, 22), 'M0 11 L30 1 M90 1 L90 1');
  });

  it('draws nothing without values', () => {
    assert.equal(sparklinePath([], 100, 22), '');
    assert.equal(sparklinePath([null, null], 100, 22), '');
  });
});
