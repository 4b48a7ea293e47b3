import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bernoulliKl, evidenceNeeded, isHighCardinality, MIN_TARGET_COUNT, scoreLatency, scoreShares } from './compare-score.js';

/** ln P(X ≥ k) for X ~ Binomial(n, p), summed in log space. */
function logUpperTail(n: number, k: number, p: number): number {
  const logChoose = (a: number, b: number): number => {
    let s = 0;
    for (let i = 1; i <= b; i++) s += Math.log(a - b + i) - Math.log(i);
    return s;
  };
  const terms: number[] = [];
  for (let x = k; x <= n; x++) terms.push(logChoose(n, x) + x * Math.log(p) + (n - x) * Math.log1p(-p));
  const max = Math.max(...terms);
  return max + Math.log(terms.reduce((s, t) => s + Math.exp(t - max), 0));
}

describe('scoreShares', () => {
  const needed = evidenceNeeded(1000);

  it('computes the Bernoulli KL divergence in nats', () => {
    assert.equal(bernoulliKl(0.5, 0.5), 0);
    assert.ok(Math.abs(bernoulliKl(1, 0.5) - Math.LN2) < 1e-12);
    assert.ok(Math.abs(bernoulliKl(0.2, 0.1) - (0.2 * Math.log(2) + 0.8 * Math.log(0.8 / 0.9))) < 1e-12);
  });

  it('calls a value held by half the target and almost none of the baseline confident', () => {
    const s = scoreShares({ targetCount: 100, targetTotal: 200, baselineCount: 5, baselineTotal: 50_000 }, needed);
    assert.ok(s.confident);
    assert.equal(s.targetShare, 0.5);
    assert.ok(s.lift > 1000);
    assert.ok(s.score > 0);
  });

  it('gives a value as common in the target as in the baseline no confidence and a score near zero', () => {
    const s = scoreShares({ targetCount: 100, targetTotal: 1000, baselineCount: 5000, baselineTotal: 50_000 }, needed);
    assert.equal(s.confident, false);
    assert.ok(Math.abs(s.score) < 1e-9);
    assert.ok(s.evidence < 1e-9);
  });

  it('scores an under-represented value negative and never confident', () => {
    const s = scoreShares({ targetCount: 0, targetTotal: 1000, baselineCount: 25_000, baselineTotal: 50_000 }, needed);
    assert.ok(s.score < 0);
    assert.ok(s.evidence > needed, 'the evidence of a difference is strong');
    assert.equal(s.confident, false);
  });

  it('wants at least MIN_TARGET_COUNT target spans however rare the value is elsewhere', () => {
    const s = scoreShares({ targetCount: MIN_TARGET_COUNT - 1, targetTotal: MIN_TARGET_COUNT - 1, baselineCount: 0, baselineTotal: 1_000_000 }, 0);
    assert.equal(s.confident, false);
  });

  it('bounds the exact binomial tail: e^-evidence is never below P(as many target spans or more)', () => {
    for (const [n, k, p] of [
      [20, 3, 0.02],
      [50, 10, 0.1],
      [200, 40, 0.15],
      [1000, 30, 0.02],
      [12, 12, 0.5],
    ] as const) {
      const targetTotal = 100_000 * p;
      const s = scoreShares({ targetCount: k, targetTotal, baselineCount: n - k, baselineTotal: 100_000 - targetTotal }, needed);
      assert.ok(-s.evidence >= logUpperTail(n, k, p) - 1e-9, `n=${n} k=${k} p=${p}: ${-s.evidence} < ${logUpperTail(n, k, p)}`);
    }
  });

  it('ranks a value covering more of the target above a rarer one with a larger lift', () => {
    // a slow instance (5% of the target, lift 4) against a timeout (0.7%, never in the baseline)
    const instance = scoreShares({ targetCount: 273, targetTotal: 5647, baselineCount: 605, baselineTotal: 50_000 }, needed);
    const timeout = scoreShares({ targetCount: 39, targetTotal: 5647, baselineCount: 0, baselineTotal: 50_000 }, needed);
    assert.ok(instance.score > timeout.score);
    assert.ok(timeout.lift > instance.lift);
  });
});

describe('scoreLatency', () => {
  const needed = evidenceNeeded(100);
  const total = { spans: 10_000, rankSum: 5000, logRatioSum: 0, aboveP90: 1000 };

  it('finds a value whose spans sit high in their operations slower, with its duration ratio', () => {
    const inside = { spans: 500, rankSum: 450, logRatioSum: 500 * Math.log(3), aboveP90: 400 };
    const l = scoreLatency(inside, total, needed)!;
    assert.equal(l.direction, 'slower');
    assert.ok(l.confident);
    assert.ok(Math.abs(l.rankShift - (0.9 - 4550 / 9500)) < 1e-12);
    assert.ok(Math.abs(l.durationRatio - Math.exp(Math.log(3) - (-500 * Math.log(3)) / 9500)) < 1e-9);
    assert.equal(l.aboveP90Share, 0.8);
    assert.ok(Math.abs(l.aboveP90ShareOthers - 600 / 9500) < 1e-12);
    assert.ok(l.score > 0);
  });

  it('sees no shift in a value whose spans rank like everybody else', () => {
    const l = scoreLatency({ spans: 1000, rankSum: 500, logRatioSum: 0, aboveP90: 100 }, total, needed)!;
    assert.equal(l.rankShift, 0);
    assert.equal(l.confident, false);
  });

  it('has nothing to compare when every span or no span has the value', () => {
    assert.equal(scoreLatency(total, total, needed), undefined);
    assert.equal(scoreLatency({ spans: 0, rankSum: 0, logRatioSum: 0, aboveP90: 0 }, total, needed), undefined);
  });
});

describe('isHighCardinality', () => {
  it('rolls up mostly-unique columns and keeps small vocabularies', () => {
    assert.equal(isHighCardinality(50_000, 84_000), true); // user ids
    assert.equal(isHighCardinality(66, 1_000_000), false); // span names
    assert.equal(isHighCardinality(63, 2826), false); // status messages
    assert.equal(isHighCardinality(5000, 10_000_000), false); // many operations, far more spans
  });
});
