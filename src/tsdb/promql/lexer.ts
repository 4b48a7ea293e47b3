// PromQL text → tokens, on demand. Like Prometheus's lexer it has three modes:
// statements; inside `{…}` (where every word is a label name and `=`/`!=`/
// `=~`/`!~` are matchers); inside `[…]` (durations and `:`). Keywords are
// case-insensitive; a word containing `:` is a recording-rule style metric
// name. A number directly followed by a unit (`5m`, `1h30m`, `250ms`) is a
// duration. `#` starts a comment that runs to the end of the line. Lexical
// errors are thrown when the bad token is reached, so an earlier syntax error
// is reported first, as in Prometheus.

import { PromqlParseError } from './errors.js';
import { AGGREGATORS } from './functions.js';
import { describeRune, scanString } from './literals.js';

export type TokenKind =
  | 'number'
  | 'duration'
  | 'string'
  | 'identifier'
  | 'metricIdentifier'
  | 'keyword'
  | 'aggregator'
  | 'op'
  | 'punct'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /**
   * keyword/aggregator/op/punct: the lower-cased symbol (`by`, `sum`, `+`,
   * `and`, `(`); string: the decoded value; otherwise the source text.
   */
  readonly value: string;
  /** The source text. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export const KEYWORDS: ReadonlySet<string> = new Set([
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset',
]);
/** Word operators; the symbolic ones are lexed character by character. */
const WORD_OPS: ReadonlySet<string> = new Set(['and', 'or', 'unless', 'atan2']);
/** Words that may start a duration expression inside brackets (Prometheus 3 experimental). */
const DURATION_EXPR_WORDS: ReadonlySet<string> = new Set(['step', 'range', 'min', 'max', 'min_of', 'max_of']);

export class Lexer {
  private pos = 0;
  private parenDepth = 0;
  private braceOpen = false;
  private bracketOpen = false;
  private bracketColon = false;

  constructor(private readonly input: string) {}

  next(): Token {
    if (this.braceOpen) return this.insideBraces();
    if (this.bracketOpen) return this.insideBrackets();
    return this.statement();
  }

  private statement(): Token {
    this.skipSpaceAndComments();
    const start = this.pos;
    if (start >= this.input.length) {
      if (this.parenDepth > 0) this.fail('unclosed left parenthesis', start);
      return this.token('eof', '', start);
    }
    const ch = this.input[start]!;
    switch (ch) {
      case ',':
        return this.symbol('punct', 1);
      case '*':
      case '/':
      case '%':
      case '+':
      case '-':
      case '^':
      case '@':
        return this.symbol('op', 1);
      case '=':
        if (this.at(1) === '=') return this.symbol('op', 2);
        if (this.at(1) === '~') this.fail(`unexpected character after '=': '~'`, start);
        return this.symbol('punct', 1);
      case '!':
        if (this.at(1) !== '=') this.fail(`unexpected character after '!': ${quoteRune(this.input, start + 1)}`, start);
        return this.symbol('op', 2);
      case '<':
      case '>':
        return this.symbol('op', this.at(1) === '=' ? 2 : 1);
      case '"':
      case "'":
      case '`':
        return this.string();
      case '(':
        this.parenDepth++;
        return this.symbol('punct', 1);
      case ')':
        // Prometheus points just past the stray parenthesis.
        if (this.parenDepth === 0) this.fail(`unexpected right parenthesis ')'`, start + 1);
        this.parenDepth--;
        return this.symbol('punct', 1);
      case '{':
        this.braceOpen = true;
        return this.symbol('punct', 1);
      case '[':
        this.bracketOpen = true;
        this.bracketColon = false;
        return this.symbol('punct', 1);
      case '}':
      case ']':
        this.fail(ch === '}' ? `unexpected character: '}'` : `unexpected right bracket ']'`, start);
    }
    if (isDigit(ch) || (ch === '.' && isDigit(this.at(1)))) return this.numberOrDuration();
    if (isAlpha(ch) || ch === ':') return this.word();
    return this.fail(`unexpected character: ${quoteRune(this.input, start)}`, start);
  }

  private insideBraces(): Token {
    this.skipSpaceAndComments();
    const start = this.pos;
    if (start >= this.input.length) this.fail('unexpected end of input inside braces', start);
    const ch = this.input[start]!;
    if (isAlpha(ch)) {
      let end = start + 1;
      while (end < this.input.length && isAlphaNumeric(this.input[end]!)) end++;
      this.pos = end;
      return this.token('identifier', this.input.slice(start, end), start);
    }
    switch (ch) {
      case ',':
        return this.symbol('punct', 1);
      case '"':
      case "'":
      case '`':
        return this.string();
      case '=':
        return this.at(1) === '~' ? this.symbol('op', 2) : this.symbol('punct', 1);
      case '!':
        if (this.at(1) === '~' || this.at(1) === '=') return this.symbol('op', 2);
        return this.fail(`unexpected character after '!' inside braces: ${quoteRune(this.input, start + 1)}`, start);
      case '{':
        return this.fail(`unexpected left brace '{'`, start);
      case '}':
        this.braceOpen = false;
        return this.symbol('punct', 1);
    }
    return this.fail(`unexpected character inside braces: ${quoteRune(this.input, start)}`, start);
  }

  private insideBrackets(): Token {
    this.skipSpaceAndComments();
    const start = this.pos;
    if (start >= this.input.length) this.fail('unclosed left bracket', start);
    const ch = this.input[start]!;
    switch (ch) {
      case ']':
        this.bracketOpen = false;
        return this.symbol('punct', 1);
      case ':':
        if (this.bracketColon) this.fail(`unexpected colon ':'`, start);
        this.bracketColon = true;
        return this.symbol('punct', 1);
      case '[':
        return this.fail(`unexpected left bracket '['`, start);
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
      case '^':
        return this.symbol('op', 1);
      case '(':
        this.parenDepth++;
        return this.symbol('punct', 1);
      case ')':
        if (this.parenDepth === 0) this.fail(`unexpected right parenthesis ')'`, start + 1);
        this.parenDepth--;
        return this.symbol('punct', 1);
      case ',':
        return this.symbol('punct', 1);
    }
    if (isDigit(ch) || (ch === '.' && isDigit(this.at(1)))) return this.numberOrDuration();
    if (isAlpha(ch)) {
      let end = start + 1;
      while (end < this.input.length && isAlphaNumeric(this.input[end]!)) end++;
      const word = this.input.slice(start, end);
      if (DURATION_EXPR_WORDS.has(word.toLowerCase())) {
        this.pos = end;
        return this.token('identifier', word, start);
      }
    }
    return this.fail(`unexpected character in duration expression: ${quoteRune(this.input, start)}`, start);
  }

  private word(): Token {
    const start = this.pos;
    let end = start + 1;
    while (end < this.input.length && (isAlphaNumeric(this.input[end]!) || this.input[end] === ':')) end++;
    this.pos = end;
    const text = this.input.slice(start, end);
    const lower = text.toLowerCase();
    if (KEYWORDS.has(lower)) return { kind: 'keyword', value: lower, text, start, end };
    if (AGGREGATORS.has(lower)) return { kind: 'aggregator', value: lower, text, start, end };
    if (WORD_OPS.has(lower)) return { kind: 'op', value: lower, text, start, end };
    if (lower === 'inf' || lower === 'nan') return this.token('number', text, start);
    return this.token(text.includes(':') ? 'metricIdentifier' : 'identifier', text, start);
  }

  private string(): Token {
    const start = this.pos;
    const scanned = scanString(this.input, start);
    if (!scanned.ok) return this.fail(scanned.error, start);
    this.pos = scanned.end;
    return { kind: 'string', value: scanned.value, text: this.input.slice(start, scanned.end), start, end: scanned.end };
  }

  /**
   * Prometheus's rule: read the longest number-like prefix (decimal, hex, `.`,
   * exponent, `_` between digits); if a letter follows, reread it as a
   * duration (`5m`, `1h30m`, `10ms`) and fail if that does not fit either.
   */
  private numberOrDuration(): Token {
    const start = this.pos;
    if (this.scanNumber()) return this.token('number', this.input.slice(start, this.pos), start);
    if (this.scanDurationRest()) return this.token('duration', this.input.slice(start, this.pos), start);
    return this.fail(`bad number or duration syntax: ${JSON.stringify(this.input.slice(start, this.pos))}`, start);
  }

  private scanNumber(): boolean {
    const start = this.pos;
    let digits = DECIMAL;
    if (this.accept('0') && this.accept('xX')) {
      this.accept('_');
      digits = HEX;
    }
    this.accept('.');
    this.accept(digits);
    let sawDot = false;
    let sawExponent = false;
    while (this.peekIn(digits + '._eE')) {
      if (this.peekIn('.') && sawDot) {
        this.pos++;
        return false;
      }
      if (this.peekIn('eE') && sawExponent) {
        this.pos++;
        return false;
      }
      if (this.accept('.')) {
        sawDot = true;
        if (this.accept('_.') || digits === HEX) return false;
        continue;
      }
      if (this.accept('eE')) {
        sawExponent = true;
        this.accept('+-');
        if (this.accept('._eE') || this.pos >= this.input.length) return false;
        continue;
      }
      if (this.accept('_')) {
        if (this.accept('._eE') || this.pos >= this.input.length) return false;
        continue;
      }
      this.acceptRun(digits);
    }
    if (this.pos === start) return false;
    return !isAlphaNumeric(this.at(0));
  }

  /** Continues after the digits of a duration: `m`, `ms`, `h30m`, … */
  private scanDurationRest(): boolean {
    if (!this.accept('smhdwy')) return false;
    this.accept('s');
    while (this.accept(DECIMAL)) {
      this.acceptRun(DECIMAL);
      if (!this.accept('smhdw')) return false;
      this.accept('s');
    }
    if (isAlphaNumeric(this.at(0))) {
      this.pos++;
      return false;
    }
    return true;
  }

  private skipSpaceAndComments(): void {
    for (;;) {
      const ch = this.input[this.pos];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') this.pos++;
      else if (ch === '#') {
        while (this.pos < this.input.length && this.input[this.pos] !== '\n' && this.input[this.pos] !== '\r') this.pos++;
      } else return;
    }
  }

  private at(ahead: number): string {
    return this.input[this.pos + ahead] ?? '';
  }

  private peekIn(chars: string): boolean {
    const ch = this.at(0);
    return ch !== '' && chars.includes(ch);
  }

  private accept(chars: string): boolean {
    if (!this.peekIn(chars)) return false;
    this.pos++;
    return true;
  }

  private acceptRun(chars: string): void {
    while (this.accept(chars)) {
      // consume
    }
  }

  private symbol(kind: TokenKind, length: number): Token {
    const start = this.pos;
    this.pos += length;
    const text = this.input.slice(start, this.pos);
    return { kind, value: text, text, start, end: this.pos };
  }

  private token(kind: TokenKind, text: string, start: number): Token {
    return { kind, value: text, text, start, end: start + text.length };
  }

  private fail(detail: string, offset: number): never {
    throw new PromqlParseError(detail, this.input, offset);
  }
}

const DECIMAL = '0123456789';
const HEX = '0123456789abcdefABCDEF';

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9' && ch.length === 1;
}

function isAlpha(ch: string): boolean {
  return ch === '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

function isAlphaNumeric(ch: string): boolean {
  return isAlpha(ch) || isDigit(ch);
}

/** Go's `%q` of a rune, e.g. `'.'`; the end of input reads as `end of input`. */
function quoteRune(input: string, offset: number): string {
  const cp = input.codePointAt(offset);
  if (cp === undefined) return 'end of input';
  const ch = String.fromCodePoint(cp);
  if (ch === "'") return `'\\''`;
  if (ch === '\\') return `'\\\\'`;
  if (cp < 0x20 || cp === 0x7f) return describeRune(cp);
  return `'${ch}'`;
}

/** How Prometheus names a token in "unexpected …" messages. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'end of input';
    case 'identifier':
      return `identifier ${JSON.stringify(token.text)}`;
    case 'metricIdentifier':
      return `metric identifier ${JSON.stringify(token.text)}`;
    case 'keyword':
      return `<${token.value}>`;
    case 'aggregator':
      return `<aggr:${token.value}>`;
    case 'op':
      return `<op:${token.value}>`;
    case 'punct':
      return JSON.stringify(token.value);
    case 'number':
      return `number ${JSON.stringify(token.text)}`;
    case 'duration':
      return `duration ${JSON.stringify(token.text)}`;
    case 'string':
      // Like Go's `%.10q...`: long literals are cut to their first 10 characters.
      return token.text.length > 10 ? `string ${JSON.stringify(token.text.slice(0, 10))}...` : `string ${JSON.stringify(token.text)}`;
  }
}
