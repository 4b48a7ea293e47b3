import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, sqlString } from '../engine/duckdb.js';
import { Rng } from '../loadgen/rng.js';
import { computeRollups } from './rollup-compute.js';
import { readRollupFile, writeRollupFile } from './rollup-file.js';
import { RollupKeys, RollupTableBuilder, type RollupTable } from './rollup-table.js';
import { DDSketch } from './sketch.js';

interface Span {
  service: string;
  name: string;
  kind: number;
  status: number;
  startNs: bigint;
  durationNs: bigint;
}

const SERVICES = ['cart', 'pay', "o'brien"];
const BASE_NS = 1_790_000_000_000_000_000n;

function spans(rng: Rng, n: number): Span[] {
  return Array.from({ length: n }, () => {
    const service = rng.pick(SERVICES);
    // durations across the whole range a sketch must map the same way in SQL and JS
    const durationNs = rng.chance(0.03) ? 0n : BigInt(Math.max(1, Math.round(Math.exp(rng.float() * 40))));
    return { service, name: `op-${rng.int(0, 3)}`, kind: rng.int(1, 3), status: rng.int(0, 2), startNs: BASE_NS + BigInt(rng.int(0, 600)) * 1_000_000_000n, durationNs };
  });
}

/** The rollups of `list`, computed here in JS. */
function expected(list: readonly Span[], keys: RollupKeys): RollupTable {
  const cells = new Map<string, { minute: number; key: number; count: number; errors: number; sum: number; max: number; sketch: DDSketch }>();
  for (const s of list) {
    const minute = Number(s.startNs / 60_000_000_000n);
    const key = keys.statusKey(s.service, s.name, s.kind, s.status);
    const id = `${minute}/${key}`;
    let c = cells.get(id);
    if (!c) cells.set(id, (c = { minute, key, count: 0, errors: 0, sum: 0, max: -Infinity, sketch: new DDSketch() }));
    c.count++;
    if (s.status === 2) c.errors++;
    c.sum += Number(s.durationNs);
    c.max = Math.max(c.max, Number(s.durationNs));
    c.sketch.add(Number(s.durationNs));
  }
  const b = new RollupTableBuilder(1);
  for (const c of [...cells.values()].sort((x, y) => x.minute - y.minute || x.key - y.key)) b.add(c.minute, c.key, c.count, c.errors, c.sum, c.max, c.sketch);
  return b.finish();
}

/** Rows as comparable text, keyed by names rather than key ids, in a fixed order; sums to 12 digits (summed in another order). */
function rowsOf(t: RollupTable, keys: RollupKeys): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.length; i++) {
    const k = t.key[i]!;
    const sketch = Buffer.from(t.sketchBytes.subarray(t.sketchStart[i]!, t.sketchStart[i + 1]!)).toString('hex');
    out.push(`${t.minute[i]} ${keys.service[k]}|${keys.name[k]}|${keys.kind[k]}|${keys.status[k]} ${t.count[i]} ${t.errors[i]} ${t.sumNs[i]!.toPrecision(12)} ${t.maxNs[i]} ${sketch}`);
  }
  return out.sort();
}

describe('rollups from spans and rollup files', () => {
  let dir: string;
  let engine: Engine;
  const rng = new Rng(12);
  const files: Span[][] = [spans(rng, 3000), spans(rng, 1500)];
  const paths: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marquetry-rollup-'));
    engine = await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '256MB' });
    for (const [f, list] of files.entries()) {
      const path = join(dir, `spans-${f}.parquet`);
      const values = list
        .map((s) => `(${sqlString(s.service)}, ${sqlString(s.name)}, ${s.kind}, ${s.status}, ${s.startNs}, ${s.durationNs})`)
        .join(', ');
      await engine.run(
        `COPY (SELECT * FROM (VALUES ${values}) AS t(service_name, name, kind, status_code, start_time_unix_nano, duration_nano)) ` +
          `TO ${sqlString(path)} (FORMAT parquet)`,
      );
      paths.push(path);
    }
  });
  after(async () => {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('computes in SQL exactly the rollups JS computes: same buckets, counts, sums and maxima', async () => {
    const keys = new RollupKeys();
    const perFile = await computeRollups(engine, paths, keys);
    files.forEach((list, f) => assert.deepEqual(rowsOf(perFile.get(paths[f]!)!, keys), rowsOf(expected(list, keys), keys), `file ${f}`));
    const together = await computeRollups(engine, paths, keys, 'TRUE', false);
    assert.deepEqual(rowsOf(together.get('')!, keys), rowsOf(expected(files.flat(), keys), keys));
  });

  it('writes a rollup file and reads the same rows back', async () => {
    const keys = new RollupKeys();
    const table = expected(files.flat(), keys);
    const path = join(dir, 'x.rollup.parquet');
    await writeRollupFile(engine, path, table, keys);
    const otherKeys = new RollupKeys();
    otherKeys.statusKey('unrelated', 'x', 0, 0); // ids differ between dictionaries; rows must not
    const back = await readRollupFile(engine, path, otherKeys);
    assert.deepEqual(rowsOf(back, otherKeys), rowsOf(table, keys));
    const meta = await engine.all(`SELECT key::VARCHAR AS k, value::VARCHAR AS v FROM parquet_kv_metadata(${sqlString(path)})`);
    assert.deepEqual(Object.fromEntries(meta.map((r) => [r['k'], r['v']])), {
      marquetry_rollup: '1',
      sketch: 'ddsketch',
      sketch_relative_accuracy: '0.01',
      sketch_encoding: '1',
    });
  });
});
