// Log parts through compaction and retention: merged parts keep every record
// once and a token index that still finds rare words; retention drops whole
// parts with their token indexes.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { query as chdbQuery } from 'chdb';
import { getJson, startTestServer } from '../helpers/test-server.js';

/** Codec and writer of each column chunk of a part, as DuckDB reads its footer. */
async function partEncodings(path: string): Promise<{ codecs: string[]; createdBy: string[] }> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const q = `'${path.replaceAll("'", "''")}'`;
    const codecs = (await conn.runAndReadAll(`SELECT DISTINCT compression AS c FROM parquet_metadata(${q}) ORDER BY c`)).getRowObjectsJS().map((r) => String(r['c']));
    const createdBy = (await conn.runAndReadAll(`SELECT created_by AS c FROM parquet_file_metadata(${q})`)).getRowObjectsJS().map((r) => String(r['c']));
    return { codecs, createdBy };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

describe('log parts through compaction and retention', () => {
  it('merges a day of log parts, concatenating their token indexes, and still finds every word', async () => {
    const server = await startTestServer({ flushIntervalMs: 3_600_000, compactIntervalMs: 3_600_000 });
    try {
      const base = Math.floor(Date.now() / 86_400_000) * 86_400 + 60; // a minute into today (UTC), in seconds
      // batch 4's times have a nanosecond beyond whole µs: its part keeps them in ns, the others in µs (src/parts/log-time-micros.ts)
      const timeOf = (k: number, i: number): number | string => (k === 4 ? new Date((base + k * 40 + i) * 1000).toISOString().replace('Z', '000001Z') : base + k * 40 + i);
      for (let k = 0; k < 5; k++) {
        // batch 3 has a field the others lack: the merge writes its column's null chunks for the other parts
        const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ t: timeOf(k, i), msg: `batch ${k} line ${i}${i === 7 ? ` marker${k}` : ''}`, ...(k === 3 ? { only3: i } : {}) }));
        const r = await getJson(`${server.apiUrl}/api/v1/ingest/merge-${k % 2}?time_field=t`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: lines.join('\n') });
        assert.equal(r.body.accepted, 40);
        await server.logs.flush();
      }
      const before = server.logs.catalog.snapshot.parts;
      assert.equal(before.length, 5);
      const timeColumns = (columns: readonly string[]): string[] => columns.filter((c) => c.startsWith('time_unix'));
      assert.deepEqual(before.map((p) => timeColumns(p.columns)), [['time_unix_us'], ['time_unix_us'], ['time_unix_us'], ['time_unix_us'], ['time_unix_nano']]);
      // flushed by our own writer: zstd pages (docs/storage.md, "Log parts")
      for (const p of before) assert.deepEqual(await partEncodings(join(server.config.dataDir, p.path)), { codecs: ['ZSTD'], createdBy: ['marquetry version 0.1.0'] });
      assert.equal(await server.logs.compact(), 5);
      const after = server.logs.catalog.snapshot.parts;
      assert.equal(after.length, 1);
      assert.equal(after[0]!.rows, 200);
      assert.deepEqual(timeColumns(after[0]!.columns), ['time_unix_nano', 'time_unix_us']);
      // merged by concatenating the parts' chunks (the main thread writes the null chunks: zstd loaded there too):
      // still ours, still zstd, and ClickHouse reads every row
      const merged = join(server.config.dataDir, after[0]!.path);
      assert.deepEqual(await partEncodings(merged), { codecs: ['ZSTD'], createdBy: ['marquetry version 0.1.0'] });
      const fromClickHouse = chdbQuery(`SELECT \`body.msg\` AS msg, \`body.only3::int\` AS only3 FROM file('${merged}', Parquet) ORDER BY msg`, 'JSONEachRow')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { msg: string; only3: number | null });
      assert.equal(fromClickHouse.length, 200);
      assert.equal(new Set(fromClickHouse.map((r) => r.msg)).size, 200);
      assert.deepEqual(
        fromClickHouse.filter((r) => r.only3 !== null).map((r) => r.msg),
        fromClickHouse.filter((r) => r.msg.startsWith('batch 3 ')).map((r) => r.msg),
      );
      assert.ok(after[0]!.tokenIndexPath && (await exists(join(server.config.dataDir, after[0]!.tokenIndexPath))));
      for (let k = 0; k < 5; k++) {
        const r = await getJson(`${server.apiUrl}/api/v1/logs?query=marker${k}`);
        assert.deepEqual(r.body.records.map((x: any) => x.body.msg), [`batch ${k} line 7 marker${k}`]);
      }
      const all = await getJson(`${server.apiUrl}/api/v1/logs?limit=1000`);
      assert.equal(all.body.records.length, 200);
      // every record at its time in ns, from either column of the merged part, newest first
      const expectedTimes = Array.from({ length: 200 }, (_, n) => (BigInt(base + n) * 1_000_000_000n + (n >= 160 ? 1n : 0n)).toString()).reverse();
      assert.deepEqual(all.body.records.map((x: any) => x.timeUnixNano), expectedTimes);
      const lastBatch = await getJson(`${server.apiUrl}/api/v1/logs?limit=1000&start=${BigInt(base + 150) * 1_000_000_000n}&end=${BigInt(base + 170) * 1_000_000_000n}`);
      assert.equal(lastBatch.body.records.length, 20, 'a time range over both columns');
      assert.equal(new Set(all.body.records.map((x: any) => x.body.msg)).size, 200, 'each record once');
    } finally {
      await server.dispose();
    }
  });

  it('drops log parts older than the retention period with their token indexes', async () => {
    const server = await startTestServer({ flushIntervalMs: 3_600_000, compactIntervalMs: 3_600_000, retentionMs: 86_400_000 });
    try {
      const old = Math.floor(Date.now() / 1000) - 3 * 86_400;
      const fresh = Math.floor(Date.now() / 1000) - 60;
      const body = [JSON.stringify({ t: old, msg: 'ancient' }), JSON.stringify({ t: fresh, msg: 'recent' })].join('\n');
      await getJson(`${server.apiUrl}/api/v1/ingest/ret?time_field=t`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
      await server.logs.flush();
      const parts = server.logs.catalog.snapshot.parts;
      assert.equal(parts.length, 2, 'one part per day');
      const oldPart = parts.find((p) => BigInt(p.maxStartNs) < BigInt(fresh - 86_400) * 1_000_000_000n)!;
      await server.logs.compact();
      assert.deepEqual(server.logs.catalog.snapshot.parts.map((p) => p.id), parts.filter((p) => p !== oldPart).map((p) => p.id));
      const r = await getJson(`${server.apiUrl}/api/v1/logs?limit=10`);
      assert.deepEqual(r.body.records.map((x: any) => x.body.msg), ['recent']);
      const gone = async (): Promise<boolean> => !(await exists(join(server.config.dataDir, oldPart.tokenIndexPath!)));
      for (let i = 0; i < 100 && !(await gone()); i++) await new Promise((res) => setTimeout(res, 50));
      assert.ok(await gone(), 'token index of the dropped part deleted');
    } finally {
      await server.dispose();
    }
  });
});
