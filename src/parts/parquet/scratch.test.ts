import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Scratch, releaseScratch } from './scratch.js';

describe('Scratch', () => {
  it('keeps its array for the next take until releaseScratch lets go of it, and counts the bytes let go', () => {
    const scratch = new Scratch((n) => new Uint32Array(n));
    const first = scratch.take(1000);
    first[0] = 7;
    assert.equal(scratch.take(500).buffer, first.buffer);
    assert.equal(scratch.keptBytes, 4000);
    assert.ok(releaseScratch() >= 4000);
    assert.equal(scratch.keptBytes, 0);
    const after = scratch.take(10);
    assert.notEqual(after.buffer, first.buffer);
    assert.equal(after.length, 10);
  });
});
