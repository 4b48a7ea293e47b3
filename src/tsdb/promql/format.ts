// AST → canonical PromQL text, close to Prometheus's own printer:
// `sum by (job) (rate(http_requests_total{code=~"5.."}[5m] offset 1h))`.
// Parsing the output gives back the same tree (positions aside). Parentheses
// are printed where the tree has a ParenExpr, plus wherever precedence needs
// them for trees built by hand.

import { BINARY_PRECEDENCE, METRIC_NAME_LABEL, type AtModifier, type BinaryExpr, type Expr, type LabelMatcher, type VectorSelector } from './ast.js';
import { formatDuration } from './duration.js';
import { quoteString } from './literals.js';

export function formatExpr(expr: Expr): string {
  switch (expr.kind) {
    case 'number':
      return formatNumber(expr.value);
    case 'string':
      return quoteString(expr.value);
    case 'vectorSelector':
      return formatSelector(expr) + formatModifiers(expr.at, expr.offsetMs);
    case 'matrixSelector':
      return `${formatSelector(expr.selector)}[${formatDuration(expr.rangeMs)}]${formatModifiers(expr.selector.at, expr.selector.offsetMs)}`;
    case 'subquery': {
      const inner = formatOperand(expr.expr, expr.expr.kind === 'binary' || expr.expr.kind === 'unary' || isNegative(expr.expr));
      const step = expr.stepMs === 0 ? '' : formatDuration(expr.stepMs);
      return `${inner}[${formatDuration(expr.rangeMs)}:${step}]${formatModifiers(expr.at, expr.offsetMs)}`;
    }
    case 'call':
      return `${expr.func.name}(${expr.args.map(formatExpr).join(', ')})`;
    case 'aggregate': {
      let grouping = '';
      if (expr.without) grouping = ` without (${expr.grouping.map(formatLabelName).join(', ')}) `;
      else if (expr.grouping.length > 0) grouping = ` by (${expr.grouping.map(formatLabelName).join(', ')}) `;
      const param = expr.param === null ? '' : `${formatExpr(expr.param)}, `;
      return `${expr.op}${grouping}(${param}${formatExpr(expr.expr)})`;
    }
    case 'binary':
      return formatBinary(expr);
    case 'unary': {
      // `--a` is fine: the parser reads it as two unary minus signs.
      const operand = expr.expr;
      return `${expr.op}${formatOperand(operand, operand.kind === 'binary' && operand.op !== '^')}`;
    }
    case 'paren':
      return `(${formatExpr(expr.expr)})`;
  }
}


/**
 * `a + b + c + …` nests to the left as deep as the query is long, so the
 * left spine is printed in a loop rather than by recursion.
 */
function formatBinary(top: BinaryExpr): string {
  const spine: BinaryExpr[] = [top];
  let bottom = top;
  while (bottom.lhs.kind === 'binary' && !wrapsLhs(bottom)) {
    bottom = bottom.lhs;
    spine.push(bottom);
  }
  let text = formatOperand(bottom.lhs, wrapsLhs(bottom));
  for (let i = spine.length - 1; i >= 0; i--) text += ` ${formatOperatorAndRhs(spine[i]!)}`;
  return text;
}

function wrapsLhs(expr: BinaryExpr): boolean {
  const prec = BINARY_PRECEDENCE[expr.op];
  const rightAssoc = expr.op === '^';
  const lhs = expr.lhs;
  if (lhs.kind === 'binary') return BINARY_PRECEDENCE[lhs.op] < prec || (rightAssoc && BINARY_PRECEDENCE[lhs.op] === prec);
  // `-a ^ b` would read as `-(a ^ b)`.
  return rightAssoc && (lhs.kind === 'unary' || isNegative(lhs));
}

function formatOperatorAndRhs(expr: BinaryExpr): string {
  const prec = BINARY_PRECEDENCE[expr.op];
  const rhs = expr.rhs;
  const wrapRhs = rhs.kind === 'binary' && (BINARY_PRECEDENCE[rhs.op] < prec || (expr.op !== '^' && BINARY_PRECEDENCE[rhs.op] === prec));
  const rhsText = formatOperand(rhs, wrapRhs);
  let modifiers = expr.returnBool ? ' bool' : '';
  const m = expr.matching;
  if (m !== null) {
    const grouped = m.card === 'many-to-one' || m.card === 'one-to-many';
    if (m.on) modifiers += ` on (${m.labels.map(formatLabelName).join(', ')})`;
    else if (m.labels.length > 0 || grouped) modifiers += ` ignoring (${m.labels.map(formatLabelName).join(', ')})`;
    if (grouped) {
      modifiers += m.card === 'many-to-one' ? ' group_left' : ' group_right';
      // Without labels, `group_left (x)` would swallow a parenthesised right operand.
      if (m.include.length > 0 || rhsText.startsWith('(')) modifiers += ` (${m.include.map(formatLabelName).join(', ')})`;
    }
  }
  return `${expr.op}${modifiers} ${rhsText}`;
}

function formatOperand(expr: Expr, wrap: boolean): string {
  return wrap ? `(${formatExpr(expr)})` : formatExpr(expr);
}

function isNegative(expr: Expr): boolean {
  return expr.kind === 'number' && (expr.value < 0 || Object.is(expr.value, -0));
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Inf';
  if (value === -Infinity) return '-Inf';
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function formatLabelName(name: string): string {
  return LABEL_NAME.test(name) ? name : quoteString(name);
}

function formatSelector(s: VectorSelector): string {
  let matchers: readonly LabelMatcher[] = s.matchers;
  let name = '';
  if (s.name !== null) {
    // The parser appends the name's matcher last.
    matchers = matchers.slice(0, -1);
    if (METRIC_NAME.test(s.name)) name = s.name;
    else matchers = [{ name: METRIC_NAME_LABEL, op: '=', value: s.name, regex: null }, ...matchers];
  }
  if (matchers.length === 0) return name;
  return `${name}{${matchers.map(formatMatcher).join(', ')}}`;
}

function formatMatcher(m: LabelMatcher): string {
  // Prometheus 3 writes a metric name that needs quoting as a bare string: `{"my.metric"}`.
  if (m.name === METRIC_NAME_LABEL && m.op === '=' && !METRIC_NAME.test(m.value)) return quoteString(m.value);
  return `${formatLabelName(m.name)}${m.op}${quoteString(m.value)}`;
}

function formatModifiers(at: AtModifier | null, offsetMs: number): string {
  let out = '';
  if (at !== null) out += at.kind === 'timestamp' ? ` @ ${(at.ms / 1000).toFixed(3)}` : ` @ ${at.kind}()`;
  if (offsetMs > 0) out += ` offset ${formatDuration(offsetMs)}`;
  else if (offsetMs < 0) out += ` offset -${formatDuration(-offsetMs)}`;
  return out;
}
