// A real `marquetry serve` process is SIGKILLed in the middle of a stream of
// acknowledged requests; after a restart every acknowledged span is stored
// exactly once.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startServeProcess } from '../helpers/serve-process.js';
import { encodeExportTraceServiceRequest } from '../../src/receive/otlp-proto-encode.js';
import { hexOf } from '../../src/model/hex.js';
import { syntheticBatch } from '../helpers/synthetic-spans.js';

async function post(port: number, body: Uint8Array): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: body as Uint8Array<ArrayBuffer> });
  await res.arrayBuffer();
  return res.status;
}

describe('crash safety', () => {
  it('finds every acknowledged span exactly once after SIGKILL and restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'marquetry-crash-'));
    try {
      const first = await startServeProcess(dataDir);
      const acked = new Set<string>();
      let killed = false;
      let sent = 0;
      // 4 concurrent senders; the kill lands while requests are in flight.
      const sender = async (): Promise<void> => {
        while (!killed) {
          const batch = syntheticBatch(20, 10);
          sent++;
          try {
            const status = await post(first.otlpPort, encodeExportTraceServiceRequest(batch));
            if (status === 200) for (let i = 0; i < batch.length; i++) acked.add(hexOf(batch.spanId, i * 8, 8));
          } catch {
            return; // connection died with the server
          }
        }
      };
      const senders = [sender(), sender(), sender(), sender()];
      // Let a flush or two happen so the kill finds parts, staged files and WAL all in use.
      while (acked.size < 60_000) await new Promise((r) => setTimeout(r, 20));
      first.proc.kill('SIGKILL');
      killed = true;
      await Promise.all(senders);
      assert.equal(await first.exited, 'SIGKILL');
      assert.ok(acked.size >= 60_000, `acknowledged ${acked.size} spans before the kill`);

      const second = await startServeProcess(dataDir);
      second.proc.kill('SIGTERM'); // clean stop flushes everything into parts
      assert.equal(await second.exited, 0, 'clean stop after replay');

      const catalogDir = join(dataDir, 'catalog', 'traces');
      const latest = (await readFile(join(catalogDir, '_latest'), 'utf8')).trim().padStart(16, '0');
      const catalogParts: string[] = JSON.parse(await readFile(join(catalogDir, `${latest}.json`), 'utf8')).parts.map((p: { path: string }) => join(dataDir, p.path));
      assert.ok(catalogParts.length > 0);
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      const list = catalogParts.map((p: string) => `'${p}'`).join(',');
      const dupes = await conn.runAndReadAll(`SELECT count(*) AS n FROM (SELECT span_id FROM read_parquet([${list}], union_by_name=true) GROUP BY span_id HAVING count(*) > 1)`);
      assert.equal(Number(dupes.getRowObjectsJS()[0]!['n']), 0, 'no span stored twice');
      const ids = await conn.runAndReadAll(`SELECT lower(hex(span_id)) AS id FROM read_parquet([${list}], union_by_name=true)`);
      const stored = new Set(ids.getRowObjectsJS().map((r) => String(r['id'])));
      let missing = 0;
      for (const id of acked) if (!stored.has(id)) missing++;
      assert.equal(missing, 0, `all ${acked.size} acknowledged spans stored (sent ${sent} requests, stored ${stored.size} spans)`);
      conn.closeSync();
      db.closeSync();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
  it('puts every replayed span into parts before it is ready, also when that takes many flushes', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'marquetry-replay-'));
    try {
      // no flush at all in the first life: everything acknowledged stays in the head and the WAL
      const first = await startServeProcess(dataDir, ['--flush-interval', '1h', '--flush-max-spans', '10000000']);
      let acked = 0;
      while (acked < 12_000) {
        const batch = syntheticBatch(20, 10);
        assert.equal(await post(first.otlpPort, encodeExportTraceServiceRequest(batch)), 200);
        acked += batch.length;
      }
      first.proc.kill('SIGKILL');
      assert.equal(await first.exited, 'SIGKILL');

      // a flush takes at most 2,000 spans: replay needs at least six of them
      const second = await startServeProcess(dataDir, ['--flush-interval', '1h', '--flush-max-spans', '2000']);
      try {
        const status = (await (await fetch(`http://127.0.0.1:${second.httpPort}/api/v1/status`)).json()) as Record<string, number>;
        assert.equal(status['headPendingRows']! + status['headStagedRows']!, 0, 'head empty once ready');
        assert.equal(status['partRows'], acked);
        assert.ok(status['parts']! >= 6, `${status['parts']} parts`);
      } finally {
        second.proc.kill('SIGTERM');
        assert.equal(await second.exited, 0);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
