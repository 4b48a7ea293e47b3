// Tokens → AST by recursive descent, with Tempo's precedence (its yacc table,
// lowest first): `&&` and `||` share one level and associate left, so
// `a || b && c` is `(a || b) && c`; then comparisons; then `+ -`; then `!`;
// then `* / %`; then `^`. `!` therefore binds tighter than comparisons:
// `!a = b` is `(!a) = b`. Constructs marquetry cannot run yet are rejected here
// with UnsupportedQueryError naming the construct and where it starts.

import { BadQueryError, UnsupportedQueryError } from '../../model/errors.js';
import type {
  ComparisonOp,
  FieldExpr,
  Intrinsic,
  IntrinsicRef,
  KindValue,
  Literal,
  SourcePosition,
  SpansetExpr,
  StatusValue,
} from './ast.js';
import { formatPosition, tokenize, type Token } from './lexer.js';

/** Parses a TraceQL query; throws BadQueryError or UnsupportedQueryError. */
export function parseTraceQL(query: string): SpansetExpr {
  return new Parser(query, tokenize(query)).parseQuery();
}

// Deep enough for any real query, shallow enough that a hostile one cannot
// exhaust the stack.
const MAX_NESTING = 100;

const COMPARISON_OPS: ReadonlySet<string> = new Set(['=', '!=', '>', '>=', '<', '<=', '=~', '!~']);

/** Between spansets these are structural relations (`>` child, `!~` not-sibling, `&>>` union-descendant, …). */
const STRUCTURAL_OPS: ReadonlySet<string> = new Set([
  '>', '>>', '<', '<<', '~', '!>', '!>>', '!<', '!<<', '!~', '&>', '&>>', '&<', '&<<', '&~',
]);

/** Words that start an aggregate, a metrics function or another pipeline stage. */
const PIPELINE_FUNCTIONS: ReadonlySet<string> = new Set([
  'count', 'avg', 'min', 'max', 'sum', 'by', 'select', 'coalesce',
  'rate', 'count_over_time', 'min_over_time', 'max_over_time', 'avg_over_time', 'sum_over_time',
  'quantile_over_time', 'histogram_over_time', 'compare', 'topk', 'bottomk',
]);

const UNSCOPED_INTRINSICS: Readonly<Record<string, Intrinsic>> = {
  name: 'span:name',
  kind: 'span:kind',
  status: 'span:status',
  statusMessage: 'span:statusMessage',
  duration: 'span:duration',
  rootName: 'trace:rootName',
  rootServiceName: 'trace:rootService',
  traceDuration: 'trace:duration',
};

const SCOPED_INTRINSICS: ReadonlySet<string> = new Set<Intrinsic>([
  'span:name', 'span:kind', 'span:status', 'span:statusMessage', 'span:duration', 'span:id', 'span:parentID',
  'trace:id', 'trace:rootName', 'trace:rootService', 'trace:duration',
  'instrumentation:name', 'instrumentation:version',
]);

/** Valid TraceQL that needs data or evaluation marquetry does not have yet. */
const UNSUPPORTED_INTRINSICS: ReadonlySet<string> = new Set([
  'childCount', 'parent', 'nestedSetLeft', 'nestedSetRight', 'nestedSetParent',
  'span:childCount', 'span:parent', 'event:name', 'event:timeSinceStart', 'link:spanID', 'link:traceID',
]);

const STATUS_WORDS: ReadonlySet<string> = new Set<StatusValue>(['unset', 'ok', 'error']);
const KIND_WORDS: ReadonlySet<string> = new Set<KindValue>(['unspecified', 'internal', 'server', 'client', 'producer', 'consumer']);

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

class Parser {
  private at = 0;
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  parseQuery(): SpansetExpr {
    if (this.peek().kind === 'eof') throw new BadQueryError('traceql: empty query');
    const expr = this.parseSpansetExpr();
    const t = this.peek();
    if (isPunct(t, '|')) this.unsupportedStage(this.at + 1);
    if (isWord(t, 'with')) this.unsupported(`query hint ${this.quoteSpan(this.at)}`, t.pos);
    if (t.kind !== 'eof') this.syntaxError(t, 'expected "&&", "||" or the end of the query');
    return expr;
  }

  // ---- spanset level -------------------------------------------------------

  private parseSpansetExpr(): SpansetExpr {
    let left = this.parseSpansetPrimary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'punct') return left;
      if (t.text === '&&' || t.text === '||') {
        this.at++;
        const right = this.parseSpansetPrimary();
        left = { kind: 'spansetOperation', op: t.text === '&&' ? 'and' : 'or', left, right, pos: t.pos };
      } else if (STRUCTURAL_OPS.has(t.text)) {
        this.unsupported(`structural operator "${t.text}"`, t.pos);
      } else {
        return left;
      }
    }
  }

  private parseSpansetPrimary(): SpansetExpr {
    const t = this.peek();
    if (isPunct(t, '{')) {
      this.at++;
      if (isPunct(this.peek(), '}')) {
        this.at++;
        return { kind: 'spansetFilter', expr: { kind: 'bool', value: true, pos: t.pos }, pos: t.pos };
      }
      const expr = this.parseFieldExpr();
      this.expectPunct('}', 'expected "}" to close the spanset filter');
      return { kind: 'spansetFilter', expr, pos: t.pos };
    }
    if (isPunct(t, '(')) {
      this.enter(t);
      this.at++;
      const inner = this.parseSpansetExpr();
      if (isPunct(this.peek(), '|')) this.unsupportedStage(this.at + 1);
      this.expectPunct(')', 'expected ")"');
      this.depth--;
      return inner;
    }
    if (t.kind === 'word' && PIPELINE_FUNCTIONS.has(t.text)) this.unsupportedStage(this.at);
    return this.syntaxError(t, 'expected "{"');
  }

  // ---- field expressions (inside one spanset filter) ------------------------

  private parseFieldExpr(): FieldExpr {
    let left = this.parseComparison();
    for (let t = this.peek(); isPunct(t, '&&') || isPunct(t, '||'); t = this.peek()) {
      this.at++;
      const right = this.parseComparison();
      left = { kind: 'logical', op: t.kind === 'punct' && t.text === '&&' ? 'and' : 'or', left, right, pos: t.pos };
    }
    return left;
  }

  private parseComparison(): FieldExpr {
    let left = this.parseArithmetic();
    for (let t = this.peek(); t.kind === 'punct' && COMPARISON_OPS.has(t.text); t = this.peek()) {
      this.at++;
      const right = this.parseArithmetic();
      left = { kind: 'comparison', op: t.text as ComparisonOp, left, right, pos: t.pos };
    }
    return left;
  }

  private parseArithmetic(): FieldExpr {
    const operand = this.parseUnary();
    const t = this.peek();
    if (t.kind === 'punct' && '+-*/%^'.includes(t.text)) this.unsupported(`arithmetic operator "${t.text}"`, t.pos);
    return operand;
  }

  private parseUnary(): FieldExpr {
    const t = this.peek();
    if (isPunct(t, '!')) {
      this.enter(t);
      this.at++;
      const operand = this.parseUnary();
      this.depth--;
      return { kind: 'not', operand, pos: t.pos };
    }
    if (isPunct(t, '-')) {
      this.at++;
      const operand = this.parsePrimary();
      return negateLiteral(operand, t.pos) ?? this.unsupported('arithmetic operator "-"', t.pos);
    }
    return this.parsePrimary();
  }

  private parsePrimary(): FieldExpr {
    const t = this.peek();
    switch (t.kind) {
      case 'punct':
        if (t.text === '(') {
          this.enter(t);
          this.at++;
          const inner = this.parseFieldExpr();
          this.expectPunct(')', 'expected ")"');
          this.depth--;
          return inner;
        }
        return this.syntaxError(t, 'expected a value, attribute or intrinsic');
      case 'string':
        this.at++;
        return { kind: 'string', value: t.value, pos: t.pos };
      case 'int':
        this.at++;
        return { kind: 'int', value: t.value, pos: t.pos };
      case 'float':
        this.at++;
        return { kind: 'float', value: t.value, pos: t.pos };
      case 'duration':
        this.at++;
        return { kind: 'duration', nanos: t.nanos, pos: t.pos };
      case 'attribute':
        if (t.scope === 'parent' || t.scope === 'event' || t.scope === 'link') {
          this.unsupported(`attribute scope "${t.scope}."`, t.pos);
        }
        this.at++;
        return { kind: 'attribute', scope: t.scope as 'none' | 'span' | 'resource' | 'instrumentation', name: t.name, pos: t.pos };
      case 'scopedIntrinsic': {
        const text = `${t.scope}:${t.name}`;
        if (UNSUPPORTED_INTRINSICS.has(text)) this.unsupported(`intrinsic "${text}"`, t.pos);
        if (!SCOPED_INTRINSICS.has(text)) throw new BadQueryError(`traceql: unknown intrinsic "${text}" at ${formatPosition(t.pos)}`);
        this.at++;
        return { kind: 'intrinsic', name: text as Intrinsic, text, pos: t.pos };
      }
      case 'word':
        return this.parseWord(t);
      case 'eof':
        return this.syntaxError(t, 'expected a value, attribute or intrinsic');
    }
  }

  private parseWord(t: Token & { kind: 'word' }): FieldExpr {
    const word = t.text;
    const pos = t.pos;
    const literal = wordLiteral(word, pos);
    const intrinsic = UNSCOPED_INTRINSICS[word];
    if (UNSUPPORTED_INTRINSICS.has(word)) this.unsupported(`intrinsic "${word}"`, pos);
    if (literal !== undefined) {
      this.at++;
      return literal;
    }
    if (intrinsic === undefined) return this.syntaxError(t, 'expected a value, attribute or intrinsic');
    this.at++;
    const ref: IntrinsicRef = { kind: 'intrinsic', name: intrinsic, text: word, pos };
    return ref;
  }

  // ---- helpers ---------------------------------------------------------------

  private peek(): Token {
    return this.tokens[this.at]!;
  }

  private enter(t: Token): void {
    if (++this.depth > MAX_NESTING) {
      throw new BadQueryError(`traceql: nesting deeper than ${MAX_NESTING} at ${formatPosition(t.pos)}`);
    }
  }

  private expectPunct(text: string, expected: string): void {
    const t = this.peek();
    if (!isPunct(t, text)) this.syntaxError(t, expected);
    this.at++;
  }

  private syntaxError(t: Token, expected: string): never {
    const what = t.kind === 'eof' ? 'end of query' : JSON.stringify(truncate(this.source.slice(t.pos.offset, t.end)));
    throw new BadQueryError(`traceql: unexpected ${what} at ${formatPosition(t.pos)}, ${expected}`);
  }

  private unsupported(construct: string, pos: SourcePosition): never {
    throw new UnsupportedQueryError(`traceql: ${construct} at ${formatPosition(pos)} is not supported yet`);
  }

  /** A pipeline stage (`count() > 2`, `select(...)`, `by(...)`, `{...}`) starting at token `index`. */
  private unsupportedStage(index: number): never {
    const t = this.tokens[index]!;
    if (t.kind === 'eof') this.syntaxError(t, 'expected a pipeline stage after "|"');
    return this.unsupported(`pipeline stage ${this.quoteSpan(index)}`, t.pos);
  }

  /**
   * The source text of the construct starting at token `index`: `word(...)` or
   * `{...}` up to the matching bracket, else the single token.
   */
  private quoteSpan(index: number): string {
    const first = this.tokens[index]!;
    let open = index;
    if (first.kind === 'word' && isPunct(this.tokens[index + 1]!, '(')) open = index + 1;
    const opener = this.tokens[open]!;
    let last = first;
    if (isPunct(opener, '(') || isPunct(opener, '{')) {
      const [o, c] = isPunct(opener, '(') ? ['(', ')'] : ['{', '}'];
      let depth = 0;
      for (let i = open; i < this.tokens.length; i++) {
        const t = this.tokens[i]!;
        if (isPunct(t, o)) depth++;
        else if (isPunct(t, c)) depth--;
        last = t;
        if (depth === 0 || t.kind === 'eof') break;
      }
    }
    return JSON.stringify(truncate(this.source.slice(first.pos.offset, last.end)));
  }
}

function isPunct(t: Token, text: string): boolean {
  return t.kind === 'punct' && t.text === text;
}

function isWord(t: Token, text: string): boolean {
  return t.kind === 'word' && t.text === text;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function wordLiteral(word: string, pos: SourcePosition): Literal | undefined {
  if (word === 'true' || word === 'false') return { kind: 'bool', value: word === 'true', pos };
  if (word === 'nil') return { kind: 'nil', pos };
  if (word === 'minInt') return { kind: 'int', value: INT64_MIN, pos };
  if (word === 'maxInt') return { kind: 'int', value: INT64_MAX, pos };
  if (STATUS_WORDS.has(word)) return { kind: 'status', value: word as StatusValue, pos };
  if (KIND_WORDS.has(word)) return { kind: 'spanKind', value: word as KindValue, pos };
  return undefined;
}

/** `-5`, `-1.5`, `-3s`; undefined for anything else (that would be arithmetic). */
function negateLiteral(e: FieldExpr, pos: SourcePosition): Literal | undefined {
  switch (e.kind) {
    case 'int':
      return { kind: 'int', value: -e.value, pos };
    case 'float':
      return { kind: 'float', value: -e.value, pos };
    case 'duration':
      return { kind: 'duration', nanos: -e.nanos, pos };
    default:
      return undefined;
  }
}
