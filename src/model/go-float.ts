// Float text as Go writes it, for the places that must match Prometheus byte
// for byte: PromQL API sample values and the `le` / `quantile` labels the OTLP
// metrics translator makes.

/**
 * Go's strconv.FormatFloat(x, 'f', -1, 64), with Prometheus's ±Inf spelling:
 * shortest round-trip digits, never an exponent; NaN, +Inf, -Inf, -0 as such.
 */
export function formatGoFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const s = String(x);
  const e = s.indexOf('e');
  if (e < 0) return s;
  // d.ddde±n → fixed notation
  const negative = s.startsWith('-');
  const mantissa = s.slice(negative ? 1 : 0, e);
  const exponent = Number(s.slice(e + 1));
  const digits = mantissa.replace('.', '');
  const pointAt = (mantissa.indexOf('.') < 0 ? mantissa.length : mantissa.indexOf('.')) + exponent;
  let fixed: string;
  if (pointAt <= 0) fixed = `0.${'0'.repeat(-pointAt)}${digits}`;
  else if (pointAt >= digits.length) fixed = digits + '0'.repeat(pointAt - digits.length);
  else fixed = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  return negative ? `-${fixed}` : fixed;
}
