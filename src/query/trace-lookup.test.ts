import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PartInfo } from '../parts/catalog.js';
import { TraceBloom } from '../parts/trace-bloom.js';
import { TraceIndex } from '../parts/trace-index.js';
import { Engine } from '../engine/duckdb.js';
import { balancedGroups, columnGroups, lookupTrace, manyTracesFile, TraceIndexCache } from './trace-lookup.js';

function part(id: string, files: Partial<PartInfo>): PartInfo {
  return { id, path: `${id}.parquet`, rows: 1000, bytes: 1, minStartNs: '0', maxStartNs: '0', day: '2025-01-01', level: 0, createdAtMs: 0, columns: [], services: [], ...files };
}

describe('TraceIndexCache', () => {
  it('never trusts a torn index: the whole part is read instead', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trace-lookup-'));
    try {
      const id = new Uint8Array(16).fill(7);
      const bytes = new TraceIndex([{ firstRow: 0, rowCount: 1000, fences: new Uint8Array(0), bloom: TraceBloom.build(new Uint8Array(16).fill(1), 1) }]).encode();
      await writeFile(join(dir, 'torn.tidx'), bytes.subarray(0, bytes.length - 1));
      const torn = await new TraceIndexCache().get(dir, part('torn', { traceIndexPath: 'torn.tidx' }));
      assert.deepEqual(torn.rowRanges(id), [{ from: 0, to: 1000 }]);
      const missing = await new TraceIndexCache().get(dir, part('missing', { traceIndexPath: 'missing.tidx' }));
      assert.deepEqual(missing.rowRanges(id), [{ from: 0, to: 1000 }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads the bloom filter of a part written before trace indexes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trace-lookup-'));
    try {
      const held = Uint8Array.from({ length: 16 }, (_, i) => i * 17 + 3);
      await TraceBloom.build(held, 1).write(join(dir, 'old.bloom'));
      const index = await new TraceIndexCache().get(dir, part('old', { bloomPath: 'old.bloom' }));
      assert.deepEqual(index.rowRanges(held), [{ from: 0, to: 1000 }]);
      assert.deepEqual(index.rowRanges(Uint8Array.from({ length: 16 }, (_, i) => 255 - i * 13)), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('columnGroups', () => {
  it('splits columns into groups of about equal decoding cost, each column once', () => {
    const columns = ['trace_id', 'span_id', 'parent_span_id', 'events', 'start_time_unix_nano', 'duration_nano', ...Array.from({ length: 20 }, (_, i) => `span.a${i}`)];
    const groups = columnGroups(columns, 2);
    assert.equal(groups.length, 2);
    assert.deepEqual(groups.flat().sort(), [...columns].sort());
    assert.ok(groups[0]!.includes('events') !== groups[1]!.includes('events'));
    assert.ok(Math.abs(groups[0]!.length - groups[1]!.length) <= 10);
  });
});

describe('lookupTrace', () => {
  it('reads every part that holds the trace, whichever of several candidates do', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trace-lookup-'));
    const engine = await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '256MB' });
    try {
      // Parts without a trace index are candidates for every id (read whole).
      const write = (name: string, traces: string[]): Promise<void> =>
        engine.run(
          `COPY (SELECT from_hex(t) AS trace_id, i::BIGINT AS start_time_unix_nano, 'x' || i AS name FROM (SELECT unnest([${traces.map((t) => `'${t}'`).join(', ')}]) AS t, generate_subscripts([${traces.map(() => 1).join(', ')}], 1) AS i)) ` +
            `TO '${join(dir, name)}' (FORMAT parquet)`,
        );
      const a = '0a'.repeat(16);
      const b = '0b'.repeat(16);
      await write('p1.parquet', [a, a, b]);
      await write('p2.parquet', [b, b]);
      await write('p3.parquet', [a]);
      const columns = ['trace_id', 'start_time_unix_nano', 'name'];
      const parts = ['p1', 'p2', 'p3'].map((id) => part(id, { rows: 3, columns }));
      const input = { dataDir: dir, parts, staged: [] };
      const spans = async (hex: string): Promise<string[]> =>
        (await lookupTrace(engine, input, Buffer.from(hex, 'hex'), new TraceIndexCache())).map((r) => `${Buffer.from(r['trace_id'] as Uint8Array).toString('hex').slice(0, 2)}:${String(r['name'])}`).sort();
      assert.deepEqual(await spans(a), ['0a:x1', '0a:x1', '0a:x2']);
      assert.deepEqual(await spans(b), ['0b:x1', '0b:x2', '0b:x3']);
      assert.deepEqual(await spans('0c'.repeat(16)), []);
    } finally {
      engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('balancedGroups', () => {
  it('puts each item in one group, the heaviest apart', () => {
    const items = [5, 1, 1, 1, 1, 1].map((weight, i) => ({ weight, i }));
    const groups = balancedGroups(items, 2);
    assert.deepEqual(groups.map((g) => g.reduce((n, x) => n + x.weight, 0)).sort(), [5, 5]);
    assert.deepEqual(groups.flat().map((x) => x.i).sort(), [0, 1, 2, 3, 4, 5]);
    assert.equal(balancedGroups(items.slice(0, 1), 2).length, 1);
  });
});

describe('manyTracesFile', () => {
  it('widens row ranges to whole row groups and merges them; a staging file stays whole', () => {
    const file = { path: 'p.parquet', columns: [], rows: [{ from: 10, to: 20 }, { from: 90, to: 130 }, { from: 2050, to: 2100 }, { from: 250, to: 260 }] };
    assert.deepEqual(manyTracesFile(file, 100).rows, [{ from: 0, to: 300 }, { from: 2000, to: 2100 }]);
    assert.deepEqual(manyTracesFile({ path: 's.parquet', columns: [] }, 100).rows, undefined);
  });
});
