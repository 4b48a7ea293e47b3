import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BadQueryError } from '../../model/errors.js';
import { tokenize, type Token } from './lexer.js';
import { parseDurationNanos } from './literals.js';

/** Tokens without positions, in a compact comparable form. */
function lex(source: string): unknown[] {
  return tokenize(source)
    .filter((t) => t.kind !== 'eof')
    .map((t: Token) => {
      const { pos: _pos, end: _end, ...rest } = t;
      return rest;
    });
}

describe('parseDurationNanos', () => {
  const cases: Array<[string, bigint]> = [
    ['10ns', 10n],
    ['100us', 100_000n],
    ['100µs', 100_000n],
    ['500ms', 500_000_000n],
    ['1.5s', 1_500_000_000n],
    ['2m', 120_000_000_000n],
    ['1h', 3_600_000_000_000n],
    ['1h30m', 5_400_000_000_000n],
    ['2d', 172_800_000_000_000n],
    ['.5ms', 500_000n],
    ['1.0000000005s', 1_000_000_000n], // below a nanosecond truncates
  ];
  for (const [text, nanos] of cases) {
    it(`reads ${text} as ${nanos} ns`, () => assert.equal(parseDurationNanos(text), nanos));
  }

  it('rejects unknown units, missing units and durations beyond int64', () => {
    for (const text of ['5x', '5', 's', '1.5', '5mss', '300y']) assert.equal(parseDurationNanos(text), undefined, text);
  });
});

describe('tokenize', () => {
  it('ends an attribute name at an operator, so comparisons need no spaces', () => {
    assert.deepEqual(lex('{span.http.status_code>=500}'), [
      { kind: 'punct', text: '{' },
      { kind: 'attribute', scope: 'span', name: 'http.status_code' },
      { kind: 'punct', text: '>=' },
      { kind: 'int', value: 500n },
      { kind: 'punct', text: '}' },
    ]);
  });

  it('keeps dots, dashes and colons inside attribute names, as Tempo does', () => {
    assert.deepEqual(lex('.foo-bar resource.k8s.pod:name instrumentation.x'), [
      { kind: 'attribute', scope: 'none', name: 'foo-bar' },
      { kind: 'attribute', scope: 'resource', name: 'k8s.pod:name' },
      { kind: 'attribute', scope: 'instrumentation', name: 'x' },
    ]);
  });

  it('joins quoted parts of attribute names and unescapes \\" and \\\\ in them', () => {
    assert.deepEqual(lex('span."attr with space" span.a."b c".d span."say \\"hi\\" \\\\o/"'), [
      { kind: 'attribute', scope: 'span', name: 'attr with space' },
      { kind: 'attribute', scope: 'span', name: 'a.b c.d' },
      { kind: 'attribute', scope: 'span', name: 'say "hi" \\o/' },
    ]);
  });

  it('reads scoped intrinsics as single tokens and leaves bare words as words', () => {
    assert.deepEqual(lex('span:name trace:id duration status'), [
      { kind: 'scopedIntrinsic', scope: 'span', name: 'name' },
      { kind: 'scopedIntrinsic', scope: 'trace', name: 'id' },
      { kind: 'word', text: 'duration' },
      { kind: 'word', text: 'status' },
    ]);
  });

  it('reads integers, floats and durations', () => {
    assert.deepEqual(lex('42 4.5 .5 1e3 500ms 1.5s 100µs'), [
      { kind: 'int', value: 42n },
      { kind: 'float', value: 4.5 },
      { kind: 'float', value: 0.5 },
      { kind: 'float', value: 1000 },
      { kind: 'duration', nanos: 500_000_000n },
      { kind: 'duration', nanos: 1_500_000_000n },
      { kind: 'duration', nanos: 100_000n },
    ]);
  });

  it('unescapes Go string escapes and leaves backtick strings raw', () => {
    assert.deepEqual(lex('"a\\"b\\\\c\\n\\t\\u00e9\\x41" `\\d+\\.\\d+`'), [
      { kind: 'string', value: 'a"b\\c\n\téA' },
      { kind: 'string', value: '\\d+\\.\\d+' },
    ]);
  });

  it('reads the longest operator first', () => {
    assert.deepEqual(
      lex('&& || != =~ !~ >> &>> !< >= <= !').map((t) => (t as { text: string }).text),
      ['&&', '||', '!=', '=~', '!~', '>>', '&>>', '!<', '>=', '<=', '!'],
    );
  });

  it('gives 1-based line and column positions', () => {
    const tokens = tokenize('{\n  name = "x" }');
    assert.deepEqual(
      tokens.map((t) => [t.pos.line, t.pos.column]),
      [[1, 1], [2, 3], [2, 8], [2, 10], [2, 14], [2, 15]],
    );
  });

  const errors: Array<[string, string]> = [
    ['{ duration > 5xyz }', 'traceql: invalid number or duration "5xyz" at 1:14'],
    ['{ name = "abc }', 'traceql: unterminated string at 1:10'],
    ['{ name = "a\\qb" }', 'traceql: unknown escape sequence \\q at 1:12'],
    ["{ name = 'x' }", 'traceql: strings are written in double quotes or backticks at 1:10'],
    ['{ span. = 1 }', 'traceql: expected an attribute name after "span." at 1:8'],
    ['{ span."abc = 1 }', 'traceql: unterminated quoted attribute name at 1:8'],
    ['{ span."a\\nb" = 1 }', 'traceql: only \\" and \\\\ escapes are allowed in attribute names at 1:10'],
    ['{ span.a = 99999999999999999999 }', 'traceql: integer 99999999999999999999 does not fit in 64 bits at 1:12'],
    ['{ span.a = 1 } & { }', 'traceql: unexpected character "&" at 1:16'],
    ['{ span:1 }', 'traceql: expected an intrinsic name after "span:" at 1:8'],
  ];
  for (const [source, message] of errors) {
    it(`rejects ${source} with its position`, () => {
      assert.throws(() => tokenize(source), (e: unknown) => e instanceof BadQueryError && e.message === message);
    });
  }
});
