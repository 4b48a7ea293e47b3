// Label-set operations the evaluator needs, with Prometheus's semantics: an
// absent label reads as "", setting a label to "" removes it, label sets stay
// sorted by name. Keys and signatures are strings so they can index Maps; a
// NUL separates names and values (Prometheus uses 0xff in its hashes).

import type { Label, Labels } from './engine-types.js';

export const METRIC_NAME = '__name__';
const SEP = '\u0000';

export const EMPTY_LABELS: Labels = [];

export function labelValue(labels: Labels, name: string): string {
  for (const l of labels) if (l.name === name) return l.value;
  return '';
}

/** A string equal for equal label sets and different otherwise. */
export function labelsKey(labels: Labels): string {
  let key = '';
  for (const l of labels) key += l.name + SEP + l.value + SEP;
  return key;
}

export function dropMetricName(labels: Labels): Labels {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]!.name === METRIC_NAME) return [...labels.slice(0, i), ...labels.slice(i + 1)];
  }
  return labels;
}

export function keepLabels(labels: Labels, names: ReadonlySet<string>): Labels {
  return labels.filter((l) => names.has(l.name));
}

export function dropLabels(labels: Labels, names: ReadonlySet<string>): Labels {
  return labels.some((l) => names.has(l.name)) ? labels.filter((l) => !names.has(l.name)) : labels;
}

/** Sets `name` to `value`, or removes it when `value` is "". */
export function setLabel(labels: Labels, name: string, value: string): Labels {
  const out: Label[] = [];
  let placed = value === '';
  for (const l of labels) {
    if (l.name === name) continue;
    if (!placed && l.name > name) {
      out.push({ name, value });
      placed = true;
    }
    out.push(l);
  }
  if (!placed) out.push({ name, value });
  return out;
}

/** Prometheus's labels.Compare: pairwise by name then value, then the shorter set first. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name) return x.name < y.name ? -1 : 1;
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
  }
  return a.length - b.length;
}

export function labelsToRecord(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of labels) out[l.name] = l.value;
  return out;
}

/** `{a="1", b="2"}` as Prometheus prints label sets in messages. */
export function formatLabels(labels: Labels): string {
  return `{${labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;
}

/**
 * How a vector-matching or grouping clause reduces a label set to the part
 * that decides which series belong together: `on(a, b)` / `by(a, b)` keep
 * exactly those labels; `ignoring(a)` / `without(a)` keep all others except
 * the metric name.
 */
export function signatureFn(on: boolean, names: readonly string[]): (labels: Labels) => string {
  if (on) {
    const sorted = [...new Set(names)].sort();
    return (labels) => {
      let key = '';
      for (const name of sorted) {
        const v = labelValue(labels, name);
        if (v !== '') key += name + SEP + v + SEP;
      }
      return key;
    };
  }
  const excluded = new Set([...names, METRIC_NAME]);
  return (labels) => {
    let key = '';
    for (const l of labels) if (!excluded.has(l.name)) key += l.name + SEP + l.value + SEP;
    return key;
  };
}

/** The labels a signature is made of, for error messages. */
export function signatureLabels(labels: Labels, on: boolean, names: readonly string[]): Labels {
  const set = new Set(names);
  if (on) return keepLabels(labels, set);
  set.add(METRIC_NAME);
  return dropLabels(labels, set);
}

/** Prometheus's model.LabelName.IsValid in 2.x: `[a-zA-Z_][a-zA-Z0-9_]*`. */
export function isValidLabelName(name: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name);
}
