// Quoting of long integer literals, so that JSON.parse keeps them exact.
// JSON.parse turns every number into a double, so an int64 sent as a bare
// number beyond 2^53 (9223372036854775807) would come back rounded. Integer
// literals of 16 or more digits (the shortest that can exceed 2^53) are
// wrapped in quotes, which makes them decimal strings: every int64/fixed64
// reader accepts those, and the double reader parses numeric strings too.
// OTLP senders write int64 as strings, so the decoder only does this after it
// met an unsafe integer number.

const MIN_QUOTED_DIGITS = 16;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

// Characters that can continue a number token: digits . e E + -
function isNumberPart(c: number): boolean {
  return isDigit(c) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS;
}

/**
 * Wraps every integer literal (no fraction, no exponent) of MIN_QUOTED_DIGITS
 * or more digits outside strings in quotes. Malformed input is left for
 * JSON.parse to reject.
 */
export function quoteLongIntegers(text: string): string {
  return rewriteLongIntegers(text, false);
}

/**
 * For JSON of arbitrary shape, where a quoted integer must stay apart from a
 * string: like quoteLongIntegers, but each long integer becomes a string that
 * starts with U+0000 (`"\u0000123…"`), and a string value that itself starts
 * with U+0000 gets a second one. JSON can only write U+0000 escaped, so
 * strings are told apart by their text alone; reviveMarkedIntegers undoes
 * both after JSON.parse. Object keys are left as they are.
 */
export function markLongIntegers(text: string): string {
  return rewriteLongIntegers(text, true);
}

const MARK = '\\u0000';

/** JSON.parse reviver for markLongIntegers' text: marked integers as bigints, doubled U+0000 undone. */
export function reviveMarkedIntegers(_key: string, value: unknown): unknown {
  if (typeof value !== 'string' || value.charCodeAt(0) !== 0) return value;
  return value.charCodeAt(1) === 0 ? value.slice(1) : BigInt(value.slice(1));
}

function rewriteLongIntegers(text: string, mark: boolean): string {
  let out = '';
  let copiedUpTo = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const open = i;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === BACKSLASH) i += 2;
        else if (d === QUOTE) break;
        else i++;
      }
      i++;
      if (mark && text.startsWith(MARK, open + 1) && !isKey(text, i)) {
        out += `${text.slice(copiedUpTo, open + 1)}${MARK}`;
        copiedUpTo = open + 1;
      }
      continue;
    }
    if (c !== MINUS && !isDigit(c)) {
      i++;
      continue;
    }
    const start = i;
    let plainDigits = true;
    const firstDigit = c === MINUS ? start + 1 : start;
    for (i = start + 1; i < n && isNumberPart(text.charCodeAt(i)); i++) {
      if (!isDigit(text.charCodeAt(i))) plainDigits = false;
    }
    const digits = i - firstDigit;
    // a leading zero is not valid JSON; leave it for JSON.parse to refuse
    if (plainDigits && digits >= MIN_QUOTED_DIGITS && text.charCodeAt(firstDigit) !== ZERO) {
      out += `${text.slice(copiedUpTo, start)}"${mark ? MARK : ''}${text.slice(start, i)}"`;
      copiedUpTo = i;
    }
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

/** Whether the string literal ending before `i` is an object key (a ':' follows). */
function isKey(text: string, i: number): boolean {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return c === 0x3a;
    i++;
  }
  return false;
}
