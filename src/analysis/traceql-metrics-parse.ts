// TraceQL metrics queries: `<spanset filter> | <function>(<args>) [by (<attrs>)] [with (<hints>)]`.
// The spanset part is left to the TraceQL compiler (src/query/traceql); only
// the pipeline stage after the first top-level `|` is parsed here, with the
// same lexer, so quoting and attribute names mean the same in both parts.

import { BadQueryError, UnsupportedQueryError } from '../model/errors.js';
import { formatPosition, tokenize, type Token } from '../query/traceql/lexer.js';

export type MetricsFunction =
  | 'rate'
  | 'count_over_time'
  | 'quantile_over_time'
  | 'avg_over_time'
  | 'max_over_time'
  | 'min_over_time'
  | 'sum_over_time';

export interface MetricsQuery {
  /** the spanset part, as written */
  filter: string;
  fn: MetricsFunction;
  /** the value the function aggregates, as written (`duration`, `span.http.response.size`); absent for rate/count */
  attribute?: string;
  /** quantile_over_time only, each in [0, 1] */
  quantiles: number[];
  /** grouping attributes/intrinsics as written */
  by: string[];
}

const NO_ARGUMENT: ReadonlySet<string> = new Set(['rate', 'count_over_time']);
const ONE_ATTRIBUTE: ReadonlySet<string> = new Set(['avg_over_time', 'max_over_time', 'min_over_time', 'sum_over_time']);
const NOT_YET: ReadonlySet<string> = new Set(['histogram_over_time', 'compare', 'topk', 'bottomk']);

/** Index of the first `|` outside braces and parentheses, or −1. */
function pipeIndex(tokens: readonly Token[]): number {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'punct') continue;
    if (t.text === '{' || t.text === '(') depth++;
    else if (t.text === '}' || t.text === ')') depth--;
    else if (t.text === '|' && depth === 0) return i;
  }
  return -1;
}

class Stage {
  private at: number;
  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
    start: number,
  ) {
    this.at = start;
  }

  peek(): Token {
    return this.tokens[this.at]!;
  }

  next(): Token {
    return this.tokens[this.at++]!;
  }

  isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }

  expectPunct(text: string, what: string): void {
    if (!this.isPunct(text)) this.fail(`expected "${text}" ${what}`);
    this.at++;
  }

  fail(message: string, t = this.peek()): never {
    const found = t.kind === 'eof' ? 'end of query' : `"${this.text(t)}"`;
    throw new BadQueryError(`traceql metrics: ${message} at ${formatPosition(t.pos)}, found ${found}`);
  }

  text(t: Token): string {
    return this.source.slice(t.pos.offset, t.end);
  }

  /** An attribute (`span.x`, `.x`) or intrinsic (`duration`, `name`, `span:status`), as written. */
  field(what: string): string {
    const t = this.next();
    if (t.kind === 'attribute' || t.kind === 'scopedIntrinsic' || t.kind === 'word') return this.text(t);
    return this.fail(`expected ${what}`, t);
  }

  number(): number {
    const t = this.next();
    const sign = t.kind === 'punct' && t.text === '-' ? -1 : 1;
    const v = sign === -1 ? this.next() : t;
    if (v.kind === 'float') return sign * v.value;
    if (v.kind === 'int') return sign * Number(v.value);
    return this.fail('expected a quantile such as .99', v);
  }

  /** Skips a balanced `( … )`. */
  skipParens(): void {
    this.expectPunct('(', 'after "with"');
    let depth = 1;
    while (depth > 0) {
      const t = this.next();
      if (t.kind === 'eof') this.fail('unclosed "("', t);
      if (t.kind === 'punct' && t.text === '(') depth++;
      if (t.kind === 'punct' && t.text === ')') depth--;
    }
  }
}

/** Splits and parses a metrics query; throws BadQueryError / UnsupportedQueryError. */
export function parseMetricsQuery(query: string): MetricsQuery {
  const tokens = tokenize(query);
  const pipe = pipeIndex(tokens);
  if (pipe < 0) throw new BadQueryError('traceql metrics: expected a metrics function after "|", such as { } | rate()');
  const filter = query.slice(0, tokens[pipe]!.pos.offset).trim();
  if (filter === '') throw new BadQueryError('traceql metrics: expected a spanset filter such as { } before "|"');
  const s = new Stage(query, tokens, pipe + 1);
  const fnToken = s.next();
  if (fnToken.kind !== 'word') return s.fail('expected a metrics function such as rate()', fnToken);
  const fn = fnToken.text;
  if (NOT_YET.has(fn)) throw new UnsupportedQueryError(`traceql metrics: ${fn}() is not supported yet`);
  if (!NO_ARGUMENT.has(fn) && !ONE_ATTRIBUTE.has(fn) && fn !== 'quantile_over_time') {
    s.fail('expected one of rate, count_over_time, quantile_over_time, avg_over_time, max_over_time, min_over_time, sum_over_time', fnToken);
  }
  const q: MetricsQuery = { filter, fn: fn as MetricsFunction, quantiles: [], by: [] };
  s.expectPunct('(', `after ${fn}`);
  if (!NO_ARGUMENT.has(fn)) {
    q.attribute = s.field('the attribute to aggregate, such as duration');
    if (fn === 'quantile_over_time') {
      if (!s.isPunct(',')) s.fail('expected at least one quantile after the attribute');
      while (s.isPunct(',')) {
        s.next();
        const p = s.number();
        if (!(p >= 0 && p <= 1)) throw new BadQueryError(`traceql metrics: quantile ${p} must be between 0 and 1`);
        q.quantiles.push(p);
      }
    }
  }
  s.expectPunct(')', `to close ${fn}(`);
  for (;;) {
    const t = s.peek();
    if (t.kind === 'word' && t.text === 'by' && q.by.length === 0) {
      s.next();
      s.expectPunct('(', 'after "by"');
      do {
        if (s.isPunct(',')) s.next();
        q.by.push(s.field('an attribute to group by'));
      } while (s.isPunct(','));
      s.expectPunct(')', 'to close "by ("');
    } else if (t.kind === 'word' && t.text === 'with') {
      s.next();
      s.skipParens(); // query hints (exemplars, sampling) change nothing here
    } else break;
  }
  const end = s.peek();
  if (end.kind === 'punct' && end.text === '|') {
    const stage = tokens[tokens.indexOf(end) + 1];
    const name = stage && stage.kind === 'word' ? stage.text : 'another stage';
    throw new UnsupportedQueryError(`traceql metrics: a second stage (${name}) is not supported yet`);
  }
  if (end.kind !== 'eof') s.fail('expected "by (…)" or the end of the query');
  return q;
}
