// PromQL text → typed AST, by recursive descent with precedence climbing.
// Precedence follows Prometheus's grammar, lowest first: `or`; `and` `unless`;
// comparisons; `+ -`; `* / % atan2`; `^` (right-associative). Unary `-`/`+`
// binds like `*`, so `-a ^ b` is `-(a ^ b)` and `-2` folds into the literal.
// Range `[…]`, subquery `[…:…]`, `offset` and `@` bind tightest, to the
// expression just before them. Words are only keywords where Prometheus
// treats them so: `sum`, `by`, `offset`, `and` … are metric names in operand
// position unless an aggregation follows (`sum(`, `sum by`).
//
// Errors are PromqlParseError (a BadQueryError) carrying Prometheus's message
// and position; valid PromQL marquetry cannot evaluate (native-histogram
// functions, duration arithmetic, …) is UnsupportedQueryError, reported only
// once the whole query is known to be valid.

import type { UnsupportedQueryError } from '../../model/errors.js';
import {
  BINARY_PRECEDENCE,
  isSetOp,
  METRIC_NAME_LABEL,
  type AggregateExpr,
  type BinaryExpr,
  type BinaryOp,
  type Call,
  type Expr,
  type LabelMatcher,
  type MatchCardinality,
  type MatchOp,
  type ParenExpr,
  type VectorSelector,
} from './ast.js';
import { PromqlParseError } from './errors.js';
import { AGGREGATORS, lookupFunction } from './functions.js';
import type { Token } from './lexer.js';
import { newLabelMatcher } from './matchers.js';
import { parseAt, parseOffset, parseRangeOrSubquery } from './modifiers.js';
import { RegexSyntaxError, RegexUnsupportedError } from './regex.js';
import { isKeyword, isPunct, span, TokenStream } from './token-stream.js';
import { typecheck, type BinaryInfo } from './typecheck.js';

export interface ParseOptions {
  /**
   * Accept what Prometheus 3 accepts only with
   * `--enable-feature=promql-experimental-functions` (mad_over_time,
   * sort_by_label, limitk, …). Default true.
   */
  readonly experimentalFunctions?: boolean;
}

/** Parses and type-checks a PromQL expression. */
export function parsePromql(query: string, options: ParseOptions = {}): Expr {
  const parser = new Parser(query, options.experimentalFunctions ?? true);
  let expr: Expr;
  try {
    expr = parser.parseQuery();
    typecheck(expr, query, parser.binaryInfo);
  } catch (err) {
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      throw new PromqlParseError('expression is too deeply nested', query, 0);
    }
    throw err;
  }
  if (parser.firstUnsupported !== null) throw parser.firstUnsupported;
  return expr;
}

/** Deep enough for any real query, shallow enough to stay clear of the JS stack limit. */
const MAX_NESTING = 1000;

/** A unary operator's operand may only continue with `^`. */
const UNARY_OPERAND_PRECEDENCE = BINARY_PRECEDENCE['^'];

/** Keywords that are metric names when they start an operand. */
const KEYWORD_METRIC_NAMES: ReadonlySet<string> = new Set(['by', 'without', 'offset']);

interface BinaryModifiers {
  readonly returnBool: boolean;
  readonly on: boolean;
  readonly labels: readonly string[];
  readonly include: readonly string[];
  readonly card: MatchCardinality;
}

class Parser extends TokenStream {
  readonly binaryInfo = new WeakMap<BinaryExpr, BinaryInfo>();
  firstUnsupported: UnsupportedQueryError | null = null;
  private depth = 0;

  constructor(
    query: string,
    private readonly experimental: boolean,
  ) {
    super(query);
  }

  parseQuery(): Expr {
    if (this.peek().kind === 'eof') this.fail('no expression found in input', 0);
    const expr = this.parseExpr(0);
    const rest = this.peek();
    if (rest.kind !== 'eof') this.unexpected(rest);
    return expr;
  }

  // ---- expressions ----

  private parseExpr(minPrecedence: number): Expr {
    if (++this.depth > MAX_NESTING) this.fail('expression is too deeply nested', this.peek().start);
    try {
      let lhs = this.parseUnary();
      for (;;) {
        const opToken = this.peek();
        const op = binaryOp(opToken);
        if (op === null || BINARY_PRECEDENCE[op] < minPrecedence) return lhs;
        this.next();
        const modifiers = this.parseBinaryModifiers();
        const rhs = this.parseExpr(op === '^' ? BINARY_PRECEDENCE[op] : BINARY_PRECEDENCE[op] + 1);
        lhs = this.binary(op, opToken, modifiers, lhs, rhs);
      }
    } finally {
      this.depth--;
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.kind !== 'op' || (t.value !== '-' && t.value !== '+')) return this.parsePostfix(this.parsePrimary());
    this.next();
    const operand = this.parseExpr(UNARY_OPERAND_PRECEDENCE);
    const pos = { start: t.start, end: operand.pos.end };
    if (operand.kind === 'number') return { ...operand, value: t.value === '-' ? -operand.value : operand.value, pos };
    return { kind: 'unary', type: operand.type, op: t.value, expr: operand, pos };
  }

  private parsePostfix(expr: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (isPunct(t, '[')) expr = parseRangeOrSubquery(this, expr);
      else if (isKeyword(t, 'offset')) expr = parseOffset(this, expr);
      else if (t.kind === 'op' && t.value === '@') expr = parseAt(this, expr);
      else return expr;
    }
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.next();
        return { kind: 'number', type: 'scalar', value: this.number(t), pos: span(t) };
      case 'duration':
        // Prometheus 3: a duration where a number is expected means seconds.
        this.next();
        return { kind: 'number', type: 'scalar', value: this.durationMs(t) / 1000, pos: span(t) };
      case 'string':
        this.next();
        return { kind: 'string', type: 'string', value: t.value, pos: span(t) };
      case 'punct':
        if (t.value === '(') return this.parseParen();
        if (t.value === '{') return this.parseSelector(null);
        break;
      case 'identifier':
        return isPunct(this.peek(1), '(') ? this.parseCall() : this.parseSelector(this.next());
      case 'metricIdentifier':
        return this.parseSelector(this.next());
      case 'aggregator': {
        const after = this.peek(1);
        return isPunct(after, '(') || isGroupingKeyword(after) ? this.parseAggregate() : this.parseSelector(this.next());
      }
      case 'keyword':
        if (KEYWORD_METRIC_NAMES.has(t.value)) return this.parseSelector(this.next());
        break;
      case 'op':
        if (t.value === 'and' || t.value === 'or' || t.value === 'unless') return this.parseSelector(this.next());
        break;
      default:
        break;
    }
    return this.unexpected(t);
  }

  private parseParen(): ParenExpr {
    const open = this.next();
    const expr = this.parseExpr(0);
    const close = this.next();
    if (!isPunct(close, ')')) this.unexpected(close, undefined, '")"');
    return { kind: 'paren', type: expr.type, expr, pos: { start: open.start, end: close.end } };
  }

  private binary(op: BinaryOp, opToken: Token, mods: BinaryModifiers, lhs: Expr, rhs: Expr): BinaryExpr {
    const card: MatchCardinality = isSetOp(op) && mods.card === 'one-to-one' ? 'many-to-many' : mods.card;
    const bothVectors = lhs.type === 'vector' && rhs.type === 'vector';
    const node: BinaryExpr = {
      kind: 'binary',
      type: lhs.type === 'scalar' && rhs.type === 'scalar' ? 'scalar' : 'vector',
      op,
      lhs,
      rhs,
      returnBool: mods.returnBool,
      matching: bothVectors ? { card, on: mods.on, labels: mods.labels, include: mods.include } : null,
      pos: { start: lhs.pos.start, end: rhs.pos.end },
    };
    this.binaryInfo.set(node, { opStart: opToken.start, card, on: mods.on, labels: mods.labels, include: mods.include });
    return node;
  }

  /** `bool`, then `on(…)`/`ignoring(…)`, then `group_left(…)`/`group_right(…)`, each optional, in that order. */
  private parseBinaryModifiers(): BinaryModifiers {
    let returnBool = false;
    let on = false;
    let labels: readonly string[] = [];
    let include: readonly string[] = [];
    let card: MatchCardinality = 'one-to-one';
    if (isKeyword(this.peek(), 'bool')) {
      this.next();
      returnBool = true;
    }
    const clause = this.peek();
    if (isKeyword(clause, 'on') || isKeyword(clause, 'ignoring')) {
      this.next();
      on = clause.value === 'on';
      labels = this.parseGroupingLabels().labels;
      const group = this.peek();
      if (isKeyword(group, 'group_left') || isKeyword(group, 'group_right')) {
        this.next();
        card = group.value === 'group_left' ? 'many-to-one' : 'one-to-many';
        if (isPunct(this.peek(), '(')) include = this.parseGroupingLabels().labels;
      }
    }
    return { returnBool, on, labels, include, card };
  }

  // ---- selectors ----

  private parseSelector(nameToken: Token | null): VectorSelector {
    const start = nameToken?.start ?? this.peek().start;
    let end = nameToken?.end ?? start;
    const matchers: LabelMatcher[] = [];
    if (isPunct(this.peek(), '{')) end = this.parseMatchers(matchers);
    const name = nameToken?.text ?? null;
    if (name !== null) matchers.push(newLabelMatcher(METRIC_NAME_LABEL, '=', name));
    return { kind: 'vectorSelector', type: 'vector', name, matchers, offsetMs: 0, at: null, pos: { start, end } };
  }

  /** `{ matcher, … }` with an optional trailing comma; returns the offset past `}`. */
  private parseMatchers(into: LabelMatcher[]): number {
    this.next();
    for (;;) {
      const t = this.peek();
      if (isPunct(t, '}')) return this.next().end;
      into.push(this.parseMatcher());
      const sep = this.next();
      if (isPunct(sep, '}')) return sep.end;
      if (!isPunct(sep, ',')) this.unexpected(sep, 'label matching', '"," or "}"');
    }
  }

  /** `name op "value"`, `"quoted name" op "value"`, or a lone `"metric.name"` (Prometheus 3). */
  private parseMatcher(): LabelMatcher {
    const nameToken = this.next();
    if (nameToken.kind !== 'identifier' && nameToken.kind !== 'string') {
      this.unexpected(nameToken, 'label matching', 'identifier or "}"');
    }
    const name = nameToken.value;
    const op = matchOp(this.peek());
    if (op === null) {
      if (nameToken.kind === 'string') return this.matcher(nameToken, METRIC_NAME_LABEL, '=', name);
      this.unexpected(this.peek(), 'label matching', 'label matching operator');
    }
    this.next();
    const valueToken = this.next();
    if (valueToken.kind !== 'string') this.unexpected(valueToken, 'label matching', 'string');
    return this.matcher(nameToken, name, op, valueToken.value);
  }

  private matcher(at: Token, name: string, op: MatchOp, value: string): LabelMatcher {
    try {
      return newLabelMatcher(name, op, value);
    } catch (err) {
      if (err instanceof RegexSyntaxError) this.fail(err.message, at.start);
      if (err instanceof RegexUnsupportedError) {
        throw this.unsupported(`the regular expression ${JSON.stringify(value)} (${err.message})`, at.start);
      }
      throw err;
    }
  }

  // ---- calls and aggregations ----

  private parseCall(): Call {
    const nameToken = this.next();
    const { args, end } = this.parseArgs();
    const name = nameToken.text;
    const func = lookupFunction(name);
    if (func === undefined) return this.fail(`unknown function with name ${JSON.stringify(name)}`, nameToken.start);
    if (func.experimental && !this.experimental) this.fail(`function ${JSON.stringify(name)} is not enabled`, nameToken.start);
    if (func.unsupported !== null) this.noteUnsupported(`the function ${JSON.stringify(name)} (${func.unsupported})`, nameToken.start);
    return { kind: 'call', type: func.returnType, func, args, pos: { start: nameToken.start, end } };
  }

  /** `( expr, … )`, no trailing comma; the `(` is next. */
  private parseArgs(): { args: Expr[]; end: number } {
    this.next();
    const args: Expr[] = [];
    if (isPunct(this.peek(), ')')) return { args, end: this.next().end };
    for (;;) {
      args.push(this.parseExpr(0));
      const sep = this.next();
      if (isPunct(sep, ')')) return { args, end: sep.end };
      if (!isPunct(sep, ',')) this.unexpected(sep, undefined, '"," or ")"');
      if (isPunct(this.peek(), ')')) this.fail('trailing commas not allowed in function call args', sep.start);
    }
  }

  private parseAggregate(): AggregateExpr {
    const opToken = this.next();
    const def = AGGREGATORS.get(opToken.value)!;
    let grouping: { labels: readonly string[]; without: boolean; end: number } | null = null;
    if (isGroupingKeyword(this.peek())) grouping = this.parseAggregateGrouping();
    if (!isPunct(this.peek(), '(')) this.unexpected(this.peek(), 'aggregation');
    const { args, end: argsEnd } = this.parseArgs();
    if (grouping === null && isGroupingKeyword(this.peek())) grouping = this.parseAggregateGrouping();
    const end = Math.max(argsEnd, grouping?.end ?? 0);
    if (args.length === 0) this.fail('no arguments for aggregate expression provided', opToken.start);
    if (def.experimental && !this.experimental) {
      this.fail(`${def.op}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`, opToken.start);
    }
    const wanted = def.paramType === null ? 1 : 2;
    if (args.length !== wanted) {
      this.fail(`wrong number of arguments for aggregate expression provided, expected ${wanted}, got ${args.length}`, opToken.start);
    }
    return {
      kind: 'aggregate',
      type: 'vector',
      op: def.op,
      expr: args[wanted - 1]!,
      param: wanted === 2 ? args[0]! : null,
      grouping: grouping?.labels ?? [],
      without: grouping?.without ?? false,
      pos: { start: opToken.start, end },
    };
  }

  private parseAggregateGrouping(): { labels: readonly string[]; without: boolean; end: number } {
    const keyword = this.next();
    const { labels, end } = this.parseGroupingLabels();
    return { labels, without: keyword.value === 'without', end };
  }

  /** `(label, …)` with an optional trailing comma; keywords and quoted names are labels here. */
  private parseGroupingLabels(): { labels: string[]; end: number } {
    const open = this.next();
    if (!isPunct(open, '(')) this.unexpected(open, 'grouping opts', '"("');
    const labels: string[] = [];
    if (isPunct(this.peek(), ')')) return { labels, end: this.next().end };
    for (;;) {
      labels.push(this.groupingLabel(this.next()));
      const sep = this.next();
      if (isPunct(sep, ')')) return { labels, end: sep.end };
      if (!isPunct(sep, ',')) this.unexpected(sep, 'grouping opts', '"," or ")"');
      if (isPunct(this.peek(), ')')) return { labels, end: this.next().end };
    }
  }

  private groupingLabel(t: Token): string {
    switch (t.kind) {
      case 'identifier':
      case 'metricIdentifier':
      case 'keyword':
      case 'aggregator':
        return t.text;
      case 'op':
        if (/^[a-z]/.test(t.value)) return t.text;
        break;
      case 'string':
        if (t.value === '') this.fail('invalid label name for grouping: ""', t.start);
        return t.value;
      default:
        break;
    }
    return this.unexpected(t, 'grouping opts', 'label');
  }

  private noteUnsupported(construct: string, offset: number): void {
    this.firstUnsupported ??= this.unsupported(construct, offset);
  }
}

const BINARY_OPS: ReadonlySet<string> = new Set(Object.keys(BINARY_PRECEDENCE));

function binaryOp(t: Token): BinaryOp | null {
  return t.kind === 'op' && BINARY_OPS.has(t.value) ? (t.value as BinaryOp) : null;
}

function matchOp(t: Token): MatchOp | null {
  if (isPunct(t, '=')) return '=';
  if (t.kind === 'op' && (t.value === '!=' || t.value === '=~' || t.value === '!~')) return t.value;
  return null;
}

function isGroupingKeyword(t: Token): boolean {
  return isKeyword(t, 'by') || isKeyword(t, 'without');
}
