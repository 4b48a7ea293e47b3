import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { niceStep, timeTicks } from './time-axis.js';
import { asNanos, formatNanos, formatUnixNano, parseUnixNano, type UnixNano } from './units.js';
import { clampViewport, panViewport, rowWindow, scrollToReveal, zoomViewport } from './viewport.js';

describe('units', () => {
  it('formats durations with three significant digits in a fitting unit', () => {
    assert.deepEqual(
      [0, 850, 12_345, 4_560_000, 1_234_000_000, 65e9, 3_725e9, -2e6].map((n) => formatNanos(asNanos(n))),
      ['0', '850ns', '12.3µs', '4.56ms', '1.23s', '1m 05s', '1h 02m 05s', '-2ms'],
    );
  });

  it('formats and parses absolute nanosecond instants exactly', () => {
    assert.equal(formatUnixNano(1_795_252_705_693_838_904n as UnixNano), '2026-11-21T09:18:25.693838904Z');
    assert.equal(parseUnixNano('1795252705693838904'), 1_795_252_705_693_838_904n);
    assert.equal(parseUnixNano('12e3'), undefined);
    assert.equal(parseUnixNano(undefined), undefined);
  });
});

describe('time axis', () => {
  it('steps 1, 2 or 5 times a power of ten', () => {
    assert.deepEqual([0.3, 1, 3, 7, 12, 45, 99, 101, 2.5e6].map(niceStep), [1, 1, 5, 10, 20, 50, 100, 200, 5e6]);
  });

  it('labels ticks in one unit with enough decimals to tell them apart', () => {
    assert.deepEqual(timeTicks(asNanos(0), asNanos(100e6), 5).map((t) => t.label), ['0', '20ms', '40ms', '60ms', '80ms', '100ms']);
    assert.deepEqual(timeTicks(asNanos(1.05e6), asNanos(1.5e6), 5).map((t) => t.label), ['1.1ms', '1.2ms', '1.3ms', '1.4ms', '1.5ms']);
    assert.deepEqual(timeTicks(asNanos(0), asNanos(3e9), 3).map((t) => t.at), [0, 1e9, 2e9, 3e9]);
    assert.deepEqual(timeTicks(asNanos(5), asNanos(5), 3), []);
  });
});

describe('viewport', () => {
  it('orders, widens and keeps a window inside the trace', () => {
    assert.deepEqual(clampViewport(0.6, 0.2), { start: 0.2, end: 0.6 });
    assert.deepEqual(clampViewport(-0.1, 0.3), { start: 0, end: 0.4 });
    const narrow = clampViewport(0.999999, 1, 0.01);
    assert.ok(Math.abs(narrow.start - 0.99) < 1e-9 && narrow.end === 1);
  });

  it('pans without leaving the trace, and zooms around an anchor', () => {
    assert.deepEqual(panViewport({ start: 0.5, end: 0.8 }, 0.5), { start: 0.7, end: 1 });
    const z = zoomViewport({ start: 0, end: 1 }, 0.5, 0.5);
    assert.deepEqual(z, { start: 0.25, end: 0.75 });
    assert.deepEqual(zoomViewport(z, 4, 0.5), { start: 0, end: 1 });
  });

  it('renders only the rows in view plus overscan, and scrolls as little as possible to reveal one', () => {
    assert.deepEqual(rowWindow(0, 600, 24, 10_000, 5), { first: 0, end: 30 });
    assert.deepEqual(rowWindow(24 * 9_990, 600, 24, 10_000, 5), { first: 9_985, end: 10_000 });
    assert.equal(scrollToReveal(100, 0, 600, 24), 100 * 24 + 24 - 600);
    assert.equal(scrollToReveal(3, 240, 600, 24), 72);
    assert.equal(scrollToReveal(12, 240, 600, 24), 240);
  });
});
