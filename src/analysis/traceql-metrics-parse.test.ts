import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BadQueryError, UnsupportedQueryError } from '../model/errors.js';
import { parseMetricsQuery } from './traceql-metrics-parse.js';

describe('parseMetricsQuery', () => {
  it('splits the spanset filter from a rate stage', () => {
    assert.deepEqual(parseMetricsQuery('{ status = error } | rate()'), { filter: '{ status = error }', fn: 'rate', quantiles: [], by: [] });
  });

  it('reads quantiles and grouping attributes as written', () => {
    const q = parseMetricsQuery('{ resource.service.name = "a|b" } | quantile_over_time(duration, .5, 0.99, 1) by (resource.service.name, span.http.route, name, span:status)');
    assert.equal(q.filter, '{ resource.service.name = "a|b" }');
    assert.equal(q.fn, 'quantile_over_time');
    assert.equal(q.attribute, 'duration');
    assert.deepEqual(q.quantiles, [0.5, 0.99, 1]);
    assert.deepEqual(q.by, ['resource.service.name', 'span.http.route', 'name', 'span:status']);
  });

  it('keeps a spanset operation `||` in the filter and splits at the single pipe', () => {
    assert.equal(parseMetricsQuery('{ a = 1 } || { b = 2 } | count_over_time()').filter, '{ a = 1 } || { b = 2 }');
  });

  it('reads an attribute argument and ignores query hints', () => {
    const q = parseMetricsQuery('{} | max_over_time(span.http.response.size) by (.region) with (exemplars=true)');
    assert.equal(q.attribute, 'span.http.response.size');
    assert.deepEqual(q.by, ['.region']);
  });

  it('rejects malformed stages with the position', () => {
    for (const [q, re] of [
      ['{ }', /expected a metrics function after "\|"/],
      ['| rate()', /expected a spanset filter/],
      ['{} | rate(', /expected "\)" to close rate\( at 1:11, found end of query/],
      ['{} | quantile_over_time(duration)', /expected at least one quantile/],
      ['{} | quantile_over_time(duration, 2)', /quantile 2 must be between 0 and 1/],
      ['{} | rate() by ()', /expected an attribute to group by/],
      ['{} | rate() extra', /expected "by \(…\)" or the end/],
      ['{} | frobnicate()', /expected one of rate/],
    ] as const) {
      assert.throws(() => parseMetricsQuery(q), (err: unknown) => err instanceof BadQueryError && re.test(err.message), q);
    }
  });

  it('says which constructs are not supported yet', () => {
    assert.throws(() => parseMetricsQuery('{} | rate() | topk(5)'), (e: unknown) => e instanceof UnsupportedQueryError && /second stage \(topk\)/.test(e.message));
    assert.throws(() => parseMetricsQuery('{} | histogram_over_time(duration)'), UnsupportedQueryError);
  });
});
