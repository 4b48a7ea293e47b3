// Number and string literals with Prometheus's (that is, Go's) rules.
// Numbers: an integer literal is read as Go's ParseInt(s, 0, 64) would (so
// `0x1f` is hex and `0755` is octal), anything else or an integer that does
// not fit int64 as a float; `_` may separate digits; a float that overflows is
// an error. Strings: '…' and "…" take Go escapes (\n, \x41, \101, \u00e9,
// \U0001F600, the quote itself); `…` is raw.

export type LiteralParse<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const INT64_MAX = 2n ** 63n - 1n;

export function parseNumber(text: string): LiteralParse<number> {
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf') return { ok: true, value: Infinity };
  if (lower === 'nan') return { ok: true, value: NaN };
  const digits = text.replace(/_/g, '');
  if (/^0[xX]/.test(digits)) {
    const hex = digits.slice(2);
    if (/^[0-9a-fA-F]+$/.test(hex)) {
      const value = BigInt(`0x${hex}`);
      if (value <= INT64_MAX) return { ok: true, value: Number(value) };
    }
    return { ok: false, error: `error parsing number: strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax` };
  }
  if (/^0[0-7]+$/.test(digits)) {
    const value = BigInt(`0o${digits.slice(1)}`);
    if (value <= INT64_MAX) return { ok: true, value: Number(value) };
  } else if (/^[0-9]+$/.test(digits)) {
    const value = BigInt(digits);
    if (value <= INT64_MAX) return { ok: true, value: Number(value) };
  }
  const value = Number(digits);
  if (Number.isNaN(value)) {
    return { ok: false, error: `error parsing number: strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax` };
  }
  if (!Number.isFinite(value)) {
    return { ok: false, error: `error parsing number: strconv.ParseFloat: parsing ${JSON.stringify(text)}: value out of range` };
  }
  return { ok: true, value };
}

export type StringScan =
  | { readonly ok: true; readonly value: string; readonly end: number }
  | { readonly ok: false; readonly error: string };

/**
 * Reads the string literal that opens at `input[start]` (a quote or backtick)
 * and returns its value and the offset just past the closing quote.
 */
export function scanString(input: string, start: number): StringScan {
  const quote = input[start];
  if (quote === '`') return scanRawString(input, start);
  let value = '';
  let bytes: number[] = [];
  const flushBytes = (): void => {
    if (bytes.length > 0) value += UTF8.decode(Uint8Array.from(bytes));
    bytes = [];
  };
  let i = start + 1;
  for (;;) {
    if (i >= input.length) return { ok: false, error: 'unterminated quoted string' };
    const code = input.charCodeAt(i);
    if (code === 10) return { ok: false, error: 'unterminated quoted string' };
    if (isLoneSurrogate(input, i)) return { ok: false, error: 'invalid UTF-8 rune' };
    const ch = input[i]!;
    if (ch === quote) {
      flushBytes();
      return { ok: true, value, end: i + 1 };
    }
    if (ch !== '\\') {
      flushBytes();
      value += ch;
      i++;
      continue;
    }
    const escape = readEscape(input, i + 1, quote!);
    if (!escape.ok) return escape;
    if (escape.byte !== undefined) bytes.push(escape.byte);
    else {
      flushBytes();
      value += escape.text;
    }
    i = escape.end;
  }
}

const UTF8 = new TextDecoder('utf-8');

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

type EscapeRead =
  | { readonly ok: true; readonly text: string; readonly byte?: number; readonly end: number }
  | { readonly ok: false; readonly error: string };

/** Reads the escape whose backslash is just before `at`. \x and octal escapes yield raw bytes. */
function readEscape(input: string, at: number, quote: string): EscapeRead {
  if (at >= input.length) return { ok: false, error: 'escape sequence not terminated' };
  const ch = input[at]!;
  const simple = SIMPLE_ESCAPES[ch];
  if (simple !== undefined) return { ok: true, text: simple, end: at + 1 };
  if (ch === quote) return { ok: true, text: quote, end: at + 1 };
  let digits: number;
  let base: number;
  let max: number;
  let first = at;
  if (ch >= '0' && ch <= '7') [digits, base, max] = [3, 8, 255];
  else if (ch === 'x') [digits, base, max, first] = [2, 16, 255, at + 1];
  else if (ch === 'u') [digits, base, max, first] = [4, 16, 0x10ffff, at + 1];
  else if (ch === 'U') [digits, base, max, first] = [8, 16, 0x10ffff, at + 1];
  else return { ok: false, error: `unknown escape sequence ${describeRune(input.codePointAt(at)!)}` };
  let code = 0;
  for (let k = 0; k < digits; k++) {
    const pos = first + k;
    if (pos >= input.length) return { ok: false, error: 'escape sequence not terminated' };
    const d = digitValue(input.charCodeAt(pos));
    if (d >= base) return { ok: false, error: `illegal character ${describeRune(input.codePointAt(pos)!)} in escape sequence` };
    code = code * base + d;
  }
  if (code > max || (code >= 0xd800 && code < 0xe000)) {
    return { ok: false, error: 'escape sequence is an invalid Unicode code point' };
  }
  const end = first + digits;
  if (max === 255) return { ok: true, text: '', byte: code, end };
  return { ok: true, text: String.fromCodePoint(code), end };
}

function scanRawString(input: string, start: number): StringScan {
  for (let i = start + 1; i < input.length; i++) {
    if (isLoneSurrogate(input, i)) return { ok: false, error: 'invalid UTF-8 rune' };
    if (input[i] === '`') return { ok: true, value: input.slice(start + 1, i), end: i + 1 };
  }
  return { ok: false, error: 'unterminated raw string' };
}

function digitValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return 16;
}

/** A JS string cannot hold invalid UTF-8, but it can hold an unpaired surrogate. */
function isLoneSurrogate(input: string, i: number): boolean {
  const code = input.charCodeAt(i);
  if (code >= 0xd800 && code <= 0xdbff) {
    const next = input.charCodeAt(i + 1);
    return !(next >= 0xdc00 && next <= 0xdfff);
  }
  if (code >= 0xdc00 && code <= 0xdfff) {
    const prev = input.charCodeAt(i - 1);
    return !(prev >= 0xd800 && prev <= 0xdbff);
  }
  return false;
}

/** Go's `%#U`: `U+0063 'c'`. */
export function describeRune(codePoint: number): string {
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  const printable = codePoint >= 0x20 && codePoint !== 0x7f && !(codePoint >= 0x80 && codePoint < 0xa0);
  return printable ? `${hex} '${String.fromCodePoint(codePoint)}'` : hex;
}

/** A Go-style double-quoted literal that scanString reads back to `value`. */
export function quoteString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      default:
        if (code < 0x20 || code === 0x7f || (code >= 0xd800 && code <= 0xdfff)) {
          out += `\\u${code.toString(16).padStart(4, '0')}`;
        } else out += ch;
    }
  }
  return `${out}"`;
}
