// A real `marquetry serve` process is SIGKILLed in the middle of a stream of
// acknowledged log requests — OTLP/JSON logs and JSON lines — and after a
// restart every acknowledged record is stored exactly once.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { startServeProcess } from '../helpers/serve-process.js';

let nextId = 0;

/** An OTLP/JSON logs request of `n` records, each with a unique `rid` attribute. */
function otlpJsonRequest(n: number): { body: string; ids: string[] } {
  const ids: string[] = [];
  const logRecords = [];
  for (let i = 0; i < n; i++) {
    const id = `o${nextId++}`;
    ids.push(id);
    logRecords.push({
      timeUnixNano: String(BigInt(Date.now()) * 1_000_000n + BigInt(i)),
      severityNumber: 9,
      body: { stringValue: `request ${id} served in ${i} ms` },
      attributes: [{ key: 'rid', value: { stringValue: id } }],
    });
  }
  const body = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'crash-otlp' } }] }, scopeLogs: [{ scope: { name: 's' }, logRecords }] }] };
  return { body: JSON.stringify(body), ids };
}

/** JSON lines of `n` records with a unique `rid` field, one bad line among them. */
function jsonLines(n: number): { body: string; ids: string[] } {
  const ids: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `j${nextId++}`;
    ids.push(id);
    lines.push(JSON.stringify({ rid: id, msg: `job ${id} done`, n: i, nested: { ok: i % 2 === 0 } }));
  }
  lines.splice(n >> 1, 0, '{not json');
  return { body: lines.join('\n'), ids };
}

describe('crash safety of logs', () => {
  it('finds every acknowledged log record exactly once after SIGKILL and restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'marquetry-logs-crash-'));
    try {
      const first = await startServeProcess(dataDir);
      const acked = new Set<string>();
      let killed = false;
      const sender = async (kind: 'otlp' | 'lines'): Promise<void> => {
        while (!killed) {
          const req = kind === 'otlp' ? otlpJsonRequest(50) : jsonLines(50);
          try {
            const url = kind === 'otlp' ? `http://127.0.0.1:${first.otlpPort}/v1/logs` : `http://127.0.0.1:${first.httpPort}/api/v1/ingest/crash-lines`;
            const res = await fetch(url, { method: 'POST', headers: { 'content-type': kind === 'otlp' ? 'application/json' : 'application/x-ndjson' }, body: req.body });
            const answer = await res.json();
            if (res.status === 200 && (kind === 'otlp' || answer.accepted === 50)) for (const id of req.ids) acked.add(id);
          } catch {
            return; // connection died with the server
          }
        }
      };
      const senders = [sender('otlp'), sender('otlp'), sender('lines'), sender('lines')];
      while (acked.size < 30_000) await new Promise((r) => setTimeout(r, 20));
      first.proc.kill('SIGKILL');
      killed = true;
      await Promise.all(senders);
      assert.equal(await first.exited, 'SIGKILL');

      const second = await startServeProcess(dataDir);
      second.proc.kill('SIGTERM');
      assert.equal(await second.exited, 0, 'clean stop after replay');

      const catalogDir = join(dataDir, 'catalog', 'logs');
      const latest = (await readFile(join(catalogDir, '_latest'), 'utf8')).trim().padStart(16, '0');
      const parts: string[] = JSON.parse(await readFile(join(catalogDir, `${latest}.json`), 'utf8')).parts.map((p: { path: string }) => join(dataDir, p.path));
      assert.ok(parts.length > 0);
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      const list = parts.map((p) => `'${p}'`).join(',');
      const rows = await conn.runAndReadAll(`SELECT coalesce("log.rid", "body.rid") AS id, count(*) AS n FROM read_parquet([${list}], union_by_name=true) GROUP BY ALL`);
      const stored = new Map(rows.getRowObjectsJS().map((r) => [String(r['id']), Number(r['n'])]));
      const twice = [...stored.values()].filter((n) => n > 1).length;
      assert.equal(twice, 0, 'no record stored twice');
      let missing = 0;
      for (const id of acked) if (!stored.has(id)) missing++;
      assert.equal(missing, 0, `all ${acked.size} acknowledged records stored (stored ${stored.size})`);
      conn.closeSync();
      db.closeSync();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
