// Series identity and postings: labels → series id, and label name → value →
// ascending series ids, so a selector touches only the series it names.

import type { LabelMatcher } from './promql/ast.js';
import { labelMatches } from './promql/matchers.js';
import { labelValue } from './promql/engine-labels.js';
import type { Label, Labels } from './promql/engine-types.js';
import type { SampleBatch } from '../model/sample-batch.js';

/** Sorted by name, unique names, no empty values (the evaluator's label type). */
export type { Label, Labels };

/** A string key for a label set, unambiguous whatever the label text (length-prefixed). */
export function labelsKey(labels: Labels): string {
  let key = '';
  for (const l of labels) key += `${l.name.length}:${l.name}${l.value.length}:${l.value}`;
  return key;
}

/** labelsKey() of series i of a batch, without building Label objects (hot ingest path). */
export function batchSeriesKey(batch: SampleBatch, i: number): string {
  let key = '';
  for (let k = batch.labelOffsets[i]!; k < batch.labelOffsets[i + 1]!; k++) {
    const name = batch.labelNames[k]!;
    const value = batch.labelValues[k]!;
    key += `${name.length}:${name}${value.length}:${value}`;
  }
  return key;
}

export class SeriesIndex {
  private readonly byKey = new Map<string, number>();
  private readonly labelsById: Labels[] = [];
  /** name → value → ascending ids */
  private readonly postings = new Map<string, Map<string, number[]>>();

  get size(): number {
    return this.labelsById.length;
  }

  labels(id: number): Labels {
    return this.labelsById[id]!;
  }

  /** The id of `labels`, creating the series when new. */
  getOrCreate(labels: Labels, key = labelsKey(labels)): { id: number; created: boolean } {
    const found = this.byKey.get(key);
    if (found !== undefined) return { id: found, created: false };
    const id = this.labelsById.length;
    this.labelsById.push(labels);
    this.byKey.set(key, id);
    for (const l of labels) {
      let values = this.postings.get(l.name);
      if (!values) this.postings.set(l.name, (values = new Map()));
      const ids = values.get(l.value);
      if (ids) ids.push(id); // ids are assigned ascending, so lists stay sorted
      else values.set(l.value, [id]);
    }
    return { id, created: true };
  }

  lookup(key: string): number | undefined {
    return this.byKey.get(key);
  }

  /** Ids of series matching every matcher, ascending. */
  select(matchers: readonly LabelMatcher[]): number[] {
    return selectSeries(this, matchers);
  }

  postingsOf(name: string, value: string): readonly number[] {
    return this.postings.get(name)?.get(value) ?? [];
  }

  valuePostings(name: string): Iterable<[string, readonly number[]]> {
    return this.postings.get(name) ?? [];
  }

  labelNames(): string[] {
    return [...this.postings.keys()].sort();
  }

  labelValues(name: string): string[] {
    return [...(this.postings.get(name)?.keys() ?? [])].sort();
  }
}

/** What postings-driven selection needs from an index (in memory, or a block's binary index). */
export interface PostingsSource {
  readonly size: number;
  labels(id: number): Labels;
  /** ascending ids of series with label name=value */
  postingsOf(name: string, value: string): ArrayLike<number>;
  /** every value of a label with its ascending ids */
  valuePostings(name: string): Iterable<[string, ArrayLike<number>]>;
}

/** Ids of series matching every matcher, ascending: postings narrow, labels decide. */
export function selectSeries(source: PostingsSource, matchers: readonly LabelMatcher[]): number[] {
  // Start from the most selective equality matcher on a non-empty value.
  let candidates: ArrayLike<number> | undefined;
  for (const m of matchers) {
    if (m.op !== '=' || m.value === '') continue;
    const ids = source.postingsOf(m.name, m.value);
    if (!candidates || ids.length < candidates.length) candidates = ids;
  }
  candidates ??= idsMatchingSomeMatcher(source, matchers);
  const out: number[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const id = candidates[i]!;
    const labels = source.labels(id);
    if (matchers.every((m) => labelMatches(m, labelValue(labels, m.name)))) out.push(id);
  }
  return out;
}

/** Without an equality matcher: union of postings of the values a must-exist matcher accepts. */
function idsMatchingSomeMatcher(source: PostingsSource, matchers: readonly LabelMatcher[]): ArrayLike<number> {
  const m = matchers.find((x) => !labelMatches(x, ''));
  if (!m) return Array.from({ length: source.size }, (_, i) => i);
  const ids: number[] = [];
  for (const [value, list] of source.valuePostings(m.name)) if (labelMatches(m, value)) for (let i = 0; i < list.length; i++) ids.push(list[i]!);
  return ids.sort((a, b) => a - b);
}
