import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from './duration.js';
import { PromqlParseError } from './errors.js';
import { describeToken, Lexer } from './lexer.js';
import { parseNumber, quoteString, scanString } from './literals.js';

/** `kind:value` of every token up to the end. */
function lex(input: string): string[] {
  const lexer = new Lexer(input);
  const out: string[] = [];
  for (;;) {
    const t = lexer.next();
    if (t.kind === 'eof') return out;
    out.push(`${t.kind}:${t.value}`);
  }
}

function lexError(input: string): string {
  try {
    lex(input);
  } catch (err) {
    assert.ok(err instanceof PromqlParseError);
    return `${err.position.column}: ${err.detail}`;
  }
  return assert.fail(`lexing ${input} should fail`);
}

describe('Lexer', () => {
  const CASES: ReadonlyArray<readonly [string, string[]]> = [
    [',', ['punct:,']],
    ['()', ['punct:(', 'punct:)']],
    ['{}', ['punct:{', 'punct:}']],
    ['[5m]', ['punct:[', 'duration:5m', 'punct:]']],
    ['[ 5m]', ['punct:[', 'duration:5m', 'punct:]']],
    ['[\t5m]', ['punct:[', 'duration:5m', 'punct:]']],
    ['[5m :5m]', ['punct:[', 'duration:5m', 'punct::', 'duration:5m', 'punct:]']],
    ['[5m:]', ['punct:[', 'duration:5m', 'punct::', 'punct:]']],
    ['1', ['number:1']],
    ['4.23', ['number:4.23']],
    ['.3', ['number:.3']],
    ['5.', ['number:5.']],
    ['NaN', ['number:NaN']],
    ['nAN', ['number:nAN']],
    ['NaN 123', ['number:NaN', 'number:123']],
    ['NaN123', ['identifier:NaN123']],
    ['iNf', ['number:iNf']],
    ['Inf', ['number:Inf']],
    ['+Inf', ['op:+', 'number:Inf']],
    ['+Inf 123', ['op:+', 'number:Inf', 'number:123']],
    ['-Inf', ['op:-', 'number:Inf']],
    ['Infoo', ['identifier:Infoo']],
    ['-Infoo', ['op:-', 'identifier:Infoo']],
    ['-Inf 123', ['op:-', 'number:Inf', 'number:123']],
    ['0x123', ['number:0x123']],
    ['0X_1f', ['number:0X_1f']],
    ['1_000', ['number:1_000']],
    ['1e10', ['number:1e10']],
    ['1E-10', ['number:1E-10']],
    ['1e+10', ['number:1e+10']],
    ['5s', ['duration:5s']],
    ['123m', ['duration:123m']],
    ['1h', ['duration:1h']],
    ['3w', ['duration:3w']],
    ['1y', ['duration:1y']],
    ['250ms', ['duration:250ms']],
    ['1h30m', ['duration:1h30m']],
    ['1y2w3d4h5m6s7ms', ['duration:1y2w3d4h5m6s7ms']],
    ['"test\\tsequence"', ['string:test\tsequence']],
    ['"test\\\\.expression"', ['string:test\\.expression']],
    ["'\\''", ["string:'"]],
    ['`test\\.expression`', ['string:test\\.expression']],
    ['".٩"', ['string:.٩']],
    ['`a\nb`', ['string:a\nb']],
    ['==', ['op:==']],
    ['!=', ['op:!=']],
    ['<', ['op:<']],
    ['>', ['op:>']],
    ['>=', ['op:>=']],
    ['<=', ['op:<=']],
    ['+ - * / % ^ @', ['op:+', 'op:-', 'op:*', 'op:/', 'op:%', 'op:^', 'op:@']],
    ['and or unless atan2', ['op:and', 'op:or', 'op:unless', 'op:atan2']],
    ['AND Or UNLESS aTan2', ['op:and', 'op:or', 'op:unless', 'op:atan2']],
    ['sum AVG Count min max group stddev stdvar topk bottomk count_values quantile limitk limit_ratio', [
      'aggregator:sum', 'aggregator:avg', 'aggregator:count', 'aggregator:min', 'aggregator:max', 'aggregator:group',
      'aggregator:stddev', 'aggregator:stdvar', 'aggregator:topk', 'aggregator:bottomk', 'aggregator:count_values',
      'aggregator:quantile', 'aggregator:limitk', 'aggregator:limit_ratio',
    ]],
    ['offset by without on ignoring group_left group_right bool', [
      'keyword:offset', 'keyword:by', 'keyword:without', 'keyword:on', 'keyword:ignoring', 'keyword:group_left',
      'keyword:group_right', 'keyword:bool',
    ]],
    ['OFFSET By', ['keyword:offset', 'keyword:by']],
    ['start end', ['identifier:start', 'identifier:end']],
    ['some_metric', ['identifier:some_metric']],
    ['some:metric', ['metricIdentifier:some:metric']],
    [':metric', ['metricIdentifier::metric']],
    ['abc d', ['identifier:abc', 'identifier:d']],
    ['a{b="c",d!="e",f=~"g",h!~"i"}', [
      'identifier:a', 'punct:{', 'identifier:b', 'punct:=', 'string:c', 'punct:,', 'identifier:d', 'op:!=', 'string:e',
      'punct:,', 'identifier:f', 'op:=~', 'string:g', 'punct:,', 'identifier:h', 'op:!~', 'string:i', 'punct:}',
    ]],
    ['{by="x", offset="y", sum="z"}', [
      'punct:{', 'identifier:by', 'punct:=', 'string:x', 'punct:,', 'identifier:offset', 'punct:=', 'string:y', 'punct:,',
      'identifier:sum', 'punct:=', 'string:z', 'punct:}',
    ]],
    ['{"a.b"="c"}', ['punct:{', 'string:a.b', 'punct:=', 'string:c', 'punct:}']],
    ['# comment', []],
    ['5 # comment', ['number:5']],
    ['# start\n5 # end', ['number:5']],
    ['{a="b" # c\n}', ['punct:{', 'identifier:a', 'punct:=', 'string:b', 'punct:}']],
    ['foo[5m] @ start()', ['identifier:foo', 'punct:[', 'duration:5m', 'punct:]', 'op:@', 'identifier:start', 'punct:(', 'punct:)']],
    ['[5m+step()]', ['punct:[', 'duration:5m', 'op:+', 'identifier:step', 'punct:(', 'punct:)', 'punct:]']],
  ];
  for (const [input, tokens] of CASES) {
    it(`lexes ${JSON.stringify(input)}`, () => {
      assert.deepEqual(lex(input), tokens);
    });
  }

  const ERRORS: ReadonlyArray<readonly [string, string]> = [
    ['=~', "1: unexpected character after '=': '~'"],
    ['!~', "1: unexpected character after '!': '~'"],
    ['!(', "1: unexpected character after '!': '('"],
    ['1a', '1: bad number or duration syntax: "1"'],
    ['0xee', '1: bad number or duration syntax: "0xee"'],
    ['2.5.', '1: bad number or duration syntax: "2.5."'],
    ['5s1', '1: bad number or duration syntax: "5s1"'],
    ['1h1y', '1: bad number or duration syntax: "1h1"'],
    ['"\\z"', "1: unknown escape sequence U+007A 'z'"],
    ['"\\u12"', "1: illegal character U+0022 '\"' in escape sequence"],
    ['"\\u12', '1: escape sequence not terminated'],
    ['{', '2: unexpected end of input inside braces'],
    ['{a="b"', '7: unexpected end of input inside braces'],
    ['{a:b}', "3: unexpected character inside braces: ':'"],
    ['{a!b}', "3: unexpected character after '!' inside braces: 'b'"],
    ['{{', "2: unexpected left brace '{'"],
    ['}', "1: unexpected character: '}'"],
    [']', "1: unexpected right bracket ']'"],
    ['[[', "2: unexpected left bracket '['"],
    ['[5m:1m:]', "7: unexpected colon ':'"],
    ['[5m', '4: unclosed left bracket'],
    ['[foo]', "2: unexpected character in duration expression: 'f'"],
    ['(()', '4: unclosed left parenthesis'],
    ['())', "4: unexpected right parenthesis ')'"],
    ['a\u00a0b', "2: unexpected character: '\u00a0'"],
    ['a\x01b', '2: unexpected character: U+0001'],
    ['😀', "1: unexpected character: '😀'"],
  ];
  for (const [input, expected] of ERRORS) {
    it(`fails on ${JSON.stringify(input)}`, () => {
      assert.equal(lexError(input), expected);
    });
  }

  it('names tokens the way Prometheus does in messages', () => {
    const names = ['foo', 'a:b', 'by', 'sum', '+', 'and', '5', '5m', '"a very long string"', ','].map((input) =>
      describeToken(new Lexer(input).next()),
    );
    assert.deepEqual(names, [
      'identifier "foo"',
      'metric identifier "a:b"',
      '<by>',
      '<aggr:sum>',
      '<op:+>',
      '<op:and>',
      'number "5"',
      'duration "5m"',
      'string "\\"a very lo"...',
      '","',
    ]);
    assert.equal(describeToken(new Lexer('').next()), 'end of input');
  });
});

describe('parseNumber', () => {
  const CASES: ReadonlyArray<readonly [string, number]> = [
    ['0', 0],
    ['1', 1],
    ['0755', 493],
    ['0_755', 493],
    ['08', 8],
    ['09.5', 9.5],
    ['0x1F', 31],
    ['0X_ff', 255],
    ['0x7fffffffffffffff', 9223372036854775807],
    ['9223372036854775807', 9223372036854775807],
    ['9223372036854775808', 9223372036854775808],
    ['1_000.5_5', 1000.55],
    ['1e3', 1000],
    ['1.5e-3', 0.0015],
    ['.5', 0.5],
    ['5.', 5],
    ['Inf', Infinity],
    ['nan', NaN],
    ['1e-400', 0],
  ];
  for (const [text, value] of CASES) {
    it(`reads ${text} as ${value}`, () => {
      assert.deepEqual(parseNumber(text), { ok: true, value });
    });
  }

  it('rejects floats that overflow and hex beyond int64', () => {
    assert.equal(parseNumber('1e309').ok, false);
    assert.equal(parseNumber('0x8000000000000000').ok, false);
  });
});

describe('string literals', () => {
  const CASES: ReadonlyArray<readonly [string, string]> = [
    ['"plain"', 'plain'],
    ["'single'", 'single'],
    ['"\\a\\b\\f\\n\\r\\t\\v\\\\\\""', '\x07\b\f\n\r\t\v\\"'],
    ["'\\''", "'"],
    ['"\\x41\\x42"', 'AB'],
    ['"\\101\\102"', 'AB'],
    ['"\\000"', '\0'],
    ['"\\u00e9\\u4E2D"', 'é中'],
    ['"\\U0001F600"', '😀'],
    ['"\\xF0\\x9F\\x98\\x80"', '😀'],
    ['"\\xff"', '\ufffd'],
    ['"a\\xe2\\x82\\xacb"', 'a€b'],
    ['"☺ 日本 😀"', '☺ 日本 😀'],
    ['`raw \\n \\x41 "\'`', 'raw \\n \\x41 "\''],
  ];
  for (const [literal, value] of CASES) {
    it(`reads ${literal}`, () => {
      assert.deepEqual(scanString(literal, 0), { ok: true, value, end: literal.length });
    });
  }

  it('quotes any string so that reading it back gives the same string', () => {
    const values = ['', 'plain', 'quote " and \\', 'tab\tnewline\nreturn\r', '\x00\x01\x1f\x7f', 'é中😀', "single ' quote"];
    for (const value of values) {
      const quoted = quoteString(value);
      assert.deepEqual(scanString(quoted, 0), { ok: true, value, end: quoted.length }, quoted);
    }
  });
});

describe('durations', () => {
  const CASES: ReadonlyArray<readonly [string, number, string]> = [
    ['0', 0, '0s'],
    ['1ms', 1, '1ms'],
    ['1s', 1000, '1s'],
    ['90s', 90_000, '1m30s'],
    ['5m', 300_000, '5m'],
    ['1h30m', 5_400_000, '1h30m'],
    ['1d', 86_400_000, '1d'],
    ['7d', 604_800_000, '1w'],
    ['8d', 691_200_000, '8d'],
    ['2w', 1_209_600_000, '2w'],
    ['365d', 31_536_000_000, '1y'],
    ['366d', 31_622_400_000, '366d'],
    ['1y', 31_536_000_000, '1y'],
    ['1y2w3d4h5m6s7ms', 33_019_506_007, '382d4h5m6s7ms'],
    ['1m30ms', 60_030, '1m30ms'],
  ];
  for (const [text, ms, canonical] of CASES) {
    it(`reads ${text} as ${ms} ms and prints it as ${canonical}`, () => {
      assert.deepEqual(parseDuration(text), { ok: true, ms });
      assert.equal(formatDuration(ms), canonical);
      assert.deepEqual(parseDuration(canonical), { ok: true, ms });
    });
  }

  const BAD: ReadonlyArray<readonly [string, string]> = [
    ['', 'empty duration string'],
    ['5m1h', 'not a valid duration string: "5m1h"'],
    ['1s1s', 'not a valid duration string: "1s1s"'],
    ['1ms1s', 'not a valid duration string: "1ms1s"'],
    ['5y1hs', 'unknown unit "hs" in duration "5y1hs"'],
    ['5', 'not a valid duration string: "5"'],
    ['m', 'not a valid duration string: "m"'],
    ['293y', 'duration out of range'],
  ];
  for (const [text, error] of BAD) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseDuration(text), { ok: false, error });
    });
  }
});
