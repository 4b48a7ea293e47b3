import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../loadgen/rng.js';
import { ByteWriter, DDSketch, SKETCH_RELATIVE_ACCURACY, quantileRank, sketchIndex, sketchValue } from './sketch.js';

const QUANTILES = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];
/** α plus floating-point slack at bucket boundaries */
const TOLERANCE = SKETCH_RELATIVE_ACCURACY + 1e-9;

type Distribution = (rng: Rng) => number;

const DISTRIBUTIONS: Record<string, Distribution> = {
  'log-normal': (rng) => Math.round(rng.logNormal(2_000_000, 1.2)) + 1,
  bimodal: (rng) => (rng.chance(0.8) ? Math.round(rng.logNormal(300_000, 0.3)) : Math.round(rng.logNormal(900_000_000, 0.5))) + 1,
  uniform: (rng) => rng.int(1, 5_000_000_000),
  constant: () => 42_000_000,
  'with zeros': (rng) => (rng.chance(0.2) ? 0 : rng.int(1, 1000)),
};

function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[quantileRank(q, sorted.length)]!;
}

function relativeError(estimate: number, exact: number): number {
  return exact === 0 ? Math.abs(estimate) : Math.abs(estimate - exact) / exact;
}

function sample(dist: Distribution, rng: Rng, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = dist(rng);
  return out;
}

function sketchOf(values: Float64Array, from = 0, to = values.length): DDSketch {
  const s = new DDSketch();
  for (let i = from; i < to; i++) s.add(values[i]!);
  return s;
}

function assertQuantilesClose(s: DDSketch, values: Float64Array, what: string): void {
  const sorted = Float64Array.from(values).sort();
  for (const q of QUANTILES) {
    const exact = exactQuantile(sorted, q);
    const err = relativeError(s.quantile(q), exact);
    assert.ok(err <= TOLERANCE, `${what}: q=${q} estimate ${s.quantile(q)} vs exact ${exact} (error ${err})`);
  }
}

/** Same counts in every bucket: compared through quantiles at every rank. */
function assertSameSketch(a: DDSketch, b: DDSketch, what: string): void {
  assert.equal(a.count, b.count, `${what}: count`);
  assert.equal(a.zeroCount, b.zeroCount, `${what}: zero count`);
  assert.deepEqual(a.encode(), b.encode(), `${what}: encoding`);
}

describe('DDSketch', () => {
  it('maps every positive value into a bucket whose answer is within 1% of it', () => {
    const rng = new Rng(7);
    for (let k = 0; k < 100_000; k++) {
      const v = Math.exp(rng.float() * 60) * (1 + rng.float());
      const err = relativeError(sketchValue(sketchIndex(v)), v);
      assert.ok(err <= TOLERANCE, `value ${v} error ${err}`);
    }
  });

  for (const [name, dist] of Object.entries(DISTRIBUTIONS)) {
    it(`answers quantiles of a ${name} distribution within 1% of the exact ones`, () => {
      for (const seed of [1, 2, 3]) {
        const rng = new Rng(seed);
        for (const n of [1, 2, 7, 100, 50_000]) {
          const values = sample(dist, rng, n);
          assertQuantilesClose(sketchOf(values), values, `${name} seed ${seed} n ${n}`);
        }
      }
    });
  }

  it('merging sketches of parts gives the sketch of the union, in any order', () => {
    const rng = new Rng(11);
    for (const [name, dist] of Object.entries(DISTRIBUTIONS)) {
      const values = sample(dist, rng, 20_000);
      const whole = sketchOf(values);
      const cuts = [0, 3_000, 3_001, 12_000, 20_000];
      const parts: DDSketch[] = [];
      for (let i = 0; i + 1 < cuts.length; i++) parts.push(sketchOf(values, cuts[i], cuts[i + 1]));
      const forward = new DDSketch();
      for (const p of parts) forward.merge(p);
      const backward = new DDSketch();
      for (const p of [...parts].reverse()) backward.mergeEncoded(p.encode());
      assertSameSketch(forward, whole, `${name} merged`);
      assertSameSketch(backward, whole, `${name} merged encoded, reversed`);
      assertQuantilesClose(forward, values, `${name} merged`);
    }
  });

  it('round-trips through its encoding, also when packed back to back in one buffer', () => {
    const rng = new Rng(5);
    const out = new ByteWriter(16);
    const sketches: DDSketch[] = [];
    const offsets: number[] = [0];
    for (const dist of Object.values(DISTRIBUTIONS)) {
      const s = sketchOf(sample(dist, rng, 1 + rng.int(0, 3000)));
      sketches.push(s);
      s.encodeInto(out);
      offsets.push(out.pos);
    }
    sketches.push(new DDSketch());
    new DDSketch().encodeInto(out);
    offsets.push(out.pos);
    sketches.forEach((s, i) => {
      const back = DDSketch.decode(out.buf, offsets[i]!, offsets[i + 1]!);
      assertSameSketch(back, s, `sketch ${i}`);
      for (const q of QUANTILES) assert.ok(Object.is(back.quantile(q), s.quantile(q)));
    });
  });

  it('encodes a busy sketch in a few hundred bytes', () => {
    const rng = new Rng(9);
    const s = sketchOf(sample(DISTRIBUTIONS['log-normal']!, rng, 100_000));
    assert.ok(s.encode().length < 3 * s.bucketCount + 16, `${s.encode().length} bytes for ${s.bucketCount} buckets`);
  });

  it('keeps counts above 2^32 exact through encoding', () => {
    const s = new DDSketch();
    s.add(1000, 2 ** 40 + 3);
    s.add(0, 2 ** 35);
    const back = DDSketch.decode(s.encode());
    assert.equal(back.count, 2 ** 40 + 3 + 2 ** 35);
    assert.equal(back.zeroCount, 2 ** 35);
  });

  it('collapses the lowest buckets beyond its bucket limit and keeps the quantiles above them accurate', () => {
    // 400 values 5% apart span ~980 buckets; 64 kept buckets hold the top ~26 values
    const s = new DDSketch(64);
    const values: number[] = [];
    for (let i = 0; i < 400; i++) {
      const v = Math.pow(1.05, i);
      values.push(v);
      s.add(v);
    }
    assert.equal(s.count, 400);
    assert.ok(s.bucketCount <= 64);
    const sorted = Float64Array.from(values).sort();
    for (const q of [0.95, 0.99, 1]) {
      assert.ok(relativeError(s.quantile(q), exactQuantile(sorted, q)) <= TOLERANCE, `q=${q}`);
    }
    // the collapsed low tail answers the lowest kept bucket: too high, never lost
    assert.ok(s.quantile(0) >= sorted[0]!);
    // adding far below the window collapses too
    s.add(1e-30);
    assert.equal(s.count, 401);
    assert.ok(s.bucketCount <= 64);
  });

  it('answers several quantiles in one walk exactly as one at a time', () => {
    const rng = new Rng(21);
    for (const dist of Object.values(DISTRIBUTIONS)) {
      const s = sketchOf(sample(dist, rng, 1 + rng.int(0, 5000)));
      const out = new Float64Array(QUANTILES.length);
      s.quantiles(QUANTILES, out);
      QUANTILES.forEach((q, k) => assert.equal(out[k], s.quantile(q), `q=${q}`));
    }
    const empty = [0];
    new DDSketch().quantiles([0.5], empty);
    assert.ok(Number.isNaN(empty[0]));
  });

  it('answers NaN when empty and 0 for zero-length values', () => {
    const s = new DDSketch();
    assert.ok(Number.isNaN(s.quantile(0.5)));
    s.add(0, 3);
    s.add(10);
    assert.equal(s.quantile(0.5), 0);
    assert.ok(relativeError(s.quantile(1), 10) <= TOLERANCE);
  });

  it('rejects a truncated or unknown encoding', () => {
    const s = new DDSketch();
    s.add(123456789, 1000);
    const bytes = s.encode();
    assert.throws(() => DDSketch.decode(bytes.subarray(0, bytes.length - 1)), /sketch: truncated varint/);
    assert.throws(() => DDSketch.decode(Uint8Array.of(9, 0, 0)), /sketch: unknown encoding version 9/);
  });

  it('uses the discrete quantile rank of DuckDB quantile_disc', () => {
    assert.equal(quantileRank(0.5, 4), 1);
    assert.equal(quantileRank(0.25, 4), 0);
    assert.equal(quantileRank(0.99, 4), 3);
    assert.equal(quantileRank(0.3, 5), 1);
    assert.equal(quantileRank(0, 5), 0);
    assert.equal(quantileRank(1, 5), 4);
  });
});
