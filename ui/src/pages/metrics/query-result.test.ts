import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { autoStepSeconds, chartData, seriesName, tableRows } from './query-result.js';

describe('Metrics page answers', () => {
  it('picks a readable step of about 240 points', () => {
    assert.equal(autoStepSeconds(3600_000), 15);
    assert.equal(autoStepSeconds(5 * 60_000), 2);
    assert.equal(autoStepSeconds(60_000), 1);
    assert.equal(autoStepSeconds(7 * 86400_000), 3600);
  });

  it('names series as Prometheus prints them', () => {
    assert.equal(seriesName({ __name__: 'up', job: 'node', instance: 'a:9100' }), 'up{instance="a:9100", job="node"}');
    assert.equal(seriesName({ __name__: 'up' }), 'up');
    assert.equal(seriesName({ job: 'x' }), '{job="x"}');
    assert.equal(seriesName({}), '{}');
  });

  it('aligns matrix series on the union of their timestamps, gaps and non-finite values as null', () => {
    const data = chartData(
      {
        resultType: 'matrix',
        result: [
          { metric: { __name__: 'a' }, values: [[10, '1'], [20, '2']] },
          { metric: { __name__: 'b' }, values: [[20, 'NaN'], [30, '+Inf']] },
          { metric: { __name__: 'c' }, values: [[30, '3']] },
        ],
      },
      2,
    );
    assert.deepEqual(data.timestampsMs, [10_000, 20_000, 30_000]);
    assert.deepEqual(data.series, [
      { label: 'a', values: [1, 2, null] },
      { label: 'b', values: [null, null, null] },
    ]);
    assert.equal(data.omitted, 1);
  });

  it('lists instant values and each range series’ last value', () => {
    assert.deepEqual(tableRows({ resultType: 'vector', result: [{ metric: { __name__: 'up', job: 'a' }, value: [100, '1'] }] }), [
      { key: 'up{job="a"}', series: 'up{job="a"}', value: '1', timeMs: 100_000, points: 1 },
    ]);
    assert.deepEqual(tableRows({ resultType: 'matrix', result: [{ metric: { __name__: 'up' }, values: [[1, '0'], [2, '1']] }] })[0]!.value, '1');
    assert.deepEqual(tableRows({ resultType: 'scalar', result: [5, '42'] }), [{ key: 'scalar', series: 'scalar', value: '42', timeMs: 5000, points: 1 }]);
  });
});
