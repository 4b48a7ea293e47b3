// The parser's view of the lexer: lookahead, Prometheus-style "unexpected …"
// errors, and reading number and duration tokens.

import type { UnsupportedQueryError } from '../../model/errors.js';
import type { PositionRange } from './ast.js';
import { MAX_DURATION_MS, parseDuration } from './duration.js';
import { PromqlParseError, unsupported } from './errors.js';
import { describeToken, Lexer, type Token } from './lexer.js';
import { parseNumber } from './literals.js';

/** Largest |seconds| a Go time.Duration holds. */
const MAX_DURATION_SECONDS = MAX_DURATION_MS / 1000;

export class TokenStream {
  private readonly lexer: Lexer;
  private readonly lookahead: Token[] = [];

  constructor(readonly query: string) {
    this.lexer = new Lexer(query);
  }

  peek(ahead = 0): Token {
    while (this.lookahead.length <= ahead) this.lookahead.push(this.lexer.next());
    return this.lookahead[ahead]!;
  }

  next(): Token {
    const t = this.peek();
    this.lookahead.shift();
    return t;
  }

  /** `unexpected <token>[ in <context>][, expected <expected>]`, as Prometheus words it. */
  unexpected(t: Token, context?: string, expected?: string): never {
    let detail = `unexpected ${describeToken(t)}`;
    if (context !== undefined) detail += ` in ${context}`;
    if (expected !== undefined) detail += `, expected ${expected}`;
    return this.fail(detail, t.start);
  }

  fail(detail: string, offset: number): never {
    throw new PromqlParseError(detail, this.query, offset);
  }

  unsupported(construct: string, offset: number): UnsupportedQueryError {
    return unsupported(construct, this.query, offset);
  }

  number(t: Token): number {
    const parsed = parseNumber(t.text);
    if (!parsed.ok) this.fail(parsed.error, t.start);
    return parsed.value;
  }

  durationMs(t: Token): number {
    const parsed = parseDuration(t.text);
    if (!parsed.ok) this.fail(parsed.error, t.start);
    return parsed.ms;
  }

  /** A number of seconds used as a duration, truncated to whole ms like Prometheus. */
  secondsToMs(seconds: number, t: Token): number {
    if (!(Math.abs(seconds) <= MAX_DURATION_SECONDS)) this.fail('duration out of range', t.start);
    return Math.trunc(seconds * 1000) + 0;
  }
}

export function isPunct(t: Token, value: string): boolean {
  return t.kind === 'punct' && t.value === value;
}

export function isKeyword(t: Token, value: string): boolean {
  return t.kind === 'keyword' && t.value === value;
}

export function span(t: Token): PositionRange {
  return { start: t.start, end: t.end };
}
