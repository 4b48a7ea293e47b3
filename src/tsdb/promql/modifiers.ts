// What may follow any operand: a range `[5m]`, a subquery `[1h:1m]`,
// `offset <duration>` and `@ <time>`. Ranges apply only to selectors; offset
// and `@` only to selectors, ranges and subqueries, at most once each, in
// either order. A range cannot follow offset or `@` (`foo offset 1m [5m]`),
// but a subquery can. Numbers stand for seconds (`[300]`, `offset 3600`).

import type { AtModifier, Expr } from './ast.js';
import { type Token } from './lexer.js';
import { isPunct, type TokenStream } from './token-stream.js';

/** Prometheus bounds `@` (in seconds) by the int64 range. */
const MAX_AT_SECONDS = 2 ** 63;

/** `[` is next. */
export function parseRangeOrSubquery(ts: TokenStream, expr: Expr): Expr {
  const open = ts.next();
  const range = bracketDuration(ts, 'subquery or range selector');
  const sep = ts.next();
  if (isPunct(sep, ']')) {
    if (expr.kind !== 'vectorSelector') ts.fail('ranges only allowed for vector selectors', open.start);
    if (expr.offsetMs !== 0) ts.fail('no offset modifiers allowed before range', open.start);
    if (expr.at !== null) ts.fail('no @ modifiers allowed before range', open.start);
    if (range.ms <= 0) ts.fail('duration must be greater than 0', range.start);
    return { kind: 'matrixSelector', type: 'matrix', selector: expr, rangeMs: range.ms, pos: { start: expr.pos.start, end: sep.end } };
  }
  if (!isPunct(sep, ':')) ts.unexpected(sep, 'subquery or range', '":" or "]"');
  let stepMs = 0;
  if (!isPunct(ts.peek(), ']')) {
    const step = bracketDuration(ts, 'subquery selector');
    if (step.ms < 0) ts.fail('subquery step must not be negative', step.start);
    stepMs = step.ms;
  }
  const close = ts.next();
  if (!isPunct(close, ']')) ts.unexpected(close, 'subquery selector', '"]"');
  if (range.ms <= 0) ts.fail('duration must be greater than 0', range.start);
  return {
    kind: 'subquery',
    type: 'matrix',
    expr,
    rangeMs: range.ms,
    stepMs,
    offsetMs: 0,
    at: null,
    pos: { start: expr.pos.start, end: close.end },
  };
}

/** A duration or number of seconds inside `[…]`, optionally negated (then rejected by the caller). */
function bracketDuration(ts: TokenStream, context: string): { ms: number; start: number } {
  const first = ts.next();
  let t = first;
  let sign = 1;
  if (t.kind === 'op' && (t.value === '-' || t.value === '+')) {
    sign = t.value === '-' ? -1 : 1;
    t = ts.next();
  }
  let ms: number;
  if (t.kind === 'number') ms = ts.secondsToMs(sign * ts.number(t), t);
  else if (t.kind === 'duration') ms = sign * ts.durationMs(t) + 0;
  else if (t !== first || isPunct(t, '(') || t.kind === 'identifier') throw durationArithmetic(ts, first);
  else return ts.unexpected(t, context, 'number or duration');
  if (ts.peek().kind === 'op') throw durationArithmetic(ts, first);
  return { ms, start: first.start };
}

/** `offset` is next. */
export function parseOffset(ts: TokenStream, expr: Expr): Expr {
  ts.next();
  let t = ts.next();
  let sign = 1;
  if (t.kind === 'op' && t.value === '-') {
    sign = -1;
    t = ts.next();
  }
  let ms: number;
  if (t.kind === 'number') ms = ts.secondsToMs(sign * ts.number(t), t);
  else if (t.kind === 'duration') ms = sign * ts.durationMs(t) + 0;
  else if (isPunct(t, '(')) throw durationArithmetic(ts, t);
  else return ts.unexpected(t, 'offset', 'number or duration');
  const pos = { start: expr.pos.start, end: t.end };
  const twice = 'offset may not be set multiple times';
  switch (expr.kind) {
    case 'vectorSelector':
      if (expr.offsetMs !== 0) ts.fail(twice, expr.pos.start);
      return { ...expr, offsetMs: ms, pos };
    case 'matrixSelector':
      if (expr.selector.offsetMs !== 0) ts.fail(twice, expr.pos.start);
      return { ...expr, selector: { ...expr.selector, offsetMs: ms }, pos };
    case 'subquery':
      if (expr.offsetMs !== 0) ts.fail(twice, expr.pos.start);
      return { ...expr, offsetMs: ms, pos };
    default:
      return ts.fail('offset modifier must be preceded by an instant vector selector or range vector selector or a subquery', expr.pos.start);
  }
}

/** `@` is next. */
export function parseAt(ts: TokenStream, expr: Expr): Expr {
  ts.next();
  const { at, end } = parseAtValue(ts, expr);
  const pos = { start: expr.pos.start, end };
  const twice = '@ <timestamp> may not be set multiple times';
  switch (expr.kind) {
    case 'vectorSelector':
      if (expr.at !== null) ts.fail(twice, expr.pos.start);
      return { ...expr, at, pos };
    case 'matrixSelector':
      if (expr.selector.at !== null) ts.fail(twice, expr.pos.start);
      return { ...expr, selector: { ...expr.selector, at }, pos };
    case 'subquery':
      if (expr.at !== null) ts.fail(twice, expr.pos.start);
      return { ...expr, at, pos };
    default:
      return ts.fail('@ modifier must be preceded by an instant vector selector or range vector selector or a subquery', expr.pos.start);
  }
}

/** `start()`, `end()`, or a signed number (or duration) of seconds since the epoch. */
function parseAtValue(ts: TokenStream, expr: Expr): { at: AtModifier; end: number } {
  const t = ts.next();
  const word = t.kind === 'identifier' ? t.value.toLowerCase() : '';
  if (word === 'start' || word === 'end') {
    const open = ts.next();
    if (!isPunct(open, '(')) ts.unexpected(open, '@', '"("');
    const close = ts.next();
    if (!isPunct(close, ')')) ts.unexpected(close, '@', '")"');
    return { at: { kind: word }, end: close.end };
  }
  let sign = 1;
  let v: Token = t;
  if (v.kind === 'op' && (v.value === '-' || v.value === '+')) {
    sign = v.value === '-' ? -1 : 1;
    v = ts.next();
  }
  let seconds: number;
  if (v.kind === 'number') seconds = sign * ts.number(v);
  else if (v.kind === 'duration') seconds = (sign * ts.durationMs(v)) / 1000;
  else return ts.unexpected(v, '@', 'timestamp');
  if (!(Math.abs(seconds) < MAX_AT_SECONDS)) ts.fail(`timestamp out of bounds for @ modifier: ${goFloat(seconds)}`, expr.pos.start);
  return { at: { kind: 'timestamp', ms: roundHalfAwayFromZero(seconds * 1000) }, end: v.end };
}

function durationArithmetic(ts: TokenStream, at: Token): Error {
  return ts.unsupported('duration arithmetic (an experimental Prometheus feature)', at.start);
}

/** Go's math.Round: halves away from zero (JS Math.round rounds them up). */
function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x)) + 0;
}

/** Go's `%f`. */
function goFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  return x.toFixed(6);
}
