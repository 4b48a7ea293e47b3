import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STALE_NAN_BITS_HI, STALE_NAN_BITS_LO } from '../../model/sample-batch.js';
import { batchProblems, seededUint32 } from './metrics-test-helpers.js';
import { SampleBatchBuilder, compareCodePoints } from './sample-batch-builder.js';

describe('SampleBatchBuilder', () => {
  it('sorts labels in code point order (UTF-8 byte order), not UTF-16 unit order', () => {
    // U+1F600 is written with surrogates (0xD83D…), below U+FF61 in UTF-16 units but above it as a code point
    const b = new SampleBatchBuilder();
    b.addLabel('\u{1F600}', 'emoji');
    b.addLabel('\uFF61', 'halfwidth');
    b.addLabel('a', '1');
    assert.equal(b.endSeries(), 0);
    const batch = b.finish();
    assert.deepEqual(batch.labelNames, ['a', '\uFF61', '\u{1F600}']);
    assert.ok(compareCodePoints('\uFF61', '\u{1F600}') < 0);
    assert.ok(compareCodePoints('ab', 'abc') < 0);
    assert.equal(compareCodePoints('x', 'x'), 0);
  });

  it('refuses duplicate and empty names, dropping the open labels, and keeps building after', () => {
    const b = new SampleBatchBuilder();
    b.addLabel('job', 'a');
    b.addLabel('job', 'b');
    assert.deepEqual(b.endSeries(), { kind: 'duplicate', name: 'job' });
    b.addLabel('', 'x');
    assert.deepEqual(b.endSeries(), { kind: 'empty-name', name: '' });
    b.addLabel('job', 'ok');
    b.addLabel('empty', '');
    assert.equal(b.endSeries(), 0);
    const batch = b.finish();
    assert.deepEqual([batch.labelNames, batch.labelValues, [...batch.labelOffsets]], [['job'], ['ok'], [0, 1]]);
  });

  it('grows past its initial sizes and keeps NaN payloads while growing', () => {
    const next = seededUint32(1);
    const b = new SampleBatchBuilder();
    for (let s = 0; s < 1000; s++) {
      b.addLabel('__name__', `m${s}`);
      assert.equal(b.endSeries(), s);
      for (let k = 0; k < 5; k++) {
        if (k === 0) b.addStaleSample(s, s);
        else b.addSample(s, s * 10 + k, next());
      }
    }
    const batch = b.finish();
    assert.deepEqual(batchProblems(batch), []);
    assert.equal(batch.sampleCount, 5000);
    const halves = new Uint32Array(batch.sampleValue.buffer);
    for (let s = 0; s < 1000; s++) assert.deepEqual([halves[10 * s], halves[10 * s + 1]], [STALE_NAN_BITS_LO, STALE_NAN_BITS_HI]);
  });

  it('removes the last series with its labels', () => {
    const b = new SampleBatchBuilder();
    b.addLabel('a', '1');
    b.endSeries();
    b.addLabel('b', '2');
    b.endSeries();
    b.removeLastSeries();
    b.addLabel('c', '3');
    assert.equal(b.endSeries(), 1);
    const rows = b.labelRows(1);
    assert.deepEqual([rows.names.slice(rows.start, rows.end), rows.values.slice(rows.start, rows.end)], [['c'], ['3']]);
    assert.equal(b.labelValueOf(1, 'c'), '3');
    assert.equal(b.labelValueOf(1, 'z'), undefined);
    assert.deepEqual(b.finish().labelNames, ['a', 'c']);
  });
});
