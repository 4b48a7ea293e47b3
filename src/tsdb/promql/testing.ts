// Test helpers: the AST as a compact S-expression, so a test reads like the
// tree it expects, and the AST without positions, for round-trip equality.

import type { AtModifier, Expr, LabelMatcher } from './ast.js';

/**
 * `(+ foo (* 2 bar{a="b"}))`. Selectors print their matchers (the one for a
 * name written before the braces left out), then `<offset=ms,at=ms|start|end>`;
 * `(range sel ms)`, `(subquery expr range step)`, `(sum by (a) param expr)`,
 * `(== bool on(a) group_left(b) lhs rhs)`, `(-u x)`, `(paren x)`, `(rate args…)`.
 */
export function showExpr(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return Object.is(e.value, -0) ? '-0' : String(e.value).replace('Infinity', 'Inf');
    case 'string':
      return JSON.stringify(e.value);
    case 'vectorSelector': {
      const matchers = e.name === null ? e.matchers : e.matchers.slice(0, -1);
      const braces = matchers.length > 0 || e.name === null ? `{${matchers.map(showMatcher).join(',')}}` : '';
      return `${e.name ?? ''}${braces}${showModifiers(e.offsetMs, e.at)}`;
    }
    case 'matrixSelector':
      return `(range ${showExpr(e.selector)} ${e.rangeMs})`;
    case 'subquery':
      return `(subquery ${showExpr(e.expr)} ${e.rangeMs} ${e.stepMs})${showModifiers(e.offsetMs, e.at)}`;
    case 'call':
      return `(${[e.func.name, ...e.args.map(showExpr)].join(' ')})`;
    case 'aggregate': {
      const parts: string[] = [e.op];
      if (e.without || e.grouping.length > 0) parts.push(`${e.without ? 'without' : 'by'} (${e.grouping.join(',')})`);
      if (e.param !== null) parts.push(showExpr(e.param));
      parts.push(showExpr(e.expr));
      return `(${parts.join(' ')})`;
    }
    case 'binary': {
      const parts: string[] = [e.op];
      if (e.returnBool) parts.push('bool');
      const m = e.matching;
      if (m !== null) {
        const grouped = m.card === 'many-to-one' || m.card === 'one-to-many';
        if (m.on) parts.push(`on(${m.labels.join(',')})`);
        else if (m.labels.length > 0 || grouped) parts.push(`ignoring(${m.labels.join(',')})`);
        if (grouped) parts.push(`${m.card === 'many-to-one' ? 'group_left' : 'group_right'}(${m.include.join(',')})`);
      }
      parts.push(showExpr(e.lhs), showExpr(e.rhs));
      return `(${parts.join(' ')})`;
    }
    case 'unary':
      return `(${e.op}u ${showExpr(e.expr)})`;
    case 'paren':
      return `(paren ${showExpr(e.expr)})`;
  }
}

function showMatcher(m: LabelMatcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

function showModifiers(offsetMs: number, at: AtModifier | null): string {
  const parts: string[] = [];
  if (offsetMs !== 0) parts.push(`offset=${offsetMs}`);
  if (at !== null) parts.push(`at=${at.kind === 'timestamp' ? at.ms : at.kind}`);
  return parts.length === 0 ? '' : `<${parts.join(',')}>`;
}

/** A deep copy without `pos`, with regexes as their source, for structural comparison. */
export function withoutPositions(value: unknown): unknown {
  if (value instanceof RegExp) return `/${value.source}/${value.flags}`;
  if (Array.isArray(value)) return value.map(withoutPositions);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'pos') out[k] = withoutPositions(v);
    return out;
  }
  return value;
}
