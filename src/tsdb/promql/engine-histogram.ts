// histogram_quantile(φ, buckets) over classic histograms: series that differ
// only in `le` form one histogram (the metric name is part of the identity,
// and dropped from the result). Buckets whose `le` is missing or not a float
// are ignored. Evaluated step by step, since the set of buckets present can
// change between steps.

import { dropLabels, labelsKey, labelValue } from './engine-labels.js';
import { bucketQuantile, parseGoFloat, type Bucket } from './engine-math.js';
import type { Labels } from './engine-types.js';
import { byStep, mergeSameLabels, VectorBuilder, type Grid, type ScalarValue, type VectorValue } from './engine-values.js';

const BUCKET_LABEL = 'le';
const DROPPED = new Set(['__name__', BUCKET_LABEL]);

export function histogramQuantile(q: ScalarValue, vec: VectorValue, g: Grid): VectorValue {
  const n = vec.labels.length;
  const upperBounds = new Float64Array(n);
  const groupOf = new Int32Array(n).fill(-1);
  const groupIndex = new Map<string, number>();
  const groupLabels: Labels[] = [];
  for (let i = 0; i < n; i++) {
    const labels = vec.labels[i]!;
    const bound = parseGoFloat(labelValue(labels, BUCKET_LABEL));
    if (bound === null) continue;
    upperBounds[i] = bound;
    const key = labelsKey(dropLabels(labels, new Set([BUCKET_LABEL])));
    let group = groupIndex.get(key);
    if (group === undefined) {
      group = groupLabels.length;
      groupIndex.set(key, group);
      groupLabels.push(dropLabels(labels, DROPPED));
    }
    groupOf[i] = group;
  }
  const buckets: Bucket[][] = groupLabels.map(() => []);
  const pointSteps: number[][] = groupLabels.map(() => []);
  const pointValues: number[][] = groupLabels.map(() => []);
  const touched: number[] = [];
  const major = byStep(vec, g.count);
  for (let s = 0; s < g.count; s++) {
    for (let e = major.stepOffsets[s]!; e < major.stepOffsets[s + 1]!; e++) {
      const series = major.series[e]!;
      const group = groupOf[series]!;
      if (group < 0) continue;
      if (buckets[group]!.length === 0) touched.push(group);
      buckets[group]!.push({ upperBound: upperBounds[series]!, count: major.values[e]! });
    }
    for (const group of touched) {
      pointSteps[group]!.push(s);
      pointValues[group]!.push(bucketQuantile(q.values[s]!, buckets[group]!));
      buckets[group] = [];
    }
    touched.length = 0;
  }
  const out = new VectorBuilder(vec.values.length);
  groupLabels.forEach((labels, group) => out.addSeries(labels, pointSteps[group]!, pointValues[group]!));
  return mergeSameLabels(out.finish(), 'perStep');
}
