// TraceQL source → tokens. Follows Tempo's lexer where it matters for what
// users type: an attribute name runs until whitespace or one of `{}()=~!<>&|^,`
// (so `span.http.status_code>=500` and `.foo-bar` lex as expected), quoted parts
// `span."a b"` join the name, a number directly followed by unit letters is a
// duration, and `span:name`-style scoped intrinsics are single tokens.

import { BadQueryError } from '../../model/errors.js';
import type { SourcePosition } from './ast.js';
import { parseDurationNanos, unescapeGoString } from './literals.js';

/** Scopes that may prefix `.<attribute>`; only some are supported by the compiler. */
export type LexedAttributeScope = 'none' | 'span' | 'resource' | 'instrumentation' | 'parent' | 'event' | 'link';

interface TokenBase {
  pos: SourcePosition;
  /** offset just past the token */
  end: number;
}

export type Token = TokenBase &
  (
    | { kind: 'punct'; text: string }
    | { kind: 'word'; text: string }
    | { kind: 'string'; value: string }
    | { kind: 'int'; value: bigint }
    | { kind: 'float'; value: number }
    | { kind: 'duration'; nanos: bigint }
    | { kind: 'attribute'; scope: LexedAttributeScope; name: string }
    | { kind: 'scopedIntrinsic'; scope: string; name: string }
    | { kind: 'eof' }
  );

/** Longest first, so `&&` wins over `&` and `!>>` over `!>`. */
const PUNCTUATION = [
  '&>>', '&<<', '!>>', '!<<',
  '||', '&&', '!=', '=~', '!~', '>=', '<=', '>>', '<<', '!>', '!<', '&>', '&<', '&~',
  '{', '}', '(', ')', ',', '|', '=', '!', '>', '<', '~', '+', '-', '*', '/', '%', '^',
];

const ATTRIBUTE_SCOPES: ReadonlySet<string> = new Set(['span', 'resource', 'instrumentation', 'parent', 'event', 'link']);
const INTRINSIC_SCOPES: ReadonlySet<string> = new Set(['span', 'trace', 'resource', 'instrumentation', 'event', 'link']);

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const NUMBER_TAIL = /[0-9A-Za-z_.µμ]+/y;
const INT64_MAX = (1n << 63n) - 1n;

/** Characters that end an unquoted attribute name (besides whitespace). */
const ATTRIBUTE_TERMINATORS = '{}()=~!<>&|^,';

function isAttributeChar(ch: string): boolean {
  return !/\s/.test(ch) && !ATTRIBUTE_TERMINATORS.includes(ch) && ch !== '"';
}

/** Maps offsets to 1-based line:column. */
export class SourceMap {
  private readonly lineStarts: number[] = [0];

  constructor(readonly source: string) {
    for (let i = 0; i < source.length; i++) if (source[i] === '\n') this.lineStarts.push(i + 1);
  }

  at(offset: number): SourcePosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { offset, line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }
}

export function formatPosition(pos: SourcePosition): string {
  return `${pos.line}:${pos.column}`;
}

export function tokenize(source: string): Token[] {
  const map = new SourceMap(source);
  const tokens: Token[] = [];
  const fail: Fail = (message, offset) => {
    throw new BadQueryError(`traceql: ${message} at ${formatPosition(map.at(offset))}`);
  };

  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    const pos = map.at(start);

    if (ch === '"' || ch === '`') {
      const { value, end } = ch === '"' ? readQuotedString(source, start, fail) : readRawString(source, start, fail);
      tokens.push({ kind: 'string', value, pos, end });
      i = end;
      continue;
    }
    if (ch === "'") fail('strings are written in double quotes or backticks', start);

    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const token = readNumber(source, start, fail);
      tokens.push({ ...token, pos });
      i = token.end;
      continue;
    }

    if (ch === '.') {
      const { name, end } = readAttributeName(source, start + 1, '.', fail);
      tokens.push({ kind: 'attribute', scope: 'none', name, pos, end });
      i = end;
      continue;
    }

    WORD.lastIndex = start;
    const word = WORD.exec(source)?.[0];
    if (word !== undefined) {
      const after = start + word.length;
      const next = source[after];
      if (next === '.' && ATTRIBUTE_SCOPES.has(word)) {
        const { name, end } = readAttributeName(source, after + 1, `${word}.`, fail);
        tokens.push({ kind: 'attribute', scope: word as LexedAttributeScope, name, pos, end });
        i = end;
      } else if (next === ':' && INTRINSIC_SCOPES.has(word)) {
        WORD.lastIndex = after + 1;
        const name = WORD.exec(source)?.[0];
        if (name === undefined) return fail(`expected an intrinsic name after "${word}:"`, after + 1);
        const end = after + 1 + name.length;
        tokens.push({ kind: 'scopedIntrinsic', scope: word, name, pos, end });
        i = end;
      } else {
        tokens.push({ kind: 'word', text: word, pos, end: after });
        i = after;
      }
      continue;
    }

    const punct = PUNCTUATION.find((p) => source.startsWith(p, start));
    if (punct === undefined) return fail(`unexpected character ${JSON.stringify(ch)}`, start);
    tokens.push({ kind: 'punct', text: punct, pos, end: start + punct.length });
    i = start + punct.length;
  }
  tokens.push({ kind: 'eof', pos: map.at(source.length), end: source.length });
  return tokens;
}

type Fail = (message: string, offset: number) => never;

function readQuotedString(source: string, start: number, fail: Fail): { value: string; end: number } {
  let i = start + 1;
  while (i < source.length && source[i] !== '"') {
    if (source[i] === '\n') fail('newline in string', i);
    i += source[i] === '\\' ? 2 : 1;
  }
  if (i >= source.length) fail('unterminated string', start);
  const result = unescapeGoString(source.slice(start + 1, i));
  if ('error' in result) return fail(result.error, start + 1 + result.at);
  return { value: result.value, end: i + 1 };
}

function readRawString(source: string, start: number, fail: Fail): { value: string; end: number } {
  const close = source.indexOf('`', start + 1);
  if (close < 0) fail('unterminated raw string', start);
  return { value: source.slice(start + 1, close).replaceAll('\r', ''), end: close + 1 };
}

type NumberToken =
  | { kind: 'int'; value: bigint; end: number }
  | { kind: 'float'; value: number; end: number }
  | { kind: 'duration'; nanos: bigint; end: number };

function readNumber(source: string, start: number, fail: Fail): NumberToken {
  NUMBER.lastIndex = start;
  const number = NUMBER.exec(source)![0];
  const end = start + number.length;
  NUMBER_TAIL.lastIndex = end;
  const tail = NUMBER_TAIL.exec(source)?.[0];
  if (tail !== undefined) {
    // `500ms`, `1h30m`, `1.5s`: the whole run must be a duration
    const text = number + tail;
    const nanos = parseDurationNanos(text);
    if (nanos === undefined) return fail(`invalid number or duration "${text}"`, start);
    return { kind: 'duration', nanos, end: end + tail.length };
  }
  if (/^\d+$/.test(number)) {
    const value = BigInt(number);
    if (value > INT64_MAX) fail(`integer ${number} does not fit in 64 bits`, start);
    return { kind: 'int', value, end };
  }
  const value = Number(number);
  if (!Number.isFinite(value)) fail(`number ${number} is out of range`, start);
  return { kind: 'float', value, end };
}

/** Reads `name` or `a."b c".d` starting at `from` (just after the scope's dot). */
function readAttributeName(source: string, from: number, prefix: string, fail: Fail): { name: string; end: number } {
  let name = '';
  let i = from;
  for (;;) {
    const ch = source[i];
    if (ch === '"') {
      i++;
      for (;;) {
        const c = source[i];
        if (c === undefined) fail('unterminated quoted attribute name', from);
        if (c === '"') break;
        if (c === '\\') {
          const escaped = source[i + 1];
          if (escaped !== '"' && escaped !== '\\') fail('only \\" and \\\\ escapes are allowed in attribute names', i);
          name += escaped;
          i += 2;
        } else {
          name += c;
          i++;
        }
      }
      i++; // closing quote
    } else if (ch !== undefined && isAttributeChar(ch)) {
      name += ch;
      i++;
    } else {
      break;
    }
  }
  if (name === '' && source[from] !== '"') fail(`expected an attribute name after "${prefix}"`, from);
  return { name, end: i };
}
