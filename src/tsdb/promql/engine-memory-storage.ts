// An in-memory Queryable over hand-written series, for tests and for
// evaluating PromQL over data already in memory. Samples are written as
// `[tMs, value]`, with the string 'stale' for a staleness marker.

import type { LabelMatcher } from './ast.js';
import { compareLabels } from './engine-labels.js';
import { setStaleMarkerAt, type Label, type Labels, type Queryable, type SeriesSamples } from './engine-types.js';
import { labelMatches } from './matchers.js';
import { lowerIndex } from '../sorted-search.js';

export type MemorySample = readonly [tMs: number, value: number | 'stale'];

export interface MemorySeries {
  /** Label names to values; empty values are dropped, as Prometheus does. */
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: readonly MemorySample[];
}

export function toLabels(record: Readonly<Record<string, string>>): Labels {
  const out: Label[] = Object.entries(record)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => ({ name, value }));
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export class MemoryQueryable implements Queryable {
  private readonly series: SeriesSamples[];

  constructor(input: readonly MemorySeries[]) {
    this.series = input
      .map((s) => {
        const sorted = [...s.samples].sort((a, b) => a[0] - b[0]);
        const t = new Float64Array(sorted.length);
        const v = new Float64Array(sorted.length);
        sorted.forEach(([tMs, value], i) => {
          t[i] = tMs;
          if (value === 'stale') setStaleMarkerAt(v, i);
          else v[i] = value;
        });
        return { labels: toLabels(s.labels), t, v };
      })
      .sort((a, b) => compareLabels(a.labels, b.labels));
  }

  select(matchers: readonly LabelMatcher[], minTMs: number, maxTMs: number): Promise<SeriesSamples[]> {
    const out: SeriesSamples[] = [];
    for (const s of this.series) {
      if (!matchers.every((m) => labelMatches(m, labelOf(s.labels, m.name)))) continue;
      const from = lowerIndex(s.t, minTMs);
      const to = lowerIndex(s.t, maxTMs + 1);
      if (to > from) out.push({ labels: s.labels, t: s.t.subarray(from, to), v: s.v.subarray(from, to) });
    }
    return Promise.resolve(out);
  }
}

function labelOf(labels: Labels, name: string): string {
  for (const l of labels) if (l.name === name) return l.value;
  return '';
}
