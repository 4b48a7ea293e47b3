// day_of_month(), hour(), … : calendar fields of a Unix time in UTC. With no
// argument they read the evaluation time (a vector(time()) without labels);
// with one, each element's value is truncated to whole seconds first, as Go's
// time.Unix(int64(v), 0) does.

import type { Call } from './ast.js';
import type { Evaluator } from './engine-evaluator.js';
import { dropMetricName, EMPTY_LABELS } from './engine-labels.js';
import { afterNameDrop, gridTime, mapValues, VectorBuilder, type Grid, type VectorValue } from './engine-values.js';

type CalendarField = (d: Date) => number;

const FIELDS: Readonly<Record<string, CalendarField>> = {
  day_of_month: (d) => d.getUTCDate(),
  day_of_week: (d) => d.getUTCDay(),
  day_of_year: (d) => Math.round((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
  days_in_month: (d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(),
  hour: (d) => d.getUTCHours(),
  minute: (d) => d.getUTCMinutes(),
  month: (d) => d.getUTCMonth() + 1,
  year: (d) => d.getUTCFullYear(),
};

export const CALENDAR_FUNCTIONS: ReadonlySet<string> = new Set(Object.keys(FIELDS));

function fieldOfSeconds(field: CalendarField, seconds: number): number {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? NaN : field(d);
}

export function calendarFunction(ev: Evaluator, call: Call, g: Grid): VectorValue {
  const field = FIELDS[call.func.name]!;
  if (call.args.length === 0) {
    const out = new VectorBuilder(g.count);
    out.begin(EMPTY_LABELS);
    for (let i = 0; i < g.count; i++) out.push(i, fieldOfSeconds(field, Math.trunc(gridTime(g, i) / 1000)));
    out.end();
    return out.finish();
  }
  const vec = ev.evalVector(call.args[0]!, g);
  return afterNameDrop(
    vec.labels,
    mapValues(vec, vec.labels.map(dropMetricName), (v) => fieldOfSeconds(field, Math.trunc(v))),
    'perStep',
  );
}
