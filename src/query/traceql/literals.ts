// Literal spellings TraceQL inherits from Go and Prometheus: durations like
// `1h30m` / `1.5s` / `100µs` / `2d`, and Go string escapes.

const NANOS_PER_UNIT: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5 micro sign
  ['μs', 1_000n], // U+03BC greek mu, as Go accepts
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
  ['d', 86_400_000_000_000n],
  ['w', 604_800_000_000_000n],
  ['y', 31_536_000_000_000_000n], // 365 days, as Prometheus
]);

const INT64_MAX = (1n << 63n) - 1n;

/** One `<number><unit>` segment; units are tried longest first by the alternation order. */
const SEGMENT = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w|y)/y;

/**
 * Nanoseconds of a duration such as `500ms`, `1.5s` or `1h30m`; fractions are
 * truncated to whole nanoseconds. Undefined when `text` is not a duration or
 * does not fit an int64.
 */
export function parseDurationNanos(text: string): bigint | undefined {
  let total = 0n;
  let at = 0;
  while (at < text.length) {
    SEGMENT.lastIndex = at;
    const m = SEGMENT.exec(text);
    if (!m) return undefined;
    const [, number, unit] = m as unknown as [string, string, string];
    const perUnit = NANOS_PER_UNIT.get(unit)!;
    const dot = number.indexOf('.');
    const whole = dot < 0 ? number : number.slice(0, dot);
    const fraction = dot < 0 ? '' : number.slice(dot + 1);
    total += BigInt(whole === '' ? '0' : whole) * perUnit;
    if (fraction !== '') total += (BigInt(fraction) * perUnit) / 10n ** BigInt(fraction.length);
    at = SEGMENT.lastIndex;
  }
  return at > 0 && total <= INT64_MAX ? total : undefined;
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  '\\': 0x5c,
  "'": 0x27,
  '"': 0x22,
};

/**
 * The value of a Go interpreted string body (between the double quotes).
 * `\x` and octal escapes are bytes, so they are gathered as UTF-8 and decoded
 * at the end, as Go would print them. Returns an error text on a bad escape.
 */
export function unescapeGoString(body: string): { value: string } | { error: string; at: number } {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < body.length; ) {
    const ch = body[i]!;
    if (ch !== '\\') {
      const cp = body.codePointAt(i)!;
      const s = String.fromCodePoint(cp);
      for (const b of encoder.encode(s)) bytes.push(b);
      i += s.length;
      continue;
    }
    const esc = body[i + 1];
    if (esc === undefined) return { error: 'unfinished escape sequence', at: i };
    const simple = SIMPLE_ESCAPES[esc];
    if (simple !== undefined) {
      bytes.push(simple);
      i += 2;
      continue;
    }
    const hexLength = esc === 'x' ? 2 : esc === 'u' ? 4 : esc === 'U' ? 8 : 0;
    if (hexLength > 0) {
      const hex = body.slice(i + 2, i + 2 + hexLength);
      if (hex.length !== hexLength || !/^[0-9a-fA-F]+$/.test(hex)) return { error: `invalid \\${esc} escape`, at: i };
      const n = parseInt(hex, 16);
      if (esc === 'x') bytes.push(n);
      else if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return { error: `invalid code point in \\${esc} escape`, at: i };
      else for (const b of encoder.encode(String.fromCodePoint(n))) bytes.push(b);
      i += 2 + hexLength;
      continue;
    }
    const octal = body.slice(i + 1, i + 4);
    if (/^[0-7]{3}$/.test(octal) && parseInt(octal, 8) <= 0xff) {
      bytes.push(parseInt(octal, 8));
      i += 4;
      continue;
    }
    return { error: `unknown escape sequence \\${esc}`, at: i };
  }
  return { value: new TextDecoder('utf-8').decode(Uint8Array.from(bytes)) };
}
