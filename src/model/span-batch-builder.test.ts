import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AttributeBuilder, SpanBatchBuilder } from './span-batch-builder.js';

describe('SpanBatchBuilder', () => {
  it('keeps every int, double and bool attribute value across the growth of its arrays', () => {
    const a = new AttributeBuilder();
    for (let i = 0; i < 1000; i++) {
      a.addInt(i, 'i', BigInt(i + 1));
      a.addDouble(i, 'd', i + 0.5);
      a.addBool(i, 'b', true);
    }
    const f = a.finish();
    for (let i = 0; i < 1000; i++) {
      assert.equal(f.int[3 * i], BigInt(i + 1), `int of row ${i}`);
      assert.equal(f.num[3 * i + 1], i + 0.5, `double of row ${i}`);
      assert.equal(f.num[3 * i + 2], 1, `bool of row ${i}`);
    }
  });

  it('keeps ints given as halves and span times across the growth of its arrays', () => {
    const a = new AttributeBuilder();
    for (let i = 0; i < 1000; i++) {
      a.addIntHalves(i, 'i', i + 1, i % 2 === 0 ? 0 : -1);
      a.addString(i, 's', 'x');
    }
    const f = a.finish();
    for (let i = 0; i < 1000; i++) assert.equal(f.int[2 * i], i % 2 === 0 ? BigInt(i + 1) : BigInt(i + 1) - 2n ** 32n, `int of row ${i}`);
    const b = new SpanBatchBuilder();
    const r = b.addResource('', 0);
    const s = b.addScope('s', '', '', 0);
    for (let i = 0; i < 300; i++) {
      const span = b.addSpan(r, s);
      b.setStartTime(span, i, 7);
      b.setEndTime(span, -1, i);
    }
    const batch = b.finish();
    for (let i = 0; i < 300; i++) {
      assert.equal(batch.startTimeUnixNano[i], 7n * 2n ** 32n + BigInt(i), `start of span ${i}`);
      assert.equal(batch.endTimeUnixNano[i], BigInt(i) * 2n ** 32n + 2n ** 32n - 1n, `end of span ${i}`);
    }
  });

  it('keeps the ids of every link, however many a batch has', () => {
    const b = new SpanBatchBuilder();
    const r = b.addResource('', 0);
    const s = b.addScope('s', '', '', 0);
    const span = b.addSpan(r, s);
    for (let l = 0; l < 300; l++) {
      const i = b.addLink(span, '', 0, 0);
      b.linkTraceId.fill(l % 256, i * 16, i * 16 + 16);
      b.linkSpanId.fill((l + 1) % 256, i * 8, i * 8 + 8);
    }
    const batch = b.finish();
    assert.equal(batch.links.length, 300);
    for (let l = 0; l < 300; l++) {
      assert.equal(batch.links.traceId[l * 16 + 15], l % 256, `trace id of link ${l}`);
      assert.equal(batch.links.spanId[l * 8 + 7], (l + 1) % 256, `span id of link ${l}`);
    }
  });

  it('rolls back a rejected span with its attributes, events and links', () => {
    const b = new SpanBatchBuilder();
    const r = b.addResource('', 0);
    const s = b.addScope('s', '', '', 0);
    const keep = b.addSpan(r, s);
    b.attributes.addString(keep, 'k', 'v');
    const mark = b.mark();
    const drop = b.addSpan(r, s);
    b.attributes.addInt(drop, 'n', 1n);
    b.eventAttributes.addString(b.addEvent(drop, 1n, 'exception', 0), 'x', 'y');
    b.addLink(drop, '', 0, 0);
    b.rollback(mark);
    const batch = b.finish();
    assert.equal(batch.length, 1);
    assert.equal(batch.attributes.length, 1);
    assert.equal(batch.events.length, 0);
    assert.equal(batch.links.length, 0);
  });
});
