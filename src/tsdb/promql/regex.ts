// Label-matcher regexes are Go RE2 syntax, fully anchored, with `.` matching
// newlines (Prometheus compiles `^(?s:<re>)$`). JavaScript's RegExp differs in
// places users hit: RE2 allows `\` before any punctuation, `(?i)` flag groups,
// `(?P<name>…)`, `[[:alpha:]]`, `\Q…\E`, `\x{263a}`, `\pL`, `\z`, and a `{`
// that does not start a repetition is a literal. This translates RE2 text to a
// JS 'u'-mode pattern, and rejects what JS cannot express.

export class RegexSyntaxError extends Error {}
/** RE2 syntax that is valid but has no JavaScript translation here. */
export class RegexUnsupportedError extends Error {}

/** `^(?:pattern)$` with RE2 semantics as far as JavaScript allows. */
export function compileAnchoredRegex(pattern: string): RegExp {
  const { flags, body } = leadingFlags(pattern);
  const source = translate(body);
  // Under `(?m)` the user's ^ and $ match at line breaks, but the anchoring
  // around the whole pattern must still be the start and end of the value.
  const [open, close] = flags.includes('m') ? ['(?<![\\s\\S])', '(?![\\s\\S])'] : ['^', '$'];
  try {
    return new RegExp(`${open}(?:${source})${close}`, `su${flags}`);
  } catch (err) {
    throw new RegexSyntaxError(`error parsing regexp: ${(err as Error).message}`);
  }
}

/** Leading `(?i)`, `(?is)`, `(?-s)`… groups become RegExp flags. */
function leadingFlags(pattern: string): { flags: string; body: string } {
  let flags = '';
  let body = pattern;
  for (;;) {
    const m = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?\)/.exec(body);
    if (m === null) break;
    for (const f of m[1] ?? '') {
      if (f === 'i' || f === 'm') flags += flags.includes(f) ? '' : f;
      else if (f !== 's') throw new RegexUnsupportedError(`regexp flag ${JSON.stringify(f)}`);
    }
    if ((m[2] ?? '') !== '') throw new RegexUnsupportedError('clearing regexp flags');
    body = body.slice(m[0].length);
  }
  return { flags, body };
}

/** Characters that must stay escaped in a 'u'-mode pattern. */
const SYNTAX = new Set('^$\\.*+?()[]{}|/');
/** RE2 `\s` is ASCII whitespace only. */
const SPACE_CLASS = '\\t\\n\\f\\r ';

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`\\{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const GENERAL_CATEGORIES = new Set([
  'L', 'Lu', 'Ll', 'Lt', 'Lm', 'Lo', 'M', 'Mn', 'Mc', 'Me', 'N', 'Nd', 'Nl', 'No', 'P', 'Pc', 'Pd', 'Ps', 'Pe',
  'Pi', 'Pf', 'Po', 'S', 'Sm', 'Sc', 'Sk', 'So', 'Z', 'Zs', 'Zl', 'Zp', 'C', 'Cc', 'Cf', 'Cs', 'Co', 'Cn', 'Any',
]);

function translate(re: string): string {
  let out = '';
  let i = 0;
  while (i < re.length) {
    const ch = re[i]!;
    if (ch === '\\') {
      const [text, next] = translateEscape(re, i, false);
      out += text;
      i = next;
    } else if (ch === '[') {
      const [text, next] = translateClass(re, i);
      out += text;
      i = next;
    } else if (ch === '(') {
      const [text, next] = translateGroupOpen(re, i);
      out += text;
      i = next;
    } else if (ch === '{') {
      const rep = /^\{(\d+)(,(\d*))?\}/.exec(re.slice(i));
      if (rep === null) {
        out += '\\{';
        i++;
      } else {
        out += rep[0];
        i += rep[0].length;
      }
    } else if (ch === '}' || ch === ']') {
      out += `\\${ch}`;
      i++;
    } else {
      const cp = re.codePointAt(i)!;
      const s = String.fromCodePoint(cp);
      out += s === '/' ? '\\/' : s;
      i += s.length;
    }
  }
  return out;
}

function translateGroupOpen(re: string, i: number): [string, number] {
  if (re[i + 1] !== '?') return ['(', i + 1];
  if (re.startsWith('(?:', i)) return ['(?:', i + 3];
  const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(re.slice(i));
  if (named !== null) return [`(?<${named[1]}>`, i + named[0].length];
  if (/^\(\?[a-zA-Z-]+[:)]/.test(re.slice(i))) throw new RegexUnsupportedError('regexp flags other than at the start');
  throw new RegexSyntaxError(`error parsing regexp: invalid or unsupported Perl syntax: \`${re.slice(i, i + 3)}\``);
}

/** Translates the escape at `re[i] === '\\'`; returns the JS text and the index after it. */
function translateEscape(re: string, i: number, inClass: boolean): [string, number] {
  const c = re[i + 1];
  if (c === undefined) throw new RegexSyntaxError('error parsing regexp: trailing backslash at end of expression: ``');
  switch (c) {
    case 'd':
    case 'D':
    case 'w':
    case 'W':
    case 'f':
    case 't':
    case 'n':
    case 'r':
    case 'v':
      return [`\\${c}`, i + 2];
    case 'b':
    case 'B':
      if (inClass) throw new RegexSyntaxError(`error parsing regexp: invalid escape sequence: \`\\${c}\``);
      return [`\\${c}`, i + 2];
    case 's':
      return [inClass ? SPACE_CLASS : `[${SPACE_CLASS}]`, i + 2];
    case 'S':
      return [inClass ? '\\S' : `[^${SPACE_CLASS}]`, i + 2];
    case 'a':
      return ['\\x07', i + 2];
    case 'A':
      return ['(?<![\\s\\S])', i + 2];
    case 'z':
      return ['(?![\\s\\S])', i + 2];
    case 'x': {
      const braced = /^\\x\{([0-9a-fA-F]{1,8})\}/.exec(re.slice(i));
      if (braced !== null) return [`\\u{${braced[1]}}`, i + braced[0].length];
      const short = /^\\x[0-9a-fA-F]{2}/.exec(re.slice(i));
      if (short !== null) return [short[0], i + 4];
      throw new RegexSyntaxError(`error parsing regexp: invalid escape sequence: \`${re.slice(i, i + 4)}\``);
    }
    case 'p':
    case 'P':
      return translateUnicodeClass(re, i);
    case 'Q': {
      const end = re.indexOf('\\E', i + 2);
      const literal = re.slice(i + 2, end === -1 ? re.length : end);
      return [escapeLiteral(literal, inClass), end === -1 ? re.length : end + 2];
    }
  }
  if (c >= '0' && c <= '7') {
    const octal = /^\\([0-7]{1,3})/.exec(re.slice(i))![1]!;
    if (octal.length === 1 && c !== '0') throw new RegexSyntaxError(`error parsing regexp: invalid escape sequence: \`\\${c}\``);
    return [`\\u{${parseInt(octal, 8).toString(16)}}`, i + 1 + octal.length];
  }
  const code = c.charCodeAt(0);
  const isWordChar = /[0-9A-Za-z_]/.test(c);
  if (code < 0x80 && !isWordChar) return [escapeLiteral(c, inClass), i + 2];
  throw new RegexSyntaxError(`error parsing regexp: invalid escape sequence: \`\\${c}\``);
}

function translateUnicodeClass(re: string, i: number): [string, number] {
  const negated = re[i + 1] === 'P';
  const m = /^\\[pP](?:\{(\^?)([A-Za-z_]+)\}|([A-Za-z]))/.exec(re.slice(i));
  if (m === null) throw new RegexSyntaxError(`error parsing regexp: invalid character class range: \`${re.slice(i, i + 3)}\``);
  const name = m[2] ?? m[3]!;
  const negate = negated !== (m[1] === '^');
  const property = GENERAL_CATEGORIES.has(name) ? (name === 'Any' ? 'Any' : name) : `Script=${name}`;
  return [`\\${negate ? 'P' : 'p'}{${property}}`, i + m[0].length];
}

/** A bracket expression starting at `re[i] === '['`. */
function translateClass(re: string, i: number): [string, number] {
  let out = '[';
  let j = i + 1;
  if (re[j] === '^') {
    out += '^';
    j++;
  }
  // In RE2 a `]` right after `[` or `[^` is a literal.
  if (re[j] === ']') {
    out += '\\]';
    j++;
  }
  while (j < re.length && re[j] !== ']') {
    const ch = re[j]!;
    if (ch === '[' && re[j + 1] === ':') {
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(re.slice(j));
      const ranges = posix === null ? undefined : POSIX_CLASSES[posix[2]!];
      if (posix === null || ranges === undefined) throw new RegexSyntaxError('error parsing regexp: invalid character class range');
      if (posix[1] === '^') throw new RegexUnsupportedError('negated POSIX classes');
      out += ranges;
      j += posix[0].length;
    } else if (ch === '\\') {
      const [text, next] = translateEscape(re, j, true);
      out += text;
      j = next;
    } else if (ch === '[') {
      out += '\\[';
      j++;
    } else {
      const s = String.fromCodePoint(re.codePointAt(j)!);
      out += s;
      j += s.length;
    }
  }
  if (j >= re.length) throw new RegexSyntaxError(`error parsing regexp: missing closing ]: \`${re.slice(i)}\``);
  return [`${out}]`, j + 1];
}

function escapeLiteral(text: string, inClass: boolean): string {
  let out = '';
  for (const ch of text) {
    if (SYNTAX.has(ch) || (inClass && ch === '-')) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}
