import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BadQueryError, UnsupportedQueryError } from '../../model/errors.js';
import { PromqlParseError } from './errors.js';
import { parsePromql } from './parser.js';

/** Invalid PromQL → `line:column: message`, the column in UTF-8 bytes as Prometheus counts. */
const INVALID: ReadonlyArray<readonly [string, string]> = [
  // Empty input and stray tokens.
  ['', '1:1: no expression found in input'],
  ['   ', '1:1: no expression found in input'],
  ['# just a comment\n\n', '1:1: no expression found in input'],
  ['1+', '1:3: unexpected end of input'],
  ['1 /', '1:4: unexpected end of input'],
  ['.', "1:1: unexpected character: '.'"],
  ['2.5.', '1:1: bad number or duration syntax: "2.5."'],
  ['100..4', '1:1: bad number or duration syntax: "100.."'],
  ['0deadbeef', '1:1: bad number or duration syntax: "0de"'],
  ['1e', '1:1: bad number or duration syntax: "1e"'],
  ['0x', '1:1: error parsing number: strconv.ParseFloat: parsing "0x": invalid syntax'],
  ['1_', '1:1: bad number or duration syntax: "1_"'],
  ['1__0', '1:1: bad number or duration syntax: "1__"'],
  ['0x1.5', '1:1: bad number or duration syntax: "0x1."'],
  ['5mm', '1:1: bad number or duration syntax: "5mm"'],
  ['1e400', '1:1: error parsing number: strconv.ParseFloat: parsing "1e400": value out of range'],
  ['9'.repeat(309), `1:1: error parsing number: strconv.ParseFloat: parsing "${'9'.repeat(309)}": value out of range`],
  ['0xffffffffffffffffff', '1:1: error parsing number: strconv.ParseFloat: parsing "0xffffffffffffffffff": invalid syntax'],
  ['*1', '1:1: unexpected <op:*>'],
  ['*test', '1:1: unexpected <op:*>'],
  ['@@', '1:1: unexpected <op:@>'],
  ['(1))', "1:5: unexpected right parenthesis ')'"],
  ['((1)', '1:5: unclosed left parenthesis'],
  ['(', '1:2: unclosed left parenthesis'],
  [')', "1:2: unexpected right parenthesis ')'"],
  ['(1 2)', '1:4: unexpected number "2", expected ")"'],
  ['1 2', '1:3: unexpected number "2"'],
  ['foo bar', '1:5: unexpected identifier "bar"'],
  ['foo = bar', '1:5: unexpected "="'],
  ['-=', '1:2: unexpected "="'],
  ['++-++-+-+-<', '1:11: unexpected <op:<>'],
  ['e-+=/(0)', '1:4: unexpected "="'],
  ['1 !~ 1', "1:3: unexpected character after '!': '~'"],
  ['1 =~ 1', "1:3: unexpected character after '=': '~'"],
  ['1 !', "1:3: unexpected character after '!': end of input"],
  ['1 $ 2', "1:3: unexpected character: '$'"],
  ['1 ä 2', "1:3: unexpected character: 'ä'"],
  ['"ä" + x }', "1:10: unexpected character: '}'"],
  ['foo]', "1:4: unexpected right bracket ']'"],
  ['bool', '1:1: unexpected <bool>'],
  ['on(a) foo', '1:1: unexpected <on>'],
  ['foo atan2', '1:10: unexpected end of input'],
  ['atan2', '1:1: unexpected <op:atan2>'],
  ['a:b(c)', '1:4: unexpected "("'],
  // Scalars, set operators and bool.
  ['1 and 1', '1:1: set operator "and" not allowed in binary scalar expression'],
  ['1 == 1', '1:3: comparisons between scalars must use BOOL modifier'],
  ['1 or 1', '1:1: set operator "or" not allowed in binary scalar expression'],
  ['1 unless 1', '1:1: set operator "unless" not allowed in binary scalar expression'],
  ['foo and 1', '1:1: set operator "and" not allowed in binary scalar expression'],
  ['1 and foo', '1:1: set operator "and" not allowed in binary scalar expression'],
  ['foo or 1', '1:1: set operator "or" not allowed in binary scalar expression'],
  ['foo unless 1', '1:1: set operator "unless" not allowed in binary scalar expression'],
  ['1 or on(bar) foo', '1:1: vector matching only allowed between instant vectors'],
  ['foo == on(bar) 10', '1:1: vector matching only allowed between instant vectors'],
  ['foo + group_left(baz) bar', '1:7: unexpected <group_left>'],
  ['foo + bool bar', '1:5: bool modifier can only be used on comparison operators'],
  ['foo + bool 10', '1:5: bool modifier can only be used on comparison operators'],
  ['foo and bool 10', '1:5: bool modifier can only be used on comparison operators'],
  ['a - on(b) ignoring(c) d', '1:11: unexpected <ignoring>'],
  ['a - bool bool b', '1:10: unexpected <bool>'],
  ['foo and on(bar) group_left(baz) bar', '1:1: no grouping allowed for "and" operation'],
  ['foo and on(bar) group_right(baz) bar', '1:1: no grouping allowed for "and" operation'],
  ['foo or on(bar) group_left(baz) bar', '1:1: no grouping allowed for "or" operation'],
  ['foo unless on(bar) group_right(baz) bar', '1:1: no grouping allowed for "unless" operation'],
  [
    'http_requests{group="production"} + on(instance) group_left(job,instance) cpu_count{type="smp"}',
    '1:35: label "instance" must not occur in ON and GROUP clause at once',
  ],
  ['foo * on bar', '1:10: unexpected identifier "bar" in grouping opts, expected "("'],
  ['foo * on(a b) bar', '1:12: unexpected identifier "b" in grouping opts, expected "," or ")"'],
  ['foo * on(a) group_left(b c) bar', '1:26: unexpected identifier "c" in grouping opts, expected "," or ")"'],
  ['-"string"', '1:1: unary expression only allowed on expressions of type scalar or instant vector, got "string"'],
  ['-test[5m]', '1:1: unary expression only allowed on expressions of type scalar or instant vector, got "range vector"'],
  ['-foo[5m:]', '1:1: unary expression only allowed on expressions of type scalar or instant vector, got "range vector"'],
  ['a + b[5m:]', '1:5: binary expression must contain only scalar and instant vector types'],
  ['foo[5m] + 1', '1:1: binary expression must contain only scalar and instant vector types'],
  ['"a" + "b"', '1:1: binary expression must contain only scalar and instant vector types'],
  ['1 + "b"', '1:5: binary expression must contain only scalar and instant vector types'],
  // Selectors.
  ['{', '1:2: unexpected end of input inside braces'],
  ['}', "1:1: unexpected character: '}'"],
  ['some{', '1:6: unexpected end of input inside braces'],
  ['some}', "1:5: unexpected character: '}'"],
  ['some_metric{a=b}', '1:15: unexpected identifier "b" in label matching, expected string'],
  ['some_metric{a:b="b"}', "1:14: unexpected character inside braces: ':'"],
  ['foo{a*"b"}', "1:6: unexpected character inside braces: '*'"],
  ['foo{a>="b"}', "1:6: unexpected character inside braces: '>'"],
  ['foo{a!"b"}', `1:6: unexpected character after '!' inside braces: '"'`],
  ['foo{gibberish}', '1:14: unexpected "}" in label matching, expected label matching operator'],
  ['foo{1}', "1:5: unexpected character inside braces: '1'"],
  ['foo{{}', "1:5: unexpected left brace '{'"],
  ['{}', '1:1: vector selector must contain at least one non-empty matcher'],
  ['{x=""}', '1:1: vector selector must contain at least one non-empty matcher'],
  ['{x=~".*"}', '1:1: vector selector must contain at least one non-empty matcher'],
  ['{x!~".+"}', '1:1: vector selector must contain at least one non-empty matcher'],
  ['{x!="a"}', '1:1: vector selector must contain at least one non-empty matcher'],
  ['{x=~"a|"}', '1:1: vector selector must contain at least one non-empty matcher'],
  ['foo + {x=""}', '1:7: vector selector must contain at least one non-empty matcher'],
  ['foo{__name__="bar"}', '1:1: metric name must not be set twice: "foo" or "bar"'],
  ['foo{"bar"}', '1:1: metric name must not be set twice: "foo" or "bar"'],
  ['foo{__name__= =}', '1:15: unexpected "=" in label matching, expected string'],
  ['foo{,}', '1:5: unexpected "," in label matching, expected identifier or "}"'],
  ['foo{a="b",,}', '1:11: unexpected "," in label matching, expected identifier or "}"'],
  ['foo{__name__ == "bar"}', '1:15: unexpected "=" in label matching, expected string'],
  ['foo{__name__="bar" lol}', '1:20: unexpected identifier "lol" in label matching, expected "," or "}"'],
  ['foo{"a"=}', '1:9: unexpected "}" in label matching, expected string'],
  ['{"a" b}', '1:6: unexpected identifier "b" in label matching, expected "," or "}"'],
  ['foo{a=~"\\\\1"}', '1:5: error parsing regexp: invalid escape sequence: `\\1`'],
  ['foo{a=~"(?=x)"}', '1:5: error parsing regexp: invalid or unsupported Perl syntax: `(?=`'],
  ['foo{a="\\c"}', '1:7: unknown escape sequence U+0063 \'c\''],
  // Strings.
  ['`\\``', '1:4: unterminated raw string'],
  ['"\\', '1:1: escape sequence not terminated'],
  ['"\\c"', "1:1: unknown escape sequence U+0063 'c'"],
  ['"\\x."', "1:1: illegal character U+002E '.' in escape sequence"],
  ['"\\400"', '1:1: escape sequence is an invalid Unicode code point'],
  ['"\\ud800"', '1:1: escape sequence is an invalid Unicode code point'],
  ['"\\U00110000"', '1:1: escape sequence is an invalid Unicode code point'],
  ['"\\\'"', "1:1: unknown escape sequence U+0027 '''"],
  ['"abc', '1:1: unterminated quoted string'],
  ['"ab\nc"', '1:1: unterminated quoted string'],
  ["'abc\"", '1:1: unterminated quoted string'],
  ['"\ud800"', '1:1: invalid UTF-8 rune'],
  ['x + "é\\q"', "1:5: unknown escape sequence U+0071 'q'"],
  // Ranges, durations, offset and @.
  ['foo[5mm]', '1:5: bad number or duration syntax: "5mm"'],
  ['foo[5m1]', '1:5: bad number or duration syntax: "5m1"'],
  ['foo[5m:1m1]', '1:8: bad number or duration syntax: "1m1"'],
  ['foo[5y1hs]', '1:5: unknown unit "hs" in duration "5y1hs"'],
  ['foo[5m1h]', '1:5: not a valid duration string: "5m1h"'],
  ['foo[5m1m]', '1:5: not a valid duration string: "5m1m"'],
  ['foo[1ms1s]', '1:5: not a valid duration string: "1ms1s"'],
  ['foo[0m]', '1:5: duration must be greater than 0'],
  ['foo[0]', '1:5: duration must be greater than 0'],
  ['foo[0s:1m]', '1:5: duration must be greater than 0'],
  ['foo[-1]', '1:5: duration must be greater than 0'],
  ['foo[-5m]', '1:5: duration must be greater than 0'],
  ['foo[300y]', '1:5: duration out of range'],
  ['foo[9.5e10]', '1:5: duration out of range'],
  ['foo offset 9.5e10', '1:12: duration out of range'],
  ['foo["5m"]', `1:5: unexpected character in duration expression: '"'`],
  ['foo[]', '1:5: unexpected "]" in subquery or range selector, expected number or duration'],
  ['foo[:5m]', '1:5: unexpected ":" in subquery or range selector, expected number or duration'],
  ['foo[5m', '1:7: unclosed left bracket'],
  ['foo[', '1:5: unclosed left bracket'],
  ['foo[5m 1m]', '1:8: unexpected duration "1m" in subquery or range, expected ":" or "]"'],
  ['foo[5m:1m:1m]', "1:10: unexpected colon ':'"],
  ['foo[5m:1m 1m]', '1:11: unexpected duration "1m" in subquery selector, expected "]"'],
  ['foo[5s x 5s]', "1:8: unexpected character in duration expression: 'x'"],
  ['foo[5m][5m]', '1:8: ranges only allowed for vector selectors'],
  ['foo[5m[5m]]', "1:7: unexpected left bracket '['"],
  ['foo[5m:-1m]', '1:8: subquery step must not be negative'],
  ['some_metric[5m] OFFSET 1mm', '1:24: bad number or duration syntax: "1mm"'],
  ['some_metric[5m] OFFSET', '1:23: unexpected end of input in offset, expected number or duration'],
  ['foo offset bar', '1:12: unexpected identifier "bar" in offset, expected number or duration'],
  ['foo offset +5m', '1:12: unexpected <op:+> in offset, expected number or duration'],
  ['some_metric OFFSET 1m[5m]', '1:22: no offset modifiers allowed before range'],
  ['some_metric[5m] @', '1:18: unexpected end of input in @, expected timestamp'],
  ['some_metric @ "x"', '1:15: unexpected string "\\"x\\"" in @, expected timestamp'],
  ['some_metric @ start', '1:20: unexpected end of input in @, expected "("'],
  ['some_metric @ start(1)', '1:21: unexpected number "1" in @, expected ")"'],
  ['some_metric @ 1234 [5m]', '1:20: no @ modifiers allowed before range'],
  ['some_metric @ start() [5m]', '1:23: no @ modifiers allowed before range'],
  ['some_metric @ end()[5m]', '1:20: no @ modifiers allowed before range'],
  ['(foo + bar)[5m]', '1:12: ranges only allowed for vector selectors'],
  ['rate(food[1m])[1h] offset 1h', '1:15: ranges only allowed for vector selectors'],
  ['1[5m]', '1:2: ranges only allowed for vector selectors'],
  ['1 offset 1d', '1:1: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
  ['sum(foo) offset 1d', '1:1: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
  ['(foo) offset 1d', '1:1: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
  ['foo offset 1s offset 2s', '1:1: offset may not be set multiple times'],
  ['foo[5m] offset 1s offset 2s', '1:1: offset may not be set multiple times'],
  ['foo[5m:] offset 1s offset 2s', '1:1: offset may not be set multiple times'],
  ['rate(some_metric[5m]) @ 1234', '1:1: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
  ['foo @ 1 @ 2', '1:1: @ <timestamp> may not be set multiple times'],
  ['foo[5m] @ 1 @ start()', '1:1: @ <timestamp> may not be set multiple times'],
  ['foo[5m:] @ end() @ 2', '1:1: @ <timestamp> may not be set multiple times'],
  ['foo @ +Inf', '1:1: timestamp out of bounds for @ modifier: +Inf'],
  ['foo @ -Inf', '1:1: timestamp out of bounds for @ modifier: -Inf'],
  ['foo @ NaN', '1:1: timestamp out of bounds for @ modifier: NaN'],
  ['foo @ 9.3e18', '1:1: timestamp out of bounds for @ modifier: 9300000000000000000.000000'],
  ['test[5d] OFFSET 10s [10m:5s]', '1:1: subquery is only allowed on instant vector, got matrix instead'],
  ['(foo + bar{nm="val"})[5m:][10m:5s]', '1:1: subquery is only allowed on instant vector, got matrix instead'],
  ['"a"[5m:]', '1:1: subquery is only allowed on instant vector, got string instead'],
  ['1[5m:]', '1:1: subquery is only allowed on instant vector, got scalar instead'],
  // Aggregations.
  ['sum without(==)(some_metric)', '1:13: unexpected <op:==> in grouping opts, expected label'],
  ['sum without(,)(some_metric)', '1:13: unexpected "," in grouping opts, expected label'],
  ['sum without(foo,,)(some_metric)', '1:17: unexpected "," in grouping opts, expected label'],
  ['sum by ("")(some_metric)', '1:9: invalid label name for grouping: ""'],
  ['sum by (inf)(some_metric)', '1:9: unexpected number "inf" in grouping opts, expected label'],
  ['sum some_metric by (test)', '1:5: unexpected identifier "some_metric"'],
  ['sum (some_metric) by test', '1:22: unexpected identifier "test" in grouping opts, expected "("'],
  ['sum () by (test)', '1:1: no arguments for aggregate expression provided'],
  ['MIN keep_common (some_metric)', '1:5: unexpected identifier "keep_common"'],
  ['MIN (some_metric) keep_common', '1:19: unexpected identifier "keep_common"'],
  ['sum (some_metric) without (test) by (test)', '1:34: unexpected <by>'],
  ['sum without (test) (some_metric) by (test)', '1:34: unexpected <by>'],
  ['sum by (a) "x"', '1:12: unexpected string "\\"x\\"" in aggregation'],
  ['sum(a, b)', '1:1: wrong number of arguments for aggregate expression provided, expected 1, got 2'],
  ['topk(some_metric)', '1:1: wrong number of arguments for aggregate expression provided, expected 2, got 1'],
  ['topk(some_metric,)', '1:17: trailing commas not allowed in function call args'],
  ['topk(1, 2, some_metric)', '1:1: wrong number of arguments for aggregate expression provided, expected 2, got 3'],
  ['topk(some_metric, other_metric)', '1:6: expected type scalar in aggregation parameter, got instant vector'],
  ['quantile("a", x)', '1:10: expected type scalar in aggregation parameter, got string'],
  ['count_values(5, other_metric)', '1:14: expected type string in aggregation parameter, got scalar'],
  ['sum(1)', '1:5: expected type instant vector in aggregation expression, got scalar'],
  ['sum(x[5m])', '1:5: expected type instant vector in aggregation expression, got range vector'],
  ['sum(', '1:5: unclosed left parenthesis'],
  ['sum(rate(', '1:10: unclosed left parenthesis'],
  // Function calls.
  ['floor()', '1:1: expected 1 argument(s) in call to "floor", got 0'],
  ['floor(some_metric, other_metric)', '1:1: expected 1 argument(s) in call to "floor", got 2'],
  ['floor(some_metric, 1)', '1:1: expected 1 argument(s) in call to "floor", got 2'],
  ['floor(1)', '1:7: expected type instant vector in call to function "floor", got scalar'],
  ['hour(some_metric, some_metric, some_metric)', '1:1: expected at most 1 argument(s) in call to "hour", got 3'],
  ['time(some_metric)', '1:1: expected 0 argument(s) in call to "time", got 1'],
  ['label_join(up, "a")', '1:1: expected at least 3 argument(s) in call to "label_join", got 2'],
  ['label_join(up, "a", ",", 1)', '1:26: expected type string in call to function "label_join", got scalar'],
  ['non_existent_function_far_bar()', '1:1: unknown function with name "non_existent_function_far_bar"'],
  ['Rate(x[5m])', '1:1: unknown function with name "Rate"'],
  ['a>b()', '1:3: unknown function with name "b"'],
  ['rate(some_metric)', '1:6: expected type range vector in call to function "rate", got instant vector'],
  ['rate(avg)', '1:6: expected type range vector in call to function "rate", got instant vector'],
  ['rate(x[5m],)', '1:11: trailing commas not allowed in function call args'],
  ['rate(x[5m] y)', '1:12: unexpected identifier "y", expected "," or ")"'],
  ['rate(,)', '1:6: unexpected ","'],
  ['label_replace(a, `b`, `c\ud800`, `d`, `.*`)', '1:23: invalid UTF-8 rune'],
  // Error positions on later lines count lines and UTF-8 bytes.
  ['sum(\n  rate(x)\n)', '2:8: expected type range vector in call to function "rate", got instant vector'],
  ['"é" + "ü" + }', "1:15: unexpected character: '}'"],
];

describe('parsePromql on invalid queries', () => {
  for (const [query, expected] of INVALID) {
    it(`rejects ${JSON.stringify(query.length > 60 ? `${query.slice(0, 60)}…` : query)}`, () => {
      assert.throws(
        () => parsePromql(query),
        (err: unknown) => {
          assert.ok(err instanceof PromqlParseError, `expected a PromqlParseError, got ${String(err)}`);
          assert.ok(err instanceof BadQueryError);
          assert.equal(err.code, 'bad_query');
          assert.equal(`${err.position.line}:${err.position.column}: ${err.detail}`, expected);
          assert.equal(err.message, `promql: ${err.position.line}:${err.position.column}: parse error: ${err.detail}`);
          return true;
        },
      );
    });
  }

  it('rejects invalid regular expressions at the matcher', () => {
    for (const query of ['foo{a=~"("}', 'foo{a!~"*"}', 'foo{a=~"[b"}', 'foo{a=~"x{2,1}"}']) {
      assert.throws(
        () => parsePromql(query),
        (err: unknown) => err instanceof PromqlParseError && err.position.column === 5 && err.detail.startsWith('error parsing regexp: '),
        query,
      );
    }
  });

  it('reports the message Prometheus puts in its API error field', () => {
    try {
      parsePromql('foo{a=b}');
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof PromqlParseError);
      assert.equal(err.prometheusMessage, '1:7: parse error: unexpected identifier "b" in label matching, expected string');
    }
  });

  it('reports the first error in reading order when a query has a syntax error after a type error', () => {
    assert.throws(() => parsePromql('rate(x) + ('), /unclosed left parenthesis/);
  });

  it('rejects deeply nested input with a query error instead of overflowing the stack', () => {
    assert.throws(() => parsePromql(`${'('.repeat(5000)}1${')'.repeat(5000)}`), /too deeply nested/);
    assert.throws(() => parsePromql(`${'-'.repeat(5000)}1`), /too deeply nested/);
  });

  it('handles a long flat chain of operators', () => {
    const query = `(${'-{a="b"}-1'.repeat(2000)})${'[1m:]'.repeat(200)}`;
    assert.throws(() => parsePromql(query), /subquery is only allowed on instant vector, got matrix instead/);
    const sum = Array.from({ length: 3000 }, (_, i) => `m${i}`).join(' + ');
    assert.equal(parsePromql(sum).kind, 'binary');
  });
});

describe('parsePromql on valid syntax marquetry does not evaluate', () => {
  const UNSUPPORTED: ReadonlyArray<readonly [string, RegExp]> = [
    ['histogram_count(x)', /^promql: 1:1: the function "histogram_count" \(native histograms\) is not supported$/],
    ['sum(histogram_sum(rate(x[5m])))', /1:5: the function "histogram_sum"/],
    ['histogram_avg(x)', /histogram_avg/],
    ['histogram_stddev(x) + histogram_stdvar(x)', /histogram_stddev/],
    ['histogram_fraction(0, 0.2, x)', /histogram_fraction/],
    ['info(up)', /the function "info" \(info metrics enrichment\)/],
    ['foo[5m+1m]', /^promql: 1:5: duration arithmetic \(an experimental Prometheus feature\) is not supported$/],
    ['foo[(5m)]', /duration arithmetic/],
    ['foo[step()]', /duration arithmetic/],
    ['foo[1h:step()]', /duration arithmetic/],
    ['foo[-(5m)]', /duration arithmetic/],
    ['foo offset (5m)', /duration arithmetic/],
    ['foo{a=~"(?i:x)y"}', /regular expression "\(\?i:x\)y"/],
    ['foo{a=~"[[:^alpha:]]"}', /negated POSIX classes/],
  ];
  for (const [query, pattern] of UNSUPPORTED) {
    it(`rejects ${JSON.stringify(query)} as unsupported`, () => {
      assert.throws(
        () => parsePromql(query),
        (err: unknown) => err instanceof UnsupportedQueryError && err.code === 'unsupported_query' && pattern.test(err.message),
      );
    });
  }

  it('reports a query error before an unsupported construct', () => {
    assert.throws(() => parsePromql('histogram_count(x[5m])'), /expected type instant vector/);
    assert.throws(() => parsePromql('histogram_count(x) + ('), /unclosed left parenthesis/);
  });
});

describe('experimental functions', () => {
  it('are accepted by default', () => {
    assert.equal(parsePromql('mad_over_time(x[5m])').kind, 'call');
    assert.equal(parsePromql('limitk(1, x)').kind, 'aggregate');
  });

  it('are rejected like Prometheus without the feature flag when disabled', () => {
    const options = { experimentalFunctions: false };
    assert.throws(() => parsePromql('mad_over_time(x[5m])', options), /1:1: parse error: function "mad_over_time" is not enabled/);
    assert.throws(() => parsePromql('sort_by_label(x, "a")', options), /function "sort_by_label" is not enabled/);
    assert.throws(() => parsePromql('double_exponential_smoothing(x[5m], 0.1, 0.1)', options), /is not enabled/);
    assert.throws(() => parsePromql('limitk(1, x)', options), /limitk\(\) is experimental/);
    assert.equal(parsePromql('holt_winters(x[5m], 0.1, 0.1)', options).kind, 'call');
    assert.equal(parsePromql('rate(x[5m])', options).kind, 'call');
  });
});
