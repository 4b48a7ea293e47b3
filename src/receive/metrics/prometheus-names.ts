// OTLP names → Prometheus names, as Prometheus's OTLP receiver does it by
// default (translation strategy "UnderscoreEscapingWithSuffixes"; rules learnt
// from prometheus/otlptranslator and the OpenTelemetry "Prometheus and
// OpenMetrics compatibility" spec):
//
// metric name  split into tokens at every character outside [a-zA-Z0-9:]
//              (so runs of `_`, `.`, `-`… become one `_`); add the unit as
//              tokens (main unit, then `per_<unit>`) unless already present;
//              monotonic sums end in `_total`, gauges with unit "1" in
//              `_ratio` (moved to the end if present); a leading digit gets `_`.
// unit         `{…}` annotations contribute nothing; known UCUM units are
//              spelled out (s → seconds, By → bytes, 1 → nothing, % → percent…),
//              others are kept with invalid characters escaped.
// label name   each character outside [a-zA-Z0-9_] becomes `_`; a leading
//              digit gets `key_`, a single leading `_` gets `key` (`__x` is kept).

/** The OTLP metric kinds that decide suffixes. */
export type MetricKind = 'gauge' | 'monotonic-counter' | 'non-monotonic-counter' | 'histogram' | 'summary' | 'exponential-histogram';

const UNIT_NAMES: Readonly<Record<string, string>> = {
  // time
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  // bytes (IEC spelled as the UCUM spec says: TiBy is tebibytes)
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tebibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  // SI
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  // misc
  Cel: 'celsius',
  Hz: 'hertz',
  '1': '',
  '%': 'percent',
};

const PER_UNIT_NAMES: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

const NOT_METRIC_TOKEN_CHAR = /[^a-zA-Z0-9:]+/;
const NOT_METRIC_CHAR = /[^a-zA-Z0-9:_]/gu;
const NOT_LABEL_CHAR = /[^a-zA-Z0-9_]/gu;
const MULTIPLE_UNDERSCORES = /__+/g;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function lookup(table: Readonly<Record<string, string>>, key: string): string {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key]! : key;
}

/** Main and per unit words before cleaning (e.g. "By/s" → ["bytes", "per_second"]). */
function unitWords(unit: string): [string, string] {
  const slash = unit.indexOf('/');
  const mainPart = (slash < 0 ? unit : unit.slice(0, slash)).trim();
  let main = '';
  if (mainPart !== '' && !/[{}]/.test(mainPart)) main = lookup(UNIT_NAMES, mainPart);
  let per = '';
  if (slash >= 0) {
    const perPart = unit.slice(slash + 1).trim();
    if (perPart !== '' && !/[{}]/.test(perPart)) per = lookup(PER_UNIT_NAMES, perPart);
    if (per !== '') per = `per_${per}`;
  }
  return [main, per];
}

/** A unit word made of metric name characters: invalid ones `_`, runs collapsed, no leading `_`. */
function cleanUnitWord(word: string): string {
  return word.replace(NOT_METRIC_CHAR, '_').replace(MULTIPLE_UNDERSCORES, '_').replace(/^_/, '');
}

/** The Prometheus metric family name for an OTLP metric; '' when nothing valid is left. */
export function prometheusMetricName(name: string, unit: string, kind: MetricKind): string {
  let tokens = name.split(NOT_METRIC_TOKEN_CHAR).filter((t) => t !== '');
  const [mainWord, perWord] = unitWords(unit);
  let main = cleanUnitWord(mainWord);
  let per = cleanUnitWord(perWord);
  if (tokens.includes(main)) main = '';
  if (per === 'per_') {
    per = '';
  } else {
    per = per.replace(/_$/, '');
    if (tokens.includes(per)) per = '';
  }
  if (per !== '') main = main.replace(/_$/, '');
  if (main !== '') tokens.push(main);
  if (per !== '') tokens.push(per);
  if (kind === 'monotonic-counter') tokens = [...tokens.filter((t) => t !== 'total'), 'total'];
  if (unit === '1' && kind === 'gauge') tokens = [...tokens.filter((t) => t !== 'ratio'), 'ratio'];
  let out = tokens.join('_');
  if (out !== '' && isDigit(out.charCodeAt(0))) out = `_${out}`;
  return /[^_]/.test(out) ? out : '';
}

const labelNameCache = new Map<string, string>();
const LABEL_NAME_CACHE_MAX = 4096;

/** The Prometheus label name for an OTLP attribute key; '' when nothing valid is left. */
export function prometheusLabelName(key: string): string {
  const cached = labelNameCache.get(key);
  if (cached !== undefined) return cached;
  let out = key.replace(NOT_LABEL_CHAR, '_');
  if (out !== '') {
    if (isDigit(out.charCodeAt(0))) out = `key_${out}`;
    else if (out.startsWith('_') && !out.startsWith('__')) out = `key${out}`;
  }
  if (out !== key && !/[^_]/.test(out)) out = '';
  if (labelNameCache.size >= LABEL_NAME_CACHE_MAX) labelNameCache.clear();
  labelNameCache.set(key, out);
  return out;
}

// `le` and `quantile` label values: a float as Go's strconv.FormatFloat(x, 'f', -1, 64) writes it.
export { formatGoFloat as formatFloatLabel } from '../../model/go-float.js';
