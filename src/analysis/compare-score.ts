// How a comparison ranks dimension=value pairs and when it calls one
// confident (docs/analysis.md explains the choice). Pure arithmetic on counts.
//
// Share view: a value is held by nt of NT target spans (traces) and nb of NB
// baseline ones; N = NT + NB, n = nt + nb, π = NT / N.
//   score    = mutual information (nats) between "is in the target" and "has
//              this value", signed + when the value is over-represented. It
//              weighs coverage (how much of the target has the value) against
//              specificity (how rare it is in the baseline), and does not grow
//              with the amount of data: the same effect scores the same over
//              an hour or a day.
//   evidence = n · KL(nt/n ‖ π): with no difference nt ~ Binomial(n, π), and
//              Chernoff's bound gives P(as extreme) ≤ e^−evidence (valid for
//              small counts too).
//   confident: over-represented, evidence ≥ ln(values tested / 0.01)
//              (Bonferroni over every value looked at, 1% family-wise),
//              lift ≥ 1.5, pt − pb ≥ 0.01 and nt ≥ 10.
//
// Latency view: the mean percentile rank of the value's spans within their
// operation, against that of the other spans; ranks are uniform under no
// difference, so the shift's standard error is sqrt((1/n_in + 1/n_out)/12)
// and z = shift / se. Ranked by z²/2 per compared span (the evidence per
// span, again independent of the amount of data), signed by direction.

import type { LatencyScore } from './compare-types.js';
export const FAMILY_ERROR_RATE = 0.01;
export const MIN_LIFT = 1.5;
export const MIN_EXCESS_SHARE = 0.01;
export const MIN_TARGET_COUNT = 10;
export const MIN_RANK_SHIFT = 0.1;
export const MIN_LATENCY_SPANS = 10;
/** add-½ smoothing of shares, so a value absent from one side still has a finite lift */
const SMOOTHING = 0.5;

/** Evidence (nats) a row needs to be confident when `tested` values were looked at. */
export function evidenceNeeded(tested: number): number {
  return Math.log(Math.max(1, tested) / FAMILY_ERROR_RATE);
}

/** KL divergence of Bernoulli(a) from Bernoulli(b), in nats; 0·ln 0 = 0. */
export function bernoulliKl(a: number, b: number): number {
  if (b <= 0 || b >= 1) return a === b ? 0 : Infinity;
  const term = (x: number, y: number): number => (x === 0 ? 0 : x * Math.log(x / y));
  return term(a, b) + term(1 - a, 1 - b);
}

export interface ShareCounts {
  targetCount: number;
  targetTotal: number;
  baselineCount: number;
  baselineTotal: number;
}

export interface ShareScore {
  targetShare: number;
  baselineShare: number;
  lift: number;
  score: number;
  evidence: number;
  confident: boolean;
}

export function scoreShares(c: ShareCounts, needed: number): ShareScore {
  const targetShare = c.targetTotal > 0 ? c.targetCount / c.targetTotal : 0;
  const baselineShare = c.baselineTotal > 0 ? c.baselineCount / c.baselineTotal : 0;
  const lift = (c.targetCount + SMOOTHING) / (c.targetTotal + 2 * SMOOTHING) / ((c.baselineCount + SMOOTHING) / (c.baselineTotal + 2 * SMOOTHING));
  const total = c.targetTotal + c.baselineTotal;
  const n = c.targetCount + c.baselineCount;
  const pi = c.targetTotal / total;
  const tested = n > 0 && pi > 0 && pi < 1;
  const evidence = tested ? n * bernoulliKl(c.targetCount / n, pi) : 0;
  const without = total - n;
  const evidenceWithout = tested && without > 0 ? without * bernoulliKl((c.targetTotal - c.targetCount) / without, pi) : 0;
  const score = (evidence + evidenceWithout) / total;
  const confident =
    targetShare > baselineShare &&
    evidence >= needed &&
    lift >= MIN_LIFT &&
    targetShare - baselineShare >= MIN_EXCESS_SHARE &&
    c.targetCount >= MIN_TARGET_COUNT;
  return { targetShare, baselineShare, lift, score: Math.sign(targetShare - baselineShare) * Math.abs(score), evidence, confident };
}

export interface LatencySums {
  /** spans with the value */
  spans: number;
  /** Σ percentile rank within the operation */
  rankSum: number;
  /** Σ (ln duration − the operation's mean ln duration) */
  logRatioSum: number;
  /** spans above their operation's p90 */
  aboveP90: number;
}


/** The value's spans (`inside`) against all other compared spans (`total` − `inside`). */
export function scoreLatency(inside: LatencySums, total: LatencySums, needed: number): LatencyScore | undefined {
  const nIn = inside.spans;
  const nOut = total.spans - inside.spans;
  if (nIn <= 0 || nOut <= 0) return undefined;
  const rankShift = inside.rankSum / nIn - (total.rankSum - inside.rankSum) / nOut;
  const se = Math.sqrt((1 / nIn + 1 / nOut) / 12);
  const z = rankShift / se;
  // two-sided normal tail: P(|Z| ≥ z) ≤ 2·e^(−z²/2)
  const evidence = Math.max(0, (z * z) / 2 - Math.LN2);
  return {
    rankShift,
    durationRatio: Math.exp(inside.logRatioSum / nIn - (total.logRatioSum - inside.logRatioSum) / nOut),
    aboveP90Share: inside.aboveP90 / nIn,
    aboveP90ShareOthers: (total.aboveP90 - inside.aboveP90) / nOut,
    direction: rankShift >= 0 ? 'slower' : 'faster',
    score: (Math.sign(rankShift) * (z * z)) / 2 / total.spans,
    evidence,
    confident: evidence >= needed && Math.abs(rankShift) >= MIN_RANK_SHIFT && nIn >= MIN_LATENCY_SPANS && nOut >= MIN_LATENCY_SPANS,
  };
}

/**
 * A column whose values are mostly unique (ids, URLs with ids, free text):
 * more than 100 distinct values and more than one per 20 spans that have one.
 */
export function isHighCardinality(distinct: number, spansWithValue: number): boolean {
  return distinct > 100 && distinct > 0.05 * spansWithValue;
}
