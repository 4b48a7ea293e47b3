import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from './parquet/testing.js';
import { TraceBloom } from './trace-bloom.js';
import { FENCE_ROWS, TraceIndex, TraceIndexCorruptError, type TraceIndexRun } from './trace-index.js';

/** A sorted run: `traces` random ids with 1..40 rows each, as a part's rows (16 bytes per row). */
function sortedRun(random: () => number, traces: number): { rowIds: Uint8Array; distinct: Uint8Array } {
  const ids: Uint8Array[] = [];
  for (let t = 0; t < traces; t++) ids.push(Uint8Array.from({ length: 16 }, () => Math.floor(random() * 256)));
  ids.sort((a, b) => Buffer.compare(a, b));
  const rows: Uint8Array[] = [];
  for (const id of ids) for (let k = 1 + Math.floor(random() * 40); k > 0; k--) rows.push(id);
  const rowIds = new Uint8Array(rows.length * 16);
  rows.forEach((id, i) => rowIds.set(id, i * 16));
  const distinct = new Uint8Array(ids.length * 16);
  ids.forEach((id, i) => distinct.set(id, i * 16));
  return { rowIds, distinct };
}

function runOf(rowIds: Uint8Array, distinct: Uint8Array, firstRow: number): TraceIndexRun {
  const rows = rowIds.length / 16;
  const fences = new Uint8Array(Math.ceil(rows / FENCE_ROWS) * 16);
  for (let f = 0; f * FENCE_ROWS < rows; f++) fences.set(rowIds.subarray(f * FENCE_ROWS * 16, f * FENCE_ROWS * 16 + 16), f * 16);
  return { firstRow, rowCount: rows, fences, bloom: TraceBloom.build(distinct, distinct.length / 16) };
}

/** Rows of the part holding `id`, by scanning every row. */
function rowsOf(partIds: Uint8Array, id: Uint8Array): number[] {
  const out: number[] = [];
  for (let r = 0; r < partIds.length / 16; r++) if (Buffer.compare(partIds.subarray(r * 16, r * 16 + 16), id) === 0) out.push(r);
  return out;
}

function covered(index: TraceIndex, id: Uint8Array, rows: readonly number[]): boolean {
  const ranges = index.rowRanges(id);
  return rows.every((r) => ranges.some((x) => r >= x.from && r < x.to));
}

describe('TraceIndex', () => {
  it('finds every row of every trace in a part of several sorted runs, within about two fences per run', () => {
    const random = seededRandom(7);
    const a = sortedRun(random, 900);
    const b = sortedRun(random, 700);
    const partIds = new Uint8Array(a.rowIds.length + b.rowIds.length);
    partIds.set(a.rowIds, 0);
    partIds.set(b.rowIds, a.rowIds.length);
    const index = new TraceIndex([runOf(a.rowIds, a.distinct, 0), runOf(b.rowIds, b.distinct, a.rowIds.length / 16)]);
    for (const distinct of [a.distinct, b.distinct]) {
      for (let t = 0; t < distinct.length / 16; t += 7) {
        const id = distinct.subarray(t * 16, t * 16 + 16);
        const rows = rowsOf(partIds, id);
        assert.ok(covered(index, id, rows), `trace ${t}`);
        const span = index.rowRanges(id).reduce((n, r) => n + r.to - r.from, 0);
        assert.ok(span <= 3 * FENCE_ROWS, `trace ${t} read ${span} rows`);
      }
    }
  });

  it('names no rows for a trace id it does not hold (up to bloom false positives)', () => {
    const random = seededRandom(8);
    const run = sortedRun(random, 500);
    const index = new TraceIndex([runOf(run.rowIds, run.distinct, 0)]);
    let hits = 0;
    for (let i = 0; i < 1000; i++) if (index.rowRanges(Uint8Array.from({ length: 16 }, () => Math.floor(random() * 256))).length > 0) hits++;
    assert.ok(hits < 50, `${hits} of 1000 unknown ids got rows`);
  });

  it('builds the same ranges from distinct ids and span counts as from the rows', () => {
    const random = seededRandom(9);
    const run = sortedRun(random, 400);
    const counts: number[] = [];
    for (let r = 0, t = -1; r < run.rowIds.length / 16; r++) {
      if (r === 0 || Buffer.compare(run.rowIds.subarray(r * 16, r * 16 + 16), run.rowIds.subarray(r * 16 - 16, r * 16)) !== 0) counts[++t] = 0;
      counts[counts.length - 1]!++;
    }
    const index = TraceIndex.ofSortedTraces(run.distinct, Uint32Array.from(counts));
    for (let t = 0; t < counts.length; t++) {
      const id = run.distinct.subarray(t * 16, t * 16 + 16);
      assert.ok(covered(index, id, rowsOf(run.rowIds, id)), `trace ${t}`);
    }
  });

  it('shifts the runs of concatenated parts by the rows before them', () => {
    const random = seededRandom(10);
    const a = sortedRun(random, 300);
    const b = sortedRun(random, 300);
    const ia = new TraceIndex([runOf(a.rowIds, a.distinct, 0)]);
    const ib = new TraceIndex([runOf(b.rowIds, b.distinct, 0)]);
    const merged = TraceIndex.concatenate([
      { index: ia, rows: a.rowIds.length / 16 },
      { index: ib, rows: b.rowIds.length / 16 },
    ]);
    const partIds = Buffer.concat([a.rowIds, b.rowIds]);
    const id = b.distinct.subarray(16, 32);
    assert.ok(covered(merged, id, rowsOf(partIds, id)));
    assert.equal(merged.rowCount, partIds.length / 16);
  });

  it('round-trips through its byte encoding', () => {
    const random = seededRandom(11);
    const run = sortedRun(random, 200);
    const index = new TraceIndex([runOf(run.rowIds, run.distinct, 5)]);
    const back = TraceIndex.decode(index.encode());
    assert.deepEqual(back.encode(), index.encode());
    const id = run.distinct.subarray(0, 16);
    assert.deepEqual(back.rowRanges(id), index.rowRanges(id));
  });

  it('refuses the file cut at any byte, or with any byte changed', () => {
    const random = seededRandom(12);
    const run = sortedRun(random, 60);
    const bytes = new TraceIndex([runOf(run.rowIds, run.distinct, 0)]).encode();
    for (let cut = 0; cut < bytes.length; cut++) {
      assert.throws(() => TraceIndex.decode(bytes.subarray(0, cut)), TraceIndexCorruptError, `cut at ${cut}`);
    }
    for (let at = 0; at < bytes.length; at += 13) {
      const changed = bytes.slice();
      changed[at]! ^= 0x40;
      assert.throws(() => TraceIndex.decode(changed), TraceIndexCorruptError, `byte ${at} changed`);
    }
  });

  it('is written whole under its name or not at all', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trace-index-'));
    try {
      const random = seededRandom(13);
      const run = sortedRun(random, 50);
      const index = new TraceIndex([runOf(run.rowIds, run.distinct, 0)]);
      // a crash mid-write leaves only the temporary file, never a torn index under the final name
      await writeFile(join(dir, 'p.tidx.tmp'), index.encode().subarray(0, 20));
      await assert.rejects(TraceIndex.read(join(dir, 'p.tidx')), /ENOENT/);
      await index.write(join(dir, 'p.tidx'));
      assert.deepEqual((await TraceIndex.read(join(dir, 'p.tidx'))).encode(), index.encode());
      assert.deepEqual((await readdir(dir)).sort(), ['p.tidx']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
