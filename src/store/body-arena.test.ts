import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BodyArena } from './body-arena.js';

test('body arena: slots are views of one shared buffer, taken in a ring', () => {
  const arena = new BodyArena(100);
  const a = arena.reserve(40)!;
  const b = arena.reserve(40)!;
  assert.equal(a.offset, 0);
  assert.equal(b.offset, 40);
  assert.equal(a.bytes.buffer, arena.buffer);
  assert.equal(arena.reserve(30), undefined, 'only 20 bytes left at the end, none at the start');
  a.release();
  const c = arena.reserve(30)!;
  assert.equal(c.offset, 0, 'wraps into the space the oldest slot gave back');
  assert.equal(arena.reserve(11), undefined, 'wrapped: 10 bytes between the newest and the oldest');
  const d = arena.reserve(10)!;
  assert.equal(d.offset, 30);
  // writes through one slot do not touch another
  c.bytes.fill(1);
  d.bytes.fill(2);
  assert.ok(b.bytes.every((x) => x === 0));
  assert.equal(arena.heldBytes, 100 - 0);
});

test('body arena: a slot given back out of order frees space only once those before it are back', () => {
  const arena = new BodyArena(90);
  const a = arena.reserve(30)!;
  const b = arena.reserve(30)!;
  const c = arena.reserve(30)!;
  b.release();
  assert.equal(arena.reserve(1), undefined, 'a still holds the front');
  a.release();
  a.release(); // twice does nothing
  const d = arena.reserve(60)!;
  assert.equal(d.offset, 0, 'a and b are free together');
  c.release();
  d.release();
  assert.equal(arena.heldBytes, 0);
  assert.equal(arena.reserve(90)!.offset, 0, 'empty: starts over at 0');
});

test('body arena: no slot for an empty or oversized body', () => {
  const arena = new BodyArena(16);
  assert.equal(arena.reserve(0), undefined);
  assert.equal(arena.reserve(17), undefined);
  assert.ok(arena.reserve(16));
});
