import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expandTemplate } from './engine-functions.js';
import { bucketQuantile, formatGoFloat, goPow, goSort, parseGoFloat, quantileOf } from './engine-math.js';
import { compileAnchoredRegex } from './regex.js';

describe('Go float semantics', () => {
  it('formats floats like strconv.FormatFloat(v, "f", -1, 64)', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [-0, '-0'],
      [1, '1'],
      [0.1, '0.1'],
      [1 / 3, '0.3333333333333333'],
      [1e21, '1000000000000000000000'],
      [1.5e21, '1500000000000000000000'],
      [123456789e15, '123456789000000000000000'],
      [1e-7, '0.0000001'],
      [-2.5e-10, '-0.00000000025'],
      [5e-324, `0.${'0'.repeat(323)}5`],
      [Infinity, '+Inf'],
      [-Infinity, '-Inf'],
      [NaN, 'NaN'],
    ];
    for (const [v, want] of cases) assert.equal(formatGoFloat(v), want, String(v));
  });

  it('raises like math.Pow, where 1^y and (-1)^±Inf are 1', () => {
    assert.equal(goPow(1, NaN), 1);
    assert.equal(goPow(-1, Infinity), 1);
    assert.equal(goPow(-1, -Infinity), 1);
    assert.equal(goPow(NaN, 0), 1);
    assert.ok(Number.isNaN(goPow(-8, 1 / 3)));
    assert.equal(goPow(2, 10), 1024);
  });

  it('parses bucket bounds like strconv.ParseFloat', () => {
    assert.equal(parseGoFloat('+Inf'), Infinity);
    assert.equal(parseGoFloat('inf'), Infinity);
    assert.equal(parseGoFloat('-Infinity'), -Infinity);
    assert.ok(Number.isNaN(parseGoFloat('NaN')!));
    assert.equal(parseGoFloat('0.25'), 0.25);
    assert.equal(parseGoFloat('1e3'), 1000);
    assert.equal(parseGoFloat('.5'), 0.5);
    assert.equal(parseGoFloat('0x1p-2'), 0.25);
    assert.equal(parseGoFloat(''), null);
    assert.equal(parseGoFloat('1s'), null);
    assert.equal(parseGoFloat(' 1'), null);
  });
});

describe('quantiles', () => {
  it('interpolates between closest ranks, ±Inf outside [0, 1], NaN for nothing', () => {
    assert.equal(quantileOf(0.5, [1, 2, 3, 4]), 2.5);
    assert.equal(quantileOf(0, [3, 1]), 1);
    assert.equal(quantileOf(1, [3, 1]), 3);
    assert.equal(quantileOf(-0.1, [1]), -Infinity);
    assert.equal(quantileOf(1.1, [1]), Infinity);
    assert.ok(Number.isNaN(quantileOf(0.5, [])));
    assert.ok(Number.isNaN(quantileOf(NaN, [1])));
  });

  it('merges buckets with the same bound before interpolating', () => {
    const buckets = [
      { upperBound: 1, count: 2 },
      { upperBound: 1, count: 2 },
      { upperBound: Infinity, count: 8 },
    ];
    // Bound 1 holds 4 of 8; the median is at its top.
    assert.equal(bucketQuantile(0.5, buckets), 1);
  });
});

describe("Go's sort for small inputs", () => {
  it('is an insertion sort: ties keep their order, and NaN-first orderings behave as in Go', () => {
    const items = [5, 5, 3, NaN, 5, 1];
    const tagged = items.map((v, i) => ({ v, i }));
    // sort() in Prometheus 2.42: i before j when v[j] is NaN or v[j] > v[i].
    goSort(tagged, (a, b) => b.v !== b.v || b.v > a.v);
    assert.deepEqual(
      tagged.map((t) => t.i),
      [5, 2, 0, 1, 4, 3],
    );
  });
});

describe('label_replace templates', () => {
  const match = compileAnchoredRegex('(?P<first>.)(.*)').exec('abc')!;

  it('expands numbered and named groups like Go Regexp.Expand', () => {
    assert.equal(expandTemplate('$1-$2', match), 'a-bc');
    assert.equal(expandTemplate('${1}x', match), 'ax');
    assert.equal(expandTemplate('$first/${first}', match), 'a/a');
    assert.equal(expandTemplate('$$1', match), '$1');
  });

  it('reads the longest name after $, and leaves a malformed $ alone', () => {
    assert.equal(expandTemplate('$1x', match), '');
    assert.equal(expandTemplate('$9', match), '');
    assert.equal(expandTemplate('cost: $', match), 'cost: $');
    assert.equal(expandTemplate('${1', match), '${1');
    assert.equal(expandTemplate('$-', match), '$-');
  });
});
