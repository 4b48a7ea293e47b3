import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJsonLines } from '../receive/json-lines-decode.js';
import { stageRows, type StagedFile } from '../head/head.js';
import { LOG_STAGING_SCHEMA } from '../parts/log-columns.js';
import { logRowsOf, tokenChunksOf } from '../parts/log-token-chunks.js';
import { TOKEN_CHUNK_ROWS, encodeTokenIndex } from '../parts/token-index.js';
import { writeParts } from '../parts/part-writer.js';
import { seededRandom } from '../model/seeded-random.js';
import { Engine, readParquetSql } from '../engine/duckdb.js';
import { withLogTimeSql } from '../parts/log-time-micros.js';
import { LOG_TIME_COLUMN } from '../parts/log-columns.js';
import { LOG_PART_LAYOUT } from './log-store.js';
import { stagedSource } from './signal-store.js';

const BASE_MS = Date.parse('2026-11-19T00:00:00Z');

/** JSON lines of a few services' requests, interleaved in time, with words common and rare. */
function linesOf(count: number, seed: number): string {
  const random = seededRandom(seed);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = BASE_MS + i * 3 + Math.floor(random() * 50);
    const req = `r${Math.floor(i / 4 + random() * 3).toString(16)}`;
    lines.push(JSON.stringify({ ts: new Date(at).toISOString(), req_id: req, msg: `step ${i % 7} took ${Math.floor(random() * 5000)} ms word${Math.floor(random() * 20_000)}`, user: `u-${Math.floor(random() * 300)}` }));
  }
  return lines.join('\n');
}

/** A staging file as the head writes one: rows of three services (streams), their word hashes beside it. */
async function stagedFileOf(dir: string, name: string, seed: number, count: number): Promise<StagedFile> {
  const batches = ['checkout', 'api', 'Zeta'].map((stream, s) => {
    const body = new TextEncoder().encode(linesOf(count, seed * 10 + s));
    return decodeJsonLines(body, { stream, timeField: 'ts', severityField: '', receivedNs: 1n }).batch;
  });
  const rows = batches.reduce((n, b) => n + b.length, 0);
  const path = join(dir, name);
  const content = await stageRows(LOG_STAGING_SCHEMA, batches, path, rows);
  return { path, firstSeq: 0, lastSeq: 0, ...content };
}

describe('token indexes of flushed log parts', () => {
  it('are written by the flush worker byte for byte as the main thread built them, each chunk where its rows are in the part', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marquetry-log-tokens-'));
    const engine = await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '512MB' });
    try {
      // files not in path order, and a request's lines in more than one of them; three services' rows in each, over two chunks in all
      const perService = Math.ceil((2 * TOKEN_CHUNK_ROWS) / 3) + 1000;
      const staged = [await stagedFileOf(dir, '000002.parquet', 2, Math.ceil((perService * 7) / 12)), await stagedFileOf(dir, '000001.parquet', 1, Math.ceil((perService * 5) / 12))];
      const parts = await writeParts(engine, dir, LOG_PART_LAYOUT, stagedSource(staged, logRowsOf), 0);
      assert.equal(parts.length, 1);
      const part = parts[0]!;
      assert.ok(part.tokenIndexPath, 'the part has a token index');
      const from = BigInt(BASE_MS - (BASE_MS % 86_400_000)) * 1_000_000n;
      const chunks = tokenChunksOf(logRowsOf(staged), from, from + 86_400_000_000_000n);
      assert.ok(chunks.length >= 3, `${chunks.length} chunks`);
      assert.deepEqual(await readFile(join(dir, part.tokenIndexPath)), Buffer.from(encodeTokenIndex(chunks)));
      // each chunk's first and last row, read back from the part: its time and service bounds
      const rowsOfChunks = chunks.flatMap((c) => [c.firstRow, c.firstRow + c.rows - 1]);
      const rows = await engine.all(
        `SELECT file_row_number AS r, ${LOG_TIME_COLUMN} AS t, service_name AS s FROM ${withLogTimeSql(readParquetSql([join(dir, part.path)], { fileRowNumber: true }), part.columns)} ` +
          `WHERE file_row_number IN (${rowsOfChunks.join(', ')}) ORDER BY r`,
      );
      assert.equal(rows.length, rowsOfChunks.length);
      chunks.forEach((c, i) => {
        assert.equal(c.rows, Math.min(TOKEN_CHUNK_ROWS, part.rows - c.firstRow));
        const [first, last] = [rows[2 * i]!, rows[2 * i + 1]!];
        for (const r of [first, last]) assert.ok((r['t'] as bigint) >= c.minTimeNs && (r['t'] as bigint) <= c.maxTimeNs);
        assert.equal(first['s'], c.minService);
        assert.equal(last['s'], c.maxService);
      });
    } finally {
      engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
