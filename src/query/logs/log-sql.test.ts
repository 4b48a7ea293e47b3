import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, sqlString } from '../../engine/duckdb.js';
import { parseLogQuery } from './log-query.js';
import { termPattern, termRegExp } from './log-sql.js';

// Text as logTextSql joins it: fields separated by U+001E.
const TEXTS = [
  'Connection refused by upstream',
  'connection\u001erefused',
  'CONNECTION   REFUSED!',
  'xconnection refused',
  'connection refusedx',
  'connection_refused',
  'éconnection refused',
  'connection refusedé',
  '«connection» —refused',
  'Timeout after 30s',
  'timeouts',
  'TIMEOUT',
  'ŞTIMEOUT',
  'timeout_1',
  '1 timeout 2',
  'Größe ÜBERLAUF',
  'größe überlauf',
  'GRÖSSE',
  'Ünïcödé Straße',
  'ünïcödé straße',
  'ΣΊΣΥΦΟΣ',
  'σίσυφος',
  'σίσυφοσ',
  'the \u212Aelvin sign',
  'the kelvin sign',
  '日本語 テキスト',
  '',
];

const QUERIES = ['"connection refused"', 'timeout', 'größe', 'überlauf', 'ünïcödé', 'straße', 'σίσυφος', 'kelvin', '日本語', 'テキスト'];

describe('a text term checked in this process', () => {
  let dir: string;
  let engine: Engine;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marquetry-log-sql-'));
    engine = await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '128MB' });
  });
  after(async () => {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("matches exactly the texts DuckDB's RE2 pattern of the term matches", async () => {
    const values = TEXTS.map((t, i) => `(${i}, ${sqlString(t)})`).join(', ');
    let matched = 0;
    for (const q of QUERIES) {
      const [term] = parseLogQuery(q).terms;
      const rows = await engine.all(`SELECT i FROM (VALUES ${values}) v(i, x) WHERE regexp_matches(x, ${sqlString(termPattern(term!))}) ORDER BY i`);
      const byDuckdb = rows.map((r) => TEXTS[Number(r['i'])]);
      const here = TEXTS.filter((t) => termRegExp(term!).test(t));
      assert.deepEqual(here, byDuckdb, q);
      matched += here.length;
    }
    assert.ok(matched >= 15, `only ${matched} matches: the texts no longer test much`);
  });
});
