// The log query language: a LogQL-like filter, kept small.
//
//   {service="cart", stream="app"} |= "timeout" != "debug" | severity >= WARN | http.status >= 500
//   timeout "connection refused"          (bare words and "phrases": all must occur)
//
// Selector matchers and `| field op value` stages are field conditions; `|=`
// and bare words are full-text terms (case-insensitive words; a phrase is
// words in a row), `!=` a term that must not occur; `|~ "re"` a regular
// expression over the text. `severity` compares with the OTLP severity number
// (names TRACE, DEBUG, INFO, WARN, ERROR, FATAL allowed).

import { BadQueryError } from '../../model/errors.js';
import { tokensOf } from '../../parts/log-tokens.js';

export type FieldOp = '=' | '!=' | '=~' | '!~' | '>' | '>=' | '<' | '<=';

export interface FieldCondition {
  field: string;
  op: FieldOp;
  value: string | number;
}

export interface TextTerm {
  /** the words, lower-cased; more than one = a phrase */
  words: string[];
  negate: boolean;
}

export interface LogQuery {
  conditions: FieldCondition[];
  terms: TextTerm[];
  /** regular expressions the text must match (RE2 syntax) */
  regexes: string[];
}

const SEVERITY_NAMES: Record<string, number> = { TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, WARNING: 13, ERROR: 17, FATAL: 21 };

/** A severity given as a number or a name → the lowest severity number of that level. */
export function severityNumber(value: string | number): number {
  if (typeof value === 'number') return value;
  const n = SEVERITY_NAMES[value.toUpperCase()];
  if (n === undefined) {
    if (/^\d+$/.test(value)) return Number(value);
    throw new BadQueryError(`logs: unknown severity "${value}"; use a number 1-24 or TRACE, DEBUG, INFO, WARN, ERROR, FATAL`);
  }
  return n;
}

type Token = { kind: 'word' | 'string' | 'number' | 'op' | 'punct'; text: string; pos: number };

const OPS = ['|=', '!=', '|~', '!~', '=~', '>=', '<=', '=', '>', '<', '|'];

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === '`') {
      let j = i + 1;
      let text = '';
      while (j < src.length && src[j] !== c) {
        if (c === '"' && src[j] === '\\' && j + 1 < src.length) {
          text += src[j + 1];
          j += 2;
        } else text += src[j++];
      }
      if (j >= src.length) throw new BadQueryError(`logs: unterminated string at ${i}`);
      out.push({ kind: 'string', text, pos: i });
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '}' || c === ',') {
      out.push({ kind: 'punct', text: c, pos: i++ });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      out.push({ kind: 'op', text: op, pos: i });
      i += op.length;
      continue;
    }
    const m = /^[^\s{},"`|!=<>~]+/.exec(src.slice(i));
    if (!m) throw new BadQueryError(`logs: unexpected "${c}" at ${i}`);
    out.push({ kind: /^-?\d+(\.\d+)?$/.test(m[0]) ? 'number' : 'word', text: m[0], pos: i });
    i += m[0].length;
  }
  return out;
}

export function parseLogQuery(src: string): LogQuery {
  const q: LogQuery = { conditions: [], terms: [], regexes: [] };
  const t = lex(src);
  let i = 0;
  const expect = (pred: (x: Token) => boolean, what: string): Token => {
    const x = t[i];
    if (!x || !pred(x)) throw new BadQueryError(`logs: expected ${what}${x ? ` at ${x.pos}, got "${x.text}"` : ' at the end'}`);
    i++;
    return x;
  };
  const value = (): string | number => {
    const x = expect((y) => y.kind === 'string' || y.kind === 'number' || y.kind === 'word', 'a value');
    return x.kind === 'number' ? Number(x.text) : x.text;
  };
  const condition = (): void => {
    const field = expect((x) => x.kind === 'word', 'a field name').text;
    const op = expect((x) => x.kind === 'op' && ['=', '!=', '=~', '!~', '>', '>=', '<', '<='].includes(x.text), 'a comparison').text as FieldOp;
    q.conditions.push({ field, op, value: value() });
  };
  const term = (text: string, negate: boolean): void => {
    const words = tokensOf(text);
    if (words.length === 0) throw new BadQueryError(`logs: "${text}" has no words to search for`);
    q.terms.push({ words, negate });
  };
  while (i < t.length) {
    const x = t[i]!;
    if (x.kind === 'punct' && x.text === '{') {
      i++;
      while (t[i] && !(t[i]!.kind === 'punct' && t[i]!.text === '}')) {
        condition();
        if (t[i]?.kind === 'punct' && t[i]!.text === ',') i++;
      }
      expect((y) => y.kind === 'punct' && y.text === '}', '"}"');
    } else if (x.kind === 'op' && (x.text === '|=' || x.text === '!=')) {
      i++;
      term(String(value()), x.text === '!=');
    } else if (x.kind === 'op' && x.text === '|~') {
      i++;
      q.regexes.push(expect((y) => y.kind === 'string', 'a quoted regular expression').text);
    } else if (x.kind === 'op' && x.text === '|') {
      i++;
      condition();
    } else if (x.kind === 'string' || x.kind === 'word' || x.kind === 'number') {
      // A bare `field op value` is a condition; anything else bare is text.
      const next = t[i + 1];
      if (x.kind === 'word' && next?.kind === 'op' && ['=', '>=', '<=', '>', '<', '=~', '!~'].includes(next.text)) condition();
      else {
        i++;
        term(x.text, false);
      }
    } else {
      throw new BadQueryError(`logs: unexpected "${x.text}" at ${x.pos}`);
    }
  }
  return q;
}
