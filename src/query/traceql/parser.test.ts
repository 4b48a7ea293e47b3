import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BadQueryError, MarquetryError, UnsupportedQueryError } from '../../model/errors.js';
import type { FieldExpr, SpansetExpr } from './ast.js';
import { parseTraceQL } from './parser.js';

/** The AST as an S-expression, positions left out, so expectations read like the query. */
function show(e: SpansetExpr | FieldExpr): string {
  switch (e.kind) {
    case 'spansetFilter':
      return `{${show(e.expr)}}`;
    case 'spansetOperation':
    case 'logical':
      return `(${e.op === 'and' ? '&&' : '||'} ${show(e.left)} ${show(e.right)})`;
    case 'not':
      return `(! ${show(e.operand)})`;
    case 'comparison':
      return `(${e.op} ${show(e.left)} ${show(e.right)})`;
    case 'attribute':
      return `${e.scope === 'none' ? '' : e.scope}.${JSON.stringify(e.name)}`;
    case 'intrinsic':
      return e.name;
    case 'string':
      return JSON.stringify(e.value);
    case 'int':
      return `${e.value}i`;
    case 'float':
      return `${e.value}f`;
    case 'duration':
      return `${e.nanos}ns`;
    case 'bool':
      return String(e.value);
    case 'nil':
      return 'nil';
    case 'status':
      return `status:${e.value}`;
    case 'spanKind':
      return `kind:${e.value}`;
  }
}

const parse = (query: string): string => show(parseTraceQL(query));

describe('parseTraceQL', () => {
  it('reads the empty filter and { true } as a filter of true', () => {
    assert.equal(parse('{}'), '{true}');
    assert.equal(parse('{ }'), '{true}');
    assert.equal(parse('{ true }'), '{true}');
  });

  it('reads attributes of every scope, with dotted and quoted names', () => {
    assert.equal(
      parse('{ .a = 1 && span.http.route = "/x" && resource.host.name = "h" && instrumentation.lang = "go" && span."a b" = 2 }'),
      '{(&& (&& (&& (&& (= ."a" 1i) (= span."http.route" "/x")) (= resource."host.name" "h")) (= instrumentation."lang" "go")) (= span."a b" 2i))}',
    );
  });

  it('maps old and scoped spellings of intrinsics to one name', () => {
    const pairs: Array<[string, string]> = [
      ['name', 'span:name'],
      ['kind', 'span:kind'],
      ['status', 'span:status'],
      ['duration', 'span:duration'],
      ['statusMessage', 'span:statusMessage'],
      ['rootName', 'trace:rootName'],
      ['rootServiceName', 'trace:rootService'],
      ['traceDuration', 'trace:duration'],
    ];
    for (const [old, scoped] of pairs) {
      assert.equal(parse(`{ ${old} = nil }`), `{(= ${scoped} nil)}`);
      assert.equal(parse(`{ ${scoped} = nil }`), `{(= ${scoped} nil)}`);
    }
    for (const scoped of ['span:id', 'span:parentID', 'trace:id', 'instrumentation:name', 'instrumentation:version']) {
      assert.equal(parse(`{ ${scoped} = "1" }`), `{(= ${scoped} "1")}`);
    }
  });

  it('reads every kind of literal, including negative numbers and durations', () => {
    assert.equal(
      parse('{ .a = "s" || .a = 1 || .a = -1 || .a = 1.5 || .a = -0.5 || .a = 2s || .a = -3ms || .a = true || .a = nil }'),
      '{(|| (|| (|| (|| (|| (|| (|| (|| (= ."a" "s") (= ."a" 1i)) (= ."a" -1i)) (= ."a" 1.5f)) (= ."a" -0.5f)) (= ."a" 2000000000ns)) (= ."a" -3000000ns)) (= ."a" true)) (= ."a" nil))}',
    );
    assert.equal(parse('{ status = error && kind = consumer }'), '{(&& (= span:status status:error) (= span:kind kind:consumer))}');
    assert.equal(parse('{ .a > minInt && .a < maxInt }'), '{(&& (> ."a" -9223372036854775808i) (< ."a" 9223372036854775807i))}');
  });

  it('parses every comparison operator', () => {
    for (const op of ['=', '!=', '>', '>=', '<', '<=', '=~', '!~']) {
      assert.equal(parse(`{ .a ${op} "x" }`), `{(${op} ."a" "x")}`);
    }
  });

  it('gives && and || one precedence level, evaluated left to right, as Tempo does', () => {
    assert.equal(parse('{ .a = 1 || .b = 2 && .c = 3 }'), '{(&& (|| (= ."a" 1i) (= ."b" 2i)) (= ."c" 3i))}');
    assert.equal(parse('{ .a = 1 || (.b = 2 && .c = 3) }'), '{(|| (= ."a" 1i) (&& (= ."b" 2i) (= ."c" 3i)))}');
  });

  it('binds ! tighter than comparisons, so !(...) needs its parentheses', () => {
    assert.equal(parse('{ !.a = 1 }'), '{(= (! ."a") 1i)}');
    assert.equal(parse('{ !(.a = 1) && !.b }'), '{(&& (! (= ."a" 1i)) (! ."b"))}');
  });

  it('combines spansets with && and || left to right, and honours parentheses', () => {
    assert.equal(parse('{ .a = 1 } && { .b = 2 } || { .c = 3 }'), '(|| (&& {(= ."a" 1i)} {(= ."b" 2i)}) {(= ."c" 3i)})');
    assert.equal(parse('{ .a = 1 } && ({ .b = 2 } || { .c = 3 })'), '(&& {(= ."a" 1i)} (|| {(= ."b" 2i)} {(= ."c" 3i)}))');
    assert.equal(parse('(({}))'), '{true}');
  });

  it('keeps a literal on the left where it was written', () => {
    assert.equal(parse('{ 500 <= span.code }'), '{(<= 500i span."code")}');
  });

  const unsupported: Array<[string, string]> = [
    ['{ span.a = 1 } | count() > 2', 'traceql: pipeline stage "count()" at 1:18 is not supported yet'],
    ['{ } | avg(duration) > 1s', 'traceql: pipeline stage "avg(duration)" at 1:7 is not supported yet'],
    ['{ } | select(span.a, resource.b)', 'traceql: pipeline stage "select(span.a, resource.b)" at 1:7 is not supported yet'],
    ['{ } | by(resource.service.name)', 'traceql: pipeline stage "by(resource.service.name)" at 1:7 is not supported yet'],
    ['{ } | rate()', 'traceql: pipeline stage "rate()" at 1:7 is not supported yet'],
    ['{ .a = 1 } | { .b = 2 }', 'traceql: pipeline stage "{ .b = 2 }" at 1:14 is not supported yet'],
    ['count() > 2', 'traceql: pipeline stage "count()" at 1:1 is not supported yet'],
    ['({ } | count()) > 1', 'traceql: pipeline stage "count()" at 1:8 is not supported yet'],
    ['{ .a = 1 } >> { .b = 2 }', 'traceql: structural operator ">>" at 1:12 is not supported yet'],
    ['{ } > { }', 'traceql: structural operator ">" at 1:5 is not supported yet'],
    ['{ } << { }', 'traceql: structural operator "<<" at 1:5 is not supported yet'],
    ['{ } < { }', 'traceql: structural operator "<" at 1:5 is not supported yet'],
    ['{ } ~ { }', 'traceql: structural operator "~" at 1:5 is not supported yet'],
    ['{ } !< { }', 'traceql: structural operator "!<" at 1:5 is not supported yet'],
    ['{ } !~ { }', 'traceql: structural operator "!~" at 1:5 is not supported yet'],
    ['{ } &>> { }', 'traceql: structural operator "&>>" at 1:5 is not supported yet'],
    ['{ span.a + 1 > 2 }', 'traceql: arithmetic operator "+" at 1:10 is not supported yet'],
    ['{ span.a * 2 > 2 }', 'traceql: arithmetic operator "*" at 1:10 is not supported yet'],
    ['{ 2 ^ 3 = 8 }', 'traceql: arithmetic operator "^" at 1:5 is not supported yet'],
    ['{ -span.a > 2 }', 'traceql: arithmetic operator "-" at 1:3 is not supported yet'],
    ['{ } with (most_recent=true)', 'traceql: query hint "with (most_recent=true)" at 1:5 is not supported yet'],
    ['{ parent.a = 1 }', 'traceql: attribute scope "parent." at 1:3 is not supported yet'],
    ['{ event.exception.message = "x" }', 'traceql: attribute scope "event." at 1:3 is not supported yet'],
    ['{ link.a = 1 }', 'traceql: attribute scope "link." at 1:3 is not supported yet'],
    ['{ span:childCount > 1 }', 'traceql: intrinsic "span:childCount" at 1:3 is not supported yet'],
    ['{ childCount > 1 }', 'traceql: intrinsic "childCount" at 1:3 is not supported yet'],
    ['{ event:name = "x" }', 'traceql: intrinsic "event:name" at 1:3 is not supported yet'],
    ['{ link:traceID = "x" }', 'traceql: intrinsic "link:traceID" at 1:3 is not supported yet'],
  ];
  for (const [query, message] of unsupported) {
    it(`rejects ${query} as unsupported, naming the construct`, () => {
      assert.throws(
        () => parseTraceQL(query),
        (e: unknown) => e instanceof UnsupportedQueryError && e.code === 'unsupported_query' && e.message === message,
      );
    });
  }

  const syntaxErrors: Array<[string, string]> = [
    ['', 'traceql: empty query'],
    ['   ', 'traceql: empty query'],
    ['{ span.a = }', 'traceql: unexpected "}" at 1:12, expected a value, attribute or intrinsic'],
    ['{ span.a = 1', 'traceql: unexpected end of query at 1:13, expected "}" to close the spanset filter'],
    ['{ foo = 1 }', 'traceql: unexpected "foo" at 1:3, expected a value, attribute or intrinsic'],
    ['{ span:foo = 1 }', 'traceql: unknown intrinsic "span:foo" at 1:3'],
    ['{ .a = 1 } }', 'traceql: unexpected "}" at 1:12, expected "&&", "||" or the end of the query'],
    ['{ .a = 1 } &&', 'traceql: unexpected end of query at 1:14, expected "{"'],
    ['.a = 1', 'traceql: unexpected ".a" at 1:1, expected "{"'],
    ['{ .a = 1 } |', 'traceql: unexpected end of query at 1:13, expected a pipeline stage after "|"'],
    ['{ (.a = 1 }', 'traceql: unexpected "}" at 1:11, expected ")"'],
    [`{ ${'('.repeat(150)}.a = 1${')'.repeat(150)} }`, 'traceql: nesting deeper than 100 at 1:103'],
  ];
  for (const [query, message] of syntaxErrors) {
    it(`rejects ${JSON.stringify(query.slice(0, 40))} as a bad query with its position`, () => {
      assert.throws(
        () => parseTraceQL(query),
        (e: unknown) => e instanceof BadQueryError && e.code === 'bad_query' && e.message === message,
      );
    });
  }

  it('throws only bad-query or unsupported errors on 5000 random token soups', () => {
    const pieces = ['{', '}', '(', ')', '&&', '||', '!', '=', '!=', '=~', '>', '>>', '|', 'span.a', '.b', '"s"', '1', '1.5',
      '2ms', '-', 'nil', 'true', 'error', 'server', 'name', 'status', 'span:id', 'count()', 'with', ',', '"', '\\', 'span."q', '+'];
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let n = 0; n < 5000; n++) {
      let query = '';
      for (let i = 1 + random(12); i > 0; i--) query += pieces[random(pieces.length)]! + (random(2) ? ' ' : '');
      try {
        parseTraceQL(query);
      } catch (e) {
        assert.ok(e instanceof MarquetryError, `${JSON.stringify(query)} threw ${String(e)}`);
      }
    }
  });
});
