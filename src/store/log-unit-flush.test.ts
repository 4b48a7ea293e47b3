import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJsonLines } from '../receive/json-lines-decode.js';
import { stageRows, type StagedFile } from '../head/head.js';
import { LOG_STAGING_SCHEMA } from '../parts/log-columns.js';
import { logRowsOf } from '../parts/log-token-chunks.js';
import { writeParts } from '../parts/part-writer.js';
import type { PartInfo } from '../parts/catalog.js';
import { UNIT_ROW_COLUMN, lineColumnOf } from '../parts/log-unit-columns.js';
import { logFileRelationSql } from '../parts/log-unit-join.js';
import { seededRandom } from '../model/seeded-random.js';
import { Engine } from '../engine/duckdb.js';
import { sqlIdent } from '../engine/sql-quote.js';
import { LOG_PART_LAYOUT } from './log-store.js';
import { stagedSource } from './signal-store.js';

const BASE_MS = Date.parse('2026-11-20T00:00:00Z');
/** Small row groups: a run of a few thousand lines has units cut at several of them. */
const GROUP_ROWS = 1000;
const SERVICES = ['cart', 'checkout-api', 'search'];
const PATHS = ['/api/cart', '/api/login', '/api/search', '/health'];

/**
 * JSON lines of requests of 1 to `longest` lines (or 2 lines for one in
 * `pairsEvery`, 1 for the others), interleaved in time: per-request fields
 * (host, service = the host before its last dash, http, user, a retry count
 * on some requests), per-line ones (seq, msg, a note on some lines), and a
 * line in 20 without a request id (a unit by itself).
 */
function requestLines(count: number, seed: number, lengths: (random: () => number) => number): string {
  const random = seededRandom(seed);
  const n = (m: number): number => Math.floor(random() * m);
  const slots: Record<string, unknown>[] = [];
  let request = 0;
  while (slots.length < count) {
    const service = SERVICES[n(SERVICES.length)]!;
    const shared = {
      service,
      host: `${service}-${n(5)}`,
      req_id: `${seed}-${(request++).toString(16)}`,
      http: { method: ['GET', 'POST'][n(2)], path: PATHS[n(PATHS.length)], status: [200, 200, 404, 500][n(4)], duration_ms: n(200_000) / 100 },
      user: { id: `u-${n(100_000)}`, tier: ['free', 'pro'][n(2)] },
      ...(n(3) === 0 ? { retry: n(4) } : {}),
    };
    for (let k = lengths(random); k > 0 && slots.length < count; k--) slots.push({ ...shared });
  }
  // shuffled within windows of 64 slots: a request's lines interleave with others', as they arrive
  for (let w = 0; w < slots.length; w += 64) {
    for (let k = Math.min(slots.length, w + 64) - 1; k > w; k--) {
      const j = w + n(k - w + 1);
      [slots[k], slots[j]] = [slots[j]!, slots[k]!];
    }
  }
  return slots
    .map((shared, i) => {
      const line: Record<string, unknown> = {
        ts: new Date(BASE_MS + i * 7 + n(5)).toISOString(),
        level: ['info', 'info', 'debug', 'warn'][n(4)],
        ...shared,
        seq: i,
        msg: `step ${n(9)} took ${n(5000)} ms`,
      };
      if (n(4) === 0) line['note'] = `cache ${['hit', 'miss'][n(2)]}`;
      if (i % 20 === 3) delete line['req_id'];
      return JSON.stringify(line);
    })
    .join('\n');
}

/** A staging file as the head writes one: two streams' requests, their word hashes beside it. */
async function stagedFileOf(dir: string, name: string, seed: number, count: number, lengths: (random: () => number) => number): Promise<StagedFile> {
  const batches = ['web', 'jobs'].map((stream, s) => {
    const body = new TextEncoder().encode(requestLines(count, seed * 10 + s, lengths));
    return decodeJsonLines(body, { stream, timeField: 'ts', severityField: 'level', correlationField: 'req_id', receivedNs: 1n }).batch;
  });
  const rows = batches.reduce((n, b) => n + b.length, 0);
  const path = join(dir, name);
  const content = await stageRows(LOG_STAGING_SCHEMA, batches, path, rows);
  return { path, firstSeq: 0, lastSeq: 0, ...content };
}

/** The one part a flush of `staged` writes, units form on or off. */
async function flushed(engine: Engine, dir: string, staged: readonly StagedFile[], unitColumns: boolean): Promise<PartInfo> {
  const layout = { ...LOG_PART_LAYOUT, rowGroupRows: GROUP_ROWS, unitColumns };
  const parts = await writeParts(engine, dir, layout, stagedSource(staged, logRowsOf), 0);
  assert.equal(parts.length, 1);
  return parts[0]!;
}

/**
 * A part's rows as a line-form part holds them, in file order: by the
 * reference reading of the units form — each unit column's value at the
 * line's `__unit_row` — written out here, not the readers' code.
 */
async function lineFormRows(engine: Engine, path: string): Promise<string> {
  const described = await engine.all(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
  const columns = described.map((r) => String(r['column_name']));
  if (!columns.includes(UNIT_ROW_COLUMN)) return `SELECT *, file_row_number FROM read_parquet('${path}', file_row_number = true)`;
  const q = sqlIdent;
  const units = columns.filter((c) => lineColumnOf(c) !== undefined);
  const unitValues = units.map((c) => {
    const line = lineColumnOf(c)!;
    return columns.includes(line) ? `coalesce(l.${q(line)}, u.${q(c)}) AS ${q(line)}` : `u.${q(c)} AS ${q(line)}`;
  });
  const lineColumns = columns.filter((c) => c !== UNIT_ROW_COLUMN && lineColumnOf(c) === undefined && !units.includes(`${c}::unit`));
  return (
    `SELECT ${[...lineColumns.map((c) => `l.${q(c)}`), ...unitValues, 'l.file_row_number'].join(', ')} ` +
    `FROM read_parquet('${path}', file_row_number = true) l LEFT JOIN read_parquet('${path}', file_row_number = true) u ON l.${q(UNIT_ROW_COLUMN)} = u.file_row_number`
  );
}

/** Rows of one query that the other lacks, both ways (EXCEPT ALL, with the file row: order counts). */
async function differingRows(engine: Engine, a: string, b: string, columns: readonly string[]): Promise<number[]> {
  const names = [...columns, 'file_row_number'].map(sqlIdent).join(', ');
  const count = async (x: string, y: string): Promise<number> =>
    Number((await engine.all(`SELECT count(*) AS n FROM (SELECT ${names} FROM (${x}) EXCEPT ALL SELECT ${names} FROM (${y}))`))[0]!['n']);
  return [await count(a, b), await count(b, a)];
}

describe('a log flush writing per-request fields once per unit', () => {
  it('gives the line-form part rows back through the reference join, with the per-request fields and their pieces as unit columns, each unit row in its lines row group', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marquetry-log-units-'));
    const engine = await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '512MB' });
    try {
      const upToSix = (random: () => number): number => 1 + Math.floor(random() * 6);
      const staged = [await stagedFileOf(dir, '000002.parquet', 2, 2300, upToSix), await stagedFileOf(dir, '000001.parquet', 1, 1900, upToSix)];
      const lines = await flushed(engine, dir, staged, false);
      const units = await flushed(engine, dir, staged, true);
      const unitColumns = units.columns.filter((c) => lineColumnOf(c) !== undefined).sort();
      // the per-request fields, their template and decimal pieces and the marker of a unit column
      for (const expected of ['body.req_id', 'body.host', 'body.service::dash-prefix.body.host', 'body.http.method', 'body.http.path', 'body.http.status::int', 'body.user.tier', 'body.retry::int']) {
        assert.ok(unitColumns.includes(`${expected}::unit`), `${expected}::unit among ${unitColumns.join(', ')}`);
      }
      assert.ok(unitColumns.some((c) => /^body\.user\.id::template\.0::unit$/.test(c)), `a template piece among ${unitColumns.join(', ')}`);
      assert.ok(unitColumns.some((c) => /^body\.http\.duration_ms::double::decimal\.\d::unit$/.test(c)), `a decimal among ${unitColumns.join(', ')}`);
      assert.ok(!unitColumns.some((c) => /^(body\.(msg|seq|note|level)|severity|time|service_name|stream)/.test(c)), `no per-line or hot column among ${unitColumns.join(', ')}`);
      assert.ok(units.columns.includes(UNIT_ROW_COLUMN));
      assert.ok(units.bytes < lines.bytes, `${units.bytes} < ${lines.bytes} bytes`);
      // the same rows in the same order
      const unitPath = join(dir, units.path);
      const linePath = join(dir, lines.path);
      assert.deepEqual([...units.columns.filter((c) => c !== UNIT_ROW_COLUMN).map((c) => lineColumnOf(c) ?? c)].sort(), [...lines.columns].sort());
      assert.deepEqual(await differingRows(engine, await lineFormRows(engine, unitPath), await lineFormRows(engine, linePath), lines.columns), [0, 0]);
      // and as queries see them: the fields rebuilt from their pieces (templates, decimals, markers) through marquetry's join
      const projected = (path: string, part: PartInfo): string => `SELECT * FROM ${logFileRelationSql(path, part.columns)}`;
      const fields = (await engine.all(`DESCRIBE ${projected(linePath, lines)}`)).map((r) => String(r['column_name'])).filter((c) => c !== 'file_row_number');
      assert.ok(fields.includes('body.service') && fields.includes('body.user.id') && fields.includes('body.http.duration_ms::double'), fields.join(', '));
      assert.deepEqual(await differingRows(engine, projected(unitPath, units), projected(linePath, lines), fields), [0, 0]);
      // every line names a unit row of its own row group, at or before it, that holds the unit's values
      const [placed] = await engine.all(
        `SELECT count(*) AS n, count(*) FILTER (WHERE ${UNIT_ROW_COLUMN} // ${GROUP_ROWS} = file_row_number // ${GROUP_ROWS} AND ${UNIT_ROW_COLUMN} <= file_row_number) AS in_group ` +
          `FROM read_parquet('${unitPath}', file_row_number = true)`,
      );
      assert.equal(Number(placed!['n']), lines.rows);
      assert.equal(Number(placed!['in_group']), lines.rows);
      const [held] = await engine.all(
        `SELECT count(*) AS n FROM read_parquet('${unitPath}', file_row_number = true) l JOIN read_parquet('${unitPath}', file_row_number = true) u ` +
          `ON l.${UNIT_ROW_COLUMN} = u.file_row_number WHERE u.${sqlIdent('body.host::unit')} IS NULL`,
      );
      assert.equal(Number(held!['n']), 0, 'every line finds its host on its unit row');
    } finally {
      engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes a run whose units average under 1.5 lines in line form, byte for byte', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marquetry-log-units-'));
    const engine = await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '512MB' });
    try {
      // one request in four of two lines: 1.25 lines a unit
      const fewPairs = (random: () => number): number => (random() < 0.25 ? 2 : 1);
      const staged = [await stagedFileOf(dir, '000001.parquet', 3, 2500, fewPairs)];
      const lines = await flushed(engine, dir, staged, false);
      const units = await flushed(engine, dir, staged, true);
      assert.deepEqual(units.columns, lines.columns);
      assert.ok(Buffer.compare(await readFile(join(dir, units.path)), await readFile(join(dir, lines.path))) === 0, 'the same bytes');
    } finally {
      engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
