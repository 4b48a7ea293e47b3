import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../loadgen/rng.js';
import { DDSketch } from './sketch.js';
import { RollupKeys, RollupTableBuilder, aggregateTables, lowerBound, type RollupTable } from './rollup-table.js';
import { tileRange } from './rollup-cells.js';

interface Value {
  minute: number;
  key: number;
  durationNs: number;
  error: boolean;
}

/** A table with one row per (minute, key) of `values`, built the slow obvious way. */
function tableOf(values: readonly Value[], grain = 1, keyOf = (k: number) => k): RollupTable {
  const cells = new Map<string, { minute: number; key: number; count: number; errors: number; sum: number; max: number; sketch: DDSketch }>();
  for (const v of values) {
    const minute = Math.floor(v.minute / grain) * grain;
    const key = keyOf(v.key);
    const id = `${minute}/${key}`;
    let c = cells.get(id);
    if (!c) cells.set(id, (c = { minute, key, count: 0, errors: 0, sum: 0, max: -Infinity, sketch: new DDSketch() }));
    c.count++;
    if (v.error) c.errors++;
    c.sum += v.durationNs;
    c.max = Math.max(c.max, v.durationNs);
    c.sketch.add(v.durationNs);
  }
  const b = new RollupTableBuilder(grain);
  for (const c of [...cells.values()].sort((x, y) => x.minute - y.minute || x.key - y.key)) b.add(c.minute, c.key, c.count, c.errors, c.sum, c.max, c.sketch);
  return b.finish();
}

function randomValues(rng: Rng, n: number, keys: number): Value[] {
  return Array.from({ length: n }, () => ({
    minute: 28_000_000 + rng.int(0, 3 * 1440),
    key: rng.int(0, keys - 1),
    durationNs: rng.chance(0.05) ? 0 : Math.round(rng.logNormal(3_000_000, 1)),
    error: rng.chance(0.1),
  }));
}

function rows(t: RollupTable): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.length; i++) {
    const sketch = Buffer.from(t.sketchBytes.subarray(t.sketchStart[i]!, t.sketchStart[i + 1]!)).toString('hex');
    out.push(`${t.minute[i]} ${t.key[i]} ${t.count[i]} ${t.errors[i]} ${t.sumNs[i]} ${t.maxNs[i]} ${sketch}`);
  }
  return out;
}

describe('RollupKeys', () => {
  it('interns each key once and links it to its operation and service keys', () => {
    const keys = new RollupKeys();
    const a = keys.statusKey('cart', 'GET /cart', 2, 0);
    const b = keys.statusKey('cart', 'GET /cart', 2, 2);
    assert.equal(keys.statusKey('cart', 'GET /cart', 2, 0), a);
    assert.notEqual(a, b);
    assert.equal(keys.operationKey[a], keys.operationKey[b]);
    assert.equal(keys.serviceKey[a], keys.serviceOnly('cart'));
    assert.equal(keys.level[keys.operationKey[a]!], 'operation');
    assert.equal(keys.serviceKey[keys.operationKey[a]!], keys.serviceKey[a]);
    assert.equal(keys.kind[keys.serviceKey[a]!], -1);
  });
});

describe('aggregateTables', () => {
  const rng = new Rng(3);
  const values = randomValues(rng, 20_000, 12);

  it('merging tables of a split gives the table of the whole, row for row and byte for byte', () => {
    const whole = tableOf(values);
    const parts = [tableOf(values.slice(0, 7000)), tableOf(values.slice(7000, 7001)), tableOf(values.slice(7001))];
    assert.deepEqual(rows(aggregateTables(parts, { grainMinutes: 1 })), rows(whole));
  });

  it('widens buckets to hours and days and maps keys, as if built that way', () => {
    const byService = (k: number) => k % 3;
    for (const grain of [60, 1440]) {
      assert.deepEqual(rows(aggregateTables([tableOf(values)], { grainMinutes: grain, mapKey: byService })), rows(tableOf(values, grain, byService)));
      const viaHours = aggregateTables([aggregateTables([tableOf(values)], { grainMinutes: 60 })], { grainMinutes: grain });
      assert.deepEqual(rows(viaHours), rows(tableOf(values, grain)));
    }
  });

  it('keeps only rows in [from, to) and drops keys mapped to −1', () => {
    const from = 28_000_000 + 1440;
    const to = from + 1440;
    const t = aggregateTables([tableOf(values)], { grainMinutes: 1, fromMinute: from, toMinute: to, mapKey: (k) => (k === 5 ? -1 : k) });
    assert.deepEqual(rows(t), rows(tableOf(values.filter((v) => v.minute >= from && v.minute < to && v.key !== 5))));
    assert.equal(lowerBound(t, from), 0);
    assert.equal(lowerBound(t, to), t.length);
  });

  it('refuses to aggregate into a grain that does not contain the input grain', () => {
    assert.throws(() => aggregateTables([tableOf(values, 60)], { grainMinutes: 90 }), /rollup: cannot aggregate 60-minute rows into 90-minute rows/);
  });

  it('sorts rows appended out of minute order', () => {
    const b = new RollupTableBuilder(1);
    const s = new DDSketch();
    s.add(5);
    b.add(20, 1, 1, 0, 5, 5, s);
    b.add(10, 2, 1, 0, 5, 5, s);
    b.add(10, 1, 1, 0, 5, 5, s);
    const t = b.finish();
    assert.deepEqual([...t.minute], [10, 10, 20]);
    assert.deepEqual([...t.key], [1, 2, 1]);
  });
});

describe('tileRange', () => {
  it('tiles a range with minutes, five minutes, hours and days, each aligned and together exact', () => {
    const rng = new Rng(8);
    for (let k = 0; k < 500; k++) {
      const from = rng.int(0, 5 * 1440);
      const to = from + rng.int(1, 4 * 1440);
      const segments = tileRange(from, to);
      let at = from;
      for (const s of segments) {
        assert.equal(s.fromMinute, at);
        assert.ok(s.toMinute > s.fromMinute);
        assert.equal(s.fromMinute % s.grain, 0);
        assert.equal(s.toMinute % s.grain, 0);
        at = s.toMinute;
      }
      assert.equal(at, to);
      assert.ok(segments.length <= 7);
    }
  });
});
