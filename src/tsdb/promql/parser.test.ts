import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { childrenOf, type Expr, type ValueType } from './ast.js';
import { formatExpr } from './format.js';
import { parsePromql } from './parser.js';
import { showExpr, withoutPositions } from './testing.js';

/** Valid PromQL → the tree it must produce (see showExpr for the notation). */
const VALID: ReadonlyArray<readonly [string, string]> = [
  // Number literals.
  ['1', '1'],
  ['+Inf', 'Inf'],
  ['-Inf', '-Inf'],
  ['inf', 'Inf'],
  ['NaN', 'NaN'],
  ['nAn', 'NaN'],
  ['.5', '0.5'],
  ['5.', '5'],
  ['123.4567', '123.4567'],
  ['5e-3', '0.005'],
  ['5e3', '5000'],
  ['5E+3', '5000'],
  ['0xc', '12'],
  ['0X1F', '31'],
  ['0755', '493'],
  ['08', '8'],
  ['+5.5e-3', '0.0055'],
  ['-0755', '-493'],
  ['1_000_000', '1000000'],
  ['0x_ff', '255'],
  ['1.5_5', '1.55'],
  ['18446744073709551616', '18446744073709552000'],
  ['-0', '-0'],
  ['- -1', '1'],
  ['5m', '300'],
  ['1h30m', '5400'],
  ['250ms', '0.25'],
  // String literals.
  ['"double-quoted \\" with escaped quote"', '"double-quoted \\" with escaped quote"'],
  ["'single-quoted \\' with escaped quote'", '"single-quoted \' with escaped quote"'],
  ['`backtick \\n raw`', '"backtick \\\\n raw"'],
  ['"\\a\\b\\f\\n\\r\\t\\v\\\\"', JSON.stringify('\x07\b\f\n\r\t\v\\')],
  ['"\\x41\\101\\u00e9\\U0001F600☺"', JSON.stringify('AAé😀☺')],
  ['"\\xe2\\x82\\xac"', JSON.stringify('€')],
  ['"日本語"', '"日本語"'],
  // Scalar arithmetic, precedence and associativity.
  ['1 + 1', '(+ 1 1)'],
  ['1 - 1', '(- 1 1)'],
  ['1 * 1', '(* 1 1)'],
  ['1 % 1', '(% 1 1)'],
  ['1 / 1', '(/ 1 1)'],
  ['1 ^ 2', '(^ 1 2)'],
  ['1 atan2 2', '(atan2 1 2)'],
  ['1 ATAN2 2', '(atan2 1 2)'],
  ['1 == bool 1', '(== bool 1 1)'],
  ['1 != bool 1', '(!= bool 1 1)'],
  ['1 > bool 1', '(> bool 1 1)'],
  ['1 >= bool 1', '(>= bool 1 1)'],
  ['1 < bool 1', '(< bool 1 1)'],
  ['1 <= bool 1', '(<= bool 1 1)'],
  ['1 < BOOL 1', '(< bool 1 1)'],
  ['-1^2', '(-u (^ 1 2))'],
  ['-1*2', '(* -1 2)'],
  ['-1+2', '(+ -1 2)'],
  ['-1^-2', '(-u (^ 1 -2))'],
  ['+1 + -2 * 1', '(+ 1 (* -2 1))'],
  ['1 + 2/(3*1)', '(+ 1 (/ 2 (paren (* 3 1))))'],
  ['1 < bool 2 - 1 * 2', '(< bool 1 (- 2 (* 1 2)))'],
  ['2 ^ 3 ^ 2', '(^ 2 (^ 3 2))'],
  ['(2 ^ 3) ^ 2', '(^ (paren (^ 2 3)) 2)'],
  ['10 - 2 - 3', '(- (- 10 2) 3)'],
  ['10 / 2 * 3', '(* (/ 10 2) 3)'],
  ['10 % 3 atan2 2', '(atan2 (% 10 3) 2)'],
  ['1 + 2 * 3 ^ 4', '(+ 1 (* 2 (^ 3 4)))'],
  ['2 ^ -3 * 4', '(* (^ 2 -3) 4)'],
  ['2 ^ -a ^ 2', '(^ 2 (-u (^ a 2)))'],
  ['-a * b', '(* (-u a) b)'],
  ['-a ^ b', '(-u (^ a b))'],
  ['- -a', '(-u (-u a))'],
  ['-(1)', '(-u (paren 1))'],
  ['((1))', '(paren (paren 1))'],
  ['-some_metric', '(-u some_metric)'],
  ['+some_metric', '(+u some_metric)'],
  [' +{"some_metric"}', '(+u {__name__="some_metric"})'],
  ['time() - 5m', '(- (time) 300)'],
  ['1 + 1 # a comment', '(+ 1 1)'],
  ['# leading\n1', '1'],
  ['sum(\n  rate(x[5m]) # per second\n)', '(sum (rate (range x 300000)))'],
  // Vector binary operations, vector matching, set operators.
  ['foo * bar', '(* foo bar)'],
  ['foo * sum', '(* foo sum)'],
  ['foo == 1', '(== foo 1)'],
  ['foo == bool 1', '(== bool foo 1)'],
  ['2.5 / bar', '(/ 2.5 bar)'],
  ['foo and bar', '(and foo bar)'],
  ['foo or bar', '(or foo bar)'],
  ['foo unless bar', '(unless foo bar)'],
  ['foo AND bar', '(and foo bar)'],
  ['foo + bar or bla and blub', '(or (+ foo bar) (and bla blub))'],
  ['foo and bar unless baz or qux', '(or (unless (and foo bar) baz) qux)'],
  ['foo > 1 and bar < 2 or baz', '(or (and (> foo 1) (< bar 2)) baz)'],
  ['a == b != c', '(!= (== a b) c)'],
  ['a + b == c * d', '(== (+ a b) (* c d))'],
  ['bar + on(foo) bla / on(baz, buz) group_right(test) blub', '(+ on(foo) bar (/ on(baz,buz) group_right(test) bla blub))'],
  ['foo * on(test,blub) bar', '(* on(test,blub) foo bar)'],
  ['foo * on(test,blub) group_left bar', '(* on(test,blub) group_left() foo bar)'],
  ['foo and on(test,blub) bar', '(and on(test,blub) foo bar)'],
  ['foo and on() bar', '(and on() foo bar)'],
  ['foo and ignoring(test,blub) bar', '(and ignoring(test,blub) foo bar)'],
  ['foo and ignoring() bar', '(and foo bar)'],
  ['foo unless on(bar) baz', '(unless on(bar) foo baz)'],
  ['foo / on(test,blub) group_left(bar) bar', '(/ on(test,blub) group_left(bar) foo bar)'],
  ['foo / ignoring(test,blub) group_left(blub) bar', '(/ ignoring(test,blub) group_left(blub) foo bar)'],
  ['foo - on(test,blub) group_right(bar,foo) bar', '(- on(test,blub) group_right(bar,foo) foo bar)'],
  ['foo - ignoring(test,blub) group_right(bar,foo,) bar', '(- ignoring(test,blub) group_right(bar,foo) foo bar)'],
  ['foo * ignoring() group_left (bar) baz', '(* ignoring() group_left(bar) foo baz)'],
  ['foo > bool on(a) bar', '(> bool on(a) foo bar)'],
  ['foo == bool ignoring(a) group_left(b) bar', '(== bool ignoring(a) group_left(b) foo bar)'],
  ['foo + on() 1', '(+ foo 1)'],
  ['foo unless on(start) bar', '(unless on(start) foo bar)'],
  ['foo unless on(end) bar', '(unless on(end) foo bar)'],
  ['a * on("a.b", c) b', '(* on(a.b,c) a b)'],
  ['sum(a) / on() group_left count(b)', '(/ on() group_left() (sum a) (count b))'],
  // Vector selectors.
  ['foo', 'foo'],
  ['min', 'min'],
  ['sum', 'sum'],
  ['by', 'by'],
  ['without', 'without'],
  ['offset', 'offset'],
  ['and', 'and'],
  ['start', 'start'],
  ['end', 'end'],
  ['step', 'step'],
  ['bool_metric', 'bool_metric'],
  ['foo:bar', 'foo:bar'],
  [':foo', ':foo'],
  ['foo:bar{a="bc"}', 'foo:bar{a="bc"}'],
  ['foo{NaN="bc"}', 'foo{NaN="bc"}'],
  ['foo{bar="}"}', 'foo{bar="}"}'],
  ['foo{a="b", foo!="bar", test=~"test", bar!~"baz"}', 'foo{a="b",foo!="bar",test=~"test",bar!~"baz"}'],
  ['foo{a="b", foo!="bar", test=~"test", bar!~"baz",}', 'foo{a="b",foo!="bar",test=~"test",bar!~"baz"}'],
  ['foo {a="b"}', 'foo{a="b"}'],
  ['foo{}', 'foo'],
  ['foo{by="x", on="y", offset="z", sum="w"}', 'foo{by="x",on="y",offset="z",sum="w"}'],
  ["foo{a='b'}", 'foo{a="b"}'],
  ['foo{a=`b\\n`}', 'foo{a="b\\\\n"}'],
  ['{__name__=~"bar", __name__!~"baz"}', '{__name__=~"bar",__name__!~"baz"}'],
  ['{__name__="bar", __name__="baz"}', '{__name__="bar",__name__="baz"}'],
  ['{"bar", __name__="baz"}', '{__name__="bar",__name__="baz"}'],
  ['{"foo"}', '{__name__="foo"}'],
  ['{"foo", a="bc"}', '{__name__="foo",a="bc"}'],
  ['{a="b", foo!="bar", "foo", test=~"test"}', '{a="b",foo!="bar",__name__="foo",test=~"test"}'],
  ['{"some.metric", "service.name"="api"}', '{__name__="some.metric",service.name="api"}'],
  ["{'foo\\'bar', 'a\\\\dos\\\\path'='boo\\\\urns'}", '{__name__="foo\'bar",a\\dos\\path="boo\\\\urns"}'],
  ['{x=~".+"}', '{x=~".+"}'],
  ['{x!=""}', '{x!=""}'],
  ['{x!~""}', '{x!~""}'],
  ['{job="api", x=~".*"}', '{job="api",x=~".*"}'],
  ['{a="😀"}', '{a="😀"}'],
  ['foo offset 5m', 'foo<offset=300000>'],
  ['foo offset -7m', 'foo<offset=-420000>'],
  ['foo OFFSET 1h30m', 'foo<offset=5400000>'],
  ['foo OFFSET 1m30ms', 'foo<offset=60030>'],
  ['foo offset 3600', 'foo<offset=3600000>'],
  ['foo offset 1.5', 'foo<offset=1500>'],
  ['foo offset 0', 'foo'],
  ['foo offset 5s-8', '(- foo<offset=5000> 8)'],
  ['foo offset -1^1', '(^ foo<offset=-1000> 1)'],
  ['foo @ 1603774568', 'foo<at=1603774568000>'],
  ['foo @ -100', 'foo<at=-100000>'],
  ['foo @ +100', 'foo<at=100000>'],
  ['foo @ .3', 'foo<at=300>'],
  ['foo @ 3.', 'foo<at=3000>'],
  ['foo @ 3.33', 'foo<at=3330>'],
  ['foo @ 3.3333', 'foo<at=3333>'],
  ['foo @ 3.3335', 'foo<at=3334>'],
  ['foo @ -3.0005', 'foo<at=-3001>'],
  ['foo @ 3e2', 'foo<at=300000>'],
  ['foo @ 3e-1', 'foo<at=300>'],
  ['foo @ 0xA', 'foo<at=10000>'],
  ['foo @ -3.3e1', 'foo<at=-33000>'],
  ['foo @ 1m', 'foo<at=60000>'],
  ['foo @ start()', 'foo<at=start>'],
  ['foo @ end()', 'foo<at=end>'],
  ['foo @ START ( )', 'foo<at=start>'],
  ['foo @ 100 offset 5m', 'foo<offset=300000,at=100000>'],
  ['foo offset 5m @ 100', 'foo<offset=300000,at=100000>'],
  ['a + b offset 5m', '(+ a b<offset=300000>)'],
  ['-a offset 5m', '(-u a<offset=300000>)'],
  ['offset{step="1s"}[5m]', '(range offset{step="1s"} 300000)'],
  ['step{offset="1s"}[5m]', '(range step{offset="1s"} 300000)'],
  ['offset offset 5m', 'offset<offset=300000>'],
  ['start{end="foo"}', 'start{end="foo"}'],
  // Matrix selectors.
  ['test[1000ms]', '(range test 1000)'],
  ['test[1001ms]', '(range test 1001)'],
  ['test[5s]', '(range test 5000)'],
  ['test[5m]', '(range test 300000)'],
  ['foo[5m30s]', '(range foo 330000)'],
  ['test[5h] OFFSET 5m', '(range test<offset=300000> 18000000)'],
  ['test[5d] OFFSET 10s', '(range test<offset=10000> 432000000)'],
  ['test[5w] offset 2w', '(range test<offset=1209600000> 3024000000)'],
  ['test{a="b"}[5y] OFFSET 3d', '(range test{a="b"}<offset=259200000> 157680000000)'],
  ['test{a="b"}[5m] OFFSET 3600', '(range test{a="b"}<offset=3600000> 300000)'],
  ['foo[3ms] @ 2.345', '(range foo<at=2345> 3)'],
  ['foo[4s180ms] @ 2.345', '(range foo<at=2345> 4180)'],
  ['foo[4.18] @ 2.345', '(range foo<at=2345> 4180)'],
  ['foo[4.018]', '(range foo 4018)'],
  ['foo[4.0185]', '(range foo 4018)'],
  ['test[5]', '(range test 5000)'],
  ['test[ 5m ]', '(range test 300000)'],
  ['test[1y2w3d4h5m6s7ms]', '(range test 33019506007)'],
  ['some_metric[5m] @ 1m', '(range some_metric<at=60000> 300000)'],
  ['test[5y] @ start()', '(range test<at=start> 157680000000)'],
  ['foo[5m] offset 1h @ end()', '(range foo<offset=3600000,at=end> 300000)'],
  // Subqueries.
  ['foo{bar="baz"}[10m:6s]', '(subquery foo{bar="baz"} 600000 6000)'],
  ['foo{bar="baz"}[10m5s:1h6ms]', '(subquery foo{bar="baz"} 605000 3600006)'],
  ['foo[10m:]', '(subquery foo 600000 0)'],
  ['foo[10:5]', '(subquery foo 10000 5000)'],
  ['foo[1h : 5m]', '(subquery foo 3600000 300000)'],
  ['min_over_time(rate(foo{bar="baz"}[2s])[5m:5s])', '(min_over_time (subquery (rate (range foo{bar="baz"} 2000)) 300000 5000))'],
  [
    'min_over_time(rate(foo{bar="baz"}[2s])[5m:])[4m:3s]',
    '(subquery (min_over_time (subquery (rate (range foo{bar="baz"} 2000)) 300000 0)) 240000 3000)',
  ],
  [
    'min_over_time(rate(foo{bar="baz"}[2s])[5m:] offset 4m)[4m:3s]',
    '(subquery (min_over_time (subquery (rate (range foo{bar="baz"} 2000)) 300000 0)<offset=240000>) 240000 3000)',
  ],
  [
    'min_over_time(rate(foo{bar="baz"}[2s])[5m:] @ 1603775091)[4m:3s]',
    '(subquery (min_over_time (subquery (rate (range foo{bar="baz"} 2000)) 300000 0)<at=1603775091000>) 240000 3000)',
  ],
  [
    'sum without(and, by, avg, count, alert, annotations)(some_metric) [30m:10s]',
    '(subquery (sum without (and,by,avg,count,alert,annotations) some_metric) 1800000 10000)',
  ],
  ['some_metric OFFSET 1m [10m:5s]', '(subquery some_metric<offset=60000> 600000 5000)'],
  ['some_metric @ 123 [10m:5s]', '(subquery some_metric<at=123000> 600000 5000)'],
  ['some_metric @ 123 offset 1m [10m:5s]', '(subquery some_metric<offset=60000,at=123000> 600000 5000)'],
  ['some_metric offset 1m @ 123 [10m:5s]', '(subquery some_metric<offset=60000,at=123000> 600000 5000)'],
  ['some_metric[10m:5s] offset 1m @ 123', '(subquery some_metric 600000 5000)<offset=60000,at=123000>'],
  ['(foo + bar{nm="val"})[5m:]', '(subquery (paren (+ foo bar{nm="val"})) 300000 0)'],
  ['(foo + bar{nm="val"})[5m:] offset 10m', '(subquery (paren (+ foo bar{nm="val"})) 300000 0)<offset=600000>'],
  [
    '(foo + bar{nm="val"} @ 1234)[5m:] @ 1603775019',
    '(subquery (paren (+ foo bar{nm="val"}<at=1234000>)) 300000 0)<at=1603775019000>',
  ],
  ['foo[10m:6s] @ start()', '(subquery foo 600000 6000)<at=start>'],
  ['foo[10m:6s] @ end()', '(subquery foo 600000 6000)<at=end>'],
  ['rate(x[5m])[30m:1m]', '(subquery (rate (range x 300000)) 1800000 60000)'],
  ['-max_over_time(foo[5m:])', '(-u (max_over_time (subquery foo 300000 0)))'],
  ['a + max_over_time(b[5m:] offset 1m)', '(+ a (max_over_time (subquery b 300000 0)<offset=60000>))'],
  // Aggregations.
  ['sum by (foo)(some_metric)', '(sum by (foo) some_metric)'],
  ['avg by (foo)(some_metric)', '(avg by (foo) some_metric)'],
  ['max by (foo)(some_metric)', '(max by (foo) some_metric)'],
  ['sum without (foo) (some_metric)', '(sum without (foo) some_metric)'],
  ['sum (some_metric) without (foo)', '(sum without (foo) some_metric)'],
  ['stddev(some_metric)', '(stddev some_metric)'],
  ['stdvar by (foo)(some_metric)', '(stdvar by (foo) some_metric)'],
  ['sum by ()(some_metric)', '(sum some_metric)'],
  ['sum without ()(some_metric)', '(sum without () some_metric)'],
  ['sum by (foo,bar,)(some_metric)', '(sum by (foo,bar) some_metric)'],
  ['sum by (foo,)(some_metric)', '(sum by (foo) some_metric)'],
  ['topk(5, some_metric)', '(topk 5 some_metric)'],
  ['bottomk by (a) (5, some_metric)', '(bottomk by (a) 5 some_metric)'],
  ['quantile(0.9, some_metric) by (job)', '(quantile by (job) 0.9 some_metric)'],
  ['count_values("value", some_metric)', '(count_values "value" some_metric)'],
  ['group(some_metric)', '(group some_metric)'],
  ['count without (instance) (up)', '(count without (instance) up)'],
  ['limitk(2, some_metric)', '(limitk 2 some_metric)'],
  ['limit_ratio(0.5, some_metric)', '(limit_ratio 0.5 some_metric)'],
  ['topk(scalar(foo), bar)', '(topk (scalar foo) bar)'],
  ['sum without(and, by, avg, count, alert, annotations)(some_metric)', '(sum without (and,by,avg,count,alert,annotations) some_metric)'],
  ['sum by ("foo bar")({"some.metric"})', '(sum by (foo bar) {__name__="some.metric"})'],
  ['sum by ("foo", bar, \'baz\')({"some.metric"})', '(sum by (foo,bar,baz) {__name__="some.metric"})'],
  ['sum by (job:name, group_left, bool, on, offset, atan2) (x)', '(sum by (job:name,group_left,bool,on,offset,atan2) x)'],
  ['SUM BY (Job) (x)', '(sum by (Job) x)'],
  ['sum(sum)', '(sum sum)'],
  ['sum(min by (a) (x))', '(sum (min by (a) x))'],
  ['a + sum', '(+ a sum)'],
  ['sum(x) / count(x)', '(/ (sum x) (count x))'],
  ['(sum(foo))', '(paren (sum foo))'],
  ['(sum(foo) by (bar))', '(paren (sum by (bar) foo))'],
  ['sum by (job)(rate(http_requests_total[30m]))', '(sum by (job) (rate (range http_requests_total 1800000)))'],
  // Function calls.
  ['time()', '(time)'],
  ['pi()', '(pi)'],
  ['floor(some_metric{foo!="bar"})', '(floor some_metric{foo!="bar"})'],
  ['rate(some_metric[5m])', '(rate (range some_metric 300000))'],
  ['round(some_metric)', '(round some_metric)'],
  ['round(some_metric, 5)', '(round some_metric 5)'],
  ['hour()', '(hour)'],
  ['hour(timestamp(up))', '(hour (timestamp up))'],
  ['label_join(up, "dst", ",", "a", "b", "c")', '(label_join up "dst" "," "a" "b" "c")'],
  ['label_join(up, "dst", ",")', '(label_join up "dst" ",")'],
  ['label_replace(up, "dst", "$1", "src", "(.*)")', '(label_replace up "dst" "$1" "src" "(.*)")'],
  ['histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))', '(histogram_quantile 0.9 (sum by (le) (rate (range x_bucket 300000))))'],
  ['quantile_over_time(0.5, x[1h])', '(quantile_over_time 0.5 (range x 3600000))'],
  ['predict_linear(x[1h], 3600)', '(predict_linear (range x 3600000) 3600)'],
  ['holt_winters(x[1h], 0.5, 0.5)', '(holt_winters (range x 3600000) 0.5 0.5)'],
  ['double_exponential_smoothing(x[1h], 0.5, 0.5)', '(double_exponential_smoothing (range x 3600000) 0.5 0.5)'],
  ['clamp(x, 0, 1)', '(clamp x 0 1)'],
  ['vector(1)', '(vector 1)'],
  ['scalar(x) * 2', '(* (scalar x) 2)'],
  ['sort_by_label(x, "a", "b")', '(sort_by_label x "a" "b")'],
  ['absent(nonexistent{job="myjob"})', '(absent nonexistent{job="myjob"})'],
  ['abs (x)', '(abs x)'],
  ['rate(avg_over_time[5m])', '(rate (range avg_over_time 300000))'],
];

describe('parsePromql on valid queries', () => {
  for (const [query, expected] of VALID) {
    it(`parses ${JSON.stringify(query)}`, () => {
      assert.equal(showExpr(parsePromql(query)), expected);
    });
  }
});

describe('formatExpr', () => {
  for (const [query] of VALID) {
    it(`round-trips ${JSON.stringify(query)}`, () => {
      const first = parsePromql(query);
      const text = formatExpr(first);
      const second = parsePromql(text);
      assert.deepEqual(withoutPositions(second), withoutPositions(first), `formatted as ${text}`);
      assert.equal(formatExpr(second), text, 'formatting is stable');
    });
  }

  const CANONICAL: ReadonlyArray<readonly [string, string]> = [
    ['sum(rate(x[5m]))by(job)', 'sum by (job) (rate(x[5m]))'],
    ['topk(5,x)without(a)', 'topk without (a) (5, x)'],
    ['foo{a="b",c!~"d"}offset 90m', 'foo{a="b", c!~"d"} offset 1h30m'],
    ['foo offset -7d @ 12.5', 'foo @ 12.500 offset -1w'],
    ['foo[86400s]', 'foo[1d]'],
    ['foo[8d]', 'foo[8d]'],
    ['foo[365d:1h]', 'foo[1y:1h]'],
    ['a*on(b)group_left c', 'a * on (b) group_left c'],
    ['a*on(b)group_left() (c+d)', 'a * on (b) group_left () (c + d)'],
    ['a*ignoring()group_right(x) b', 'a * ignoring () group_right (x) b'],
    ['a>bool 1', 'a > bool 1'],
    ['{"my.metric","a.b"="c"}', '{"my.metric", "a.b"="c"}'],
    ['{__name__="up"}', '{__name__="up"}'],
    ['"a\\nb\\"c"', '"a\\nb\\"c"'],
    ["'tab\\there'", '"tab\\there"'],
    ['- -a', '--a'],
    ['2^-1', '2 ^ -1'],
    ['x - -1', 'x - -1'],
    ['NaN + -Inf', 'NaN + -Inf'],
    ['1e300 * 1e-300', '1e+300 * 1e-300'],
  ];
  for (const [query, expected] of CANONICAL) {
    it(`prints ${JSON.stringify(query)} as ${JSON.stringify(expected)}`, () => {
      assert.equal(formatExpr(parsePromql(query)), expected);
    });
  }
});

describe('static types', () => {
  const TYPES: ReadonlyArray<readonly [string, ValueType]> = [
    ['1', 'scalar'],
    ['"a"', 'string'],
    ['foo', 'vector'],
    ['foo[5m]', 'matrix'],
    ['foo[5m:]', 'matrix'],
    ['rate(foo[5m])', 'vector'],
    ['time()', 'scalar'],
    ['scalar(foo)', 'scalar'],
    ['1 + 2', 'scalar'],
    ['1 + foo', 'vector'],
    ['foo + 1', 'vector'],
    ['-foo', 'vector'],
    ['-time()', 'scalar'],
    ['(1)', 'scalar'],
    ['(foo)', 'vector'],
    ['("a")', 'string'],
    ['sum(foo)', 'vector'],
    ['1 > bool 2', 'scalar'],
    ['foo > bool 2', 'vector'],
  ];
  for (const [query, type] of TYPES) {
    it(`gives ${JSON.stringify(query)} the type ${type}`, () => {
      assert.equal(parsePromql(query).type, type);
    });
  }

  it('drops vector matching when an operand is a scalar', () => {
    const e = parsePromql('foo + on() 1');
    assert.equal(e.kind, 'binary');
    if (e.kind === 'binary') assert.equal(e.matching, null);
  });

  it('makes set operators many-to-many', () => {
    const e = parsePromql('foo and on(a) bar');
    assert.ok(e.kind === 'binary' && e.matching !== null);
    if (e.kind === 'binary') assert.deepEqual(e.matching, { card: 'many-to-many', on: true, labels: ['a'], include: [] });
  });

  it('appends the metric name matcher after the braces', () => {
    const e = parsePromql('foo{a="b"}');
    assert.ok(e.kind === 'vectorSelector');
    if (e.kind === 'vectorSelector') {
      assert.equal(e.name, 'foo');
      assert.deepEqual(
        e.matchers.map((m) => [m.name, m.op, m.value]),
        [
          ['a', '=', 'b'],
          ['__name__', '=', 'foo'],
        ],
      );
    }
  });

  it('compiles regex matchers fully anchored', () => {
    const e = parsePromql('foo{a=~"b|c", d!~"e.*"}');
    assert.ok(e.kind === 'vectorSelector');
    if (e.kind === 'vectorSelector') {
      const [a, d] = e.matchers;
      assert.equal(a!.regex!.test('b'), true);
      assert.equal(a!.regex!.test('xb'), false);
      assert.equal(a!.regex!.test('bc'), false);
      assert.equal(d!.regex!.test('e\nf'), true, '. matches a newline');
    }
  });

  it('records positions of nodes', () => {
    const e = parsePromql('  sum(rate(x[5m]))  ');
    assert.deepEqual(e.pos, { start: 2, end: 18 });
    assert.ok(e.kind === 'aggregate');
    if (e.kind === 'aggregate') assert.deepEqual(e.expr.pos, { start: 6, end: 17 });
  });

  it('lists the children of every node kind, left to right', () => {
    const e = parsePromql('sum by (a) (topk(3, rate(x[5m]))) + -scalar(y) * (max_over_time(z[1h:5m]) or vector(1))');
    const kinds: string[] = [];
    const walk = (node: Expr): void => {
      kinds.push(node.kind);
      childrenOf(node).forEach(walk);
    };
    walk(e);
    assert.deepEqual(kinds, [
      'binary', 'aggregate', 'aggregate', 'number', 'call', 'matrixSelector', 'vectorSelector',
      'binary', 'unary', 'call', 'vectorSelector', 'paren', 'binary', 'call', 'subquery', 'vectorSelector', 'call', 'number',
    ]);
  });
});
