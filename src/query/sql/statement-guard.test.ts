import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../engine/duckdb.js';
import { BadQueryError } from '../../model/errors.js';
import { checkUserSql, type CheckedStatement } from './statement-guard.js';
import { keywordAt, peelExplain } from './leading-keywords.js';

const VIEWS = new Set(['spans', 'span_events', 'span_links']);
const isView = (name: string): boolean => VIEWS.has(name) || name.startsWith('trace_id_set_');

describe('statement guard', () => {
  let dir: string;
  let engine: Engine;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marquetry-guard-'));
    engine = await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '128MB' });
  });
  after(async () => {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  const check = (sql: string): Promise<CheckedStatement> => engine.withConnection((conn) => checkUserSql(conn, sql, isView));

  async function refused(sql: string, pattern: RegExp): Promise<void> {
    await assert.rejects(check(sql), (err: unknown) => {
      assert.ok(err instanceof BadQueryError, `${sql}: ${String(err)}`);
      assert.match(err.message, pattern, sql);
      return true;
    });
  }

  it('names the columns a statement reads, or none where it may read any (a star, DESCRIBE, PIVOT, a whole row)', async () => {
    const cases: [string, string[] | undefined][] = [
      [`SELECT count(*) FROM spans WHERE "Span.Attr" = 'x'`, ['span.attr']],
      [`SELECT s."body.host", max(duration_nano) FROM spans s GROUP BY 1`, ['s', 'body.host', 'duration_nano']],
      ['WITH a AS (SELECT name FROM spans) SELECT count(*) FROM a', ['name']],
      ['SELECT * FROM spans', undefined],
      ['SELECT spans.* EXCLUDE (name) FROM spans', undefined],
      [`SELECT COLUMNS('body.*') FROM spans`, undefined],
      ['FROM spans', undefined],
      ['DESCRIBE spans', undefined],
      ['SUMMARIZE spans', undefined],
      ['PIVOT spans ON kind IN (1, 2) USING count(*) GROUP BY service_name', undefined],
      ['SELECT s FROM spans s', undefined],
      ['SELECT spans FROM spans', undefined],
    ];
    for (const [sql, columns] of cases) {
      const named = (await check(sql)).columns;
      assert.deepEqual(named && [...named].sort(), columns?.sort(), sql);
    }
  });

  it('accepts read-only queries and reports the views they read', async () => {
    const cases: [string, string[]][] = [
      ['SELECT count(*) FROM spans', ['spans']],
      ['select * from SPANS s join span_events e using (trace_id, span_id)', ['spans', 'span_events']],
      ['FROM span_links LIMIT 3', ['span_links']],
      ['VALUES (1), (2)', []],
      ['WITH slow AS (SELECT * FROM spans WHERE duration_nano > 1e9) SELECT count(*) FROM slow', ['spans']],
      ['DESCRIBE spans', ['spans']],
      ['SUMMARIZE span_events', ['span_events']],
      ['SELECT * FROM range(10) r(i), generate_series(1, 3)', []],
      ['SELECT unnest([1, 2]) AS x', []],
      ['SELECT * FROM spans WHERE trace_id IN (SELECT trace_id FROM trace_id_set_0123456789abcdef)', ['spans', 'trace_id_set_0123456789abcdef']],
      ['-- a comment\n/* and another */ SELECT 1', []],
      ['(SELECT 1) UNION ALL (SELECT 2)', []],
      ["PIVOT spans ON kind IN (1, 2) USING count(*) GROUP BY service_name", ['spans']],
    ];
    for (const [sql, views] of cases) {
      const checked = await check(sql);
      assert.deepEqual([...checked.tables].sort(), views.sort(), sql);
      assert.equal(checked.explain, false);
    }
  });

  it('accepts EXPLAIN and EXPLAIN ANALYZE of a query', async () => {
    assert.equal((await check('EXPLAIN SELECT count(*) FROM spans')).explain, true);
    assert.deepEqual([...(await check('explain analyze FROM span_events')).tables], ['span_events']);
    await refused('EXPLAIN COPY (SELECT 1) TO \'/tmp/x.csv\'', /COPY is refused/);
  });

  it('refuses every statement that is not a query, naming it', async () => {
    const cases: [string, RegExp][] = [
      ["COPY (SELECT 1) TO '/tmp/x.csv'", /COPY is refused/],
      ["COPY spans FROM '/tmp/x.csv'", /COPY is refused/],
      ["ATTACH '/tmp/x.db'", /ATTACH is refused/],
      ['DETACH x', /DETACH is refused/],
      ['INSTALL httpfs', /INSTALL is refused: extensions cannot be installed/],
      ['LOAD httpfs', /LOAD is refused: extensions cannot be loaded/],
      ['FORCE INSTALL httpfs', /FORCE is refused/],
      ["SET memory_limit='100GB'", /SET is refused: settings cannot be changed/],
      ['RESET memory_limit', /RESET is refused/],
      ['PRAGMA enable_profiling', /PRAGMA is refused/],
      ['CREATE TABLE t AS SELECT 1', /CREATE is refused: SQL here is read-only/],
      ['CREATE MACRO m(x) AS x', /CREATE is refused/],
      ['INSERT INTO spans VALUES (1)', /INSERT is refused/],
      ['UPDATE spans SET name = 1', /UPDATE is refused/],
      ['DELETE FROM spans', /DELETE is refused/],
      ['DROP VIEW spans', /DROP is refused/],
      ['ALTER VIEW spans RENAME TO x', /ALTER is refused/],
      ["EXPORT DATABASE '/tmp/x'", /EXPORT is refused/],
      ["IMPORT DATABASE '/tmp/x'", /IMPORT is refused/],
      ['CALL enable_logging()', /CALL is refused/],
      ['CHECKPOINT', /CHECKPOINT is refused/],
      ['BEGIN TRANSACTION', /BEGIN is refused/],
      ['USE memory', /USE is refused/],
      ['PREPARE p AS SELECT 1', /PREPARE is refused/],
    ];
    for (const [sql, pattern] of cases) await refused(sql, pattern);
  });

  it('refuses several statements in one request', async () => {
    await refused('SELECT 1; SELECT 2', /2 statements is refused/);
    await refused("SELECT 1; COPY (SELECT 1) TO '/tmp/x.csv'", /a statement that is not a query is refused/);
    await refused('PIVOT spans ON name USING count(*)', /a statement that is not a query is refused/);
    await refused("SELECT 1; IMPORT DATABASE '/tmp/x'", /a statement that is not a query is refused/);
  });

  it('refuses table functions that read files or the catalog, whatever the path', async () => {
    const cases: [string, RegExp][] = [
      ["SELECT * FROM read_csv('/etc/passwd')", /table function read_csv\(\) is refused/],
      ["SELECT * FROM read_text('/etc/passwd')", /table function read_text\(\) is refused/],
      ["SELECT * FROM read_blob('/etc/passwd')", /read_blob\(\) is refused/],
      ["SELECT * FROM glob('/*')", /table function glob\(\) is refused/],
      [`SELECT * FROM read_parquet('${dir}/parts/traces/x.parquet')`, /read_parquet\(\) is refused/],
      [`SELECT * FROM parquet_metadata('${dir}/parts/x.parquet')`, /parquet_metadata\(\) is refused/],
      ["SELECT * FROM read_json_auto('/etc/x.json')", /read_json_auto\(\) is refused/],
      ["SELECT * FROM query('SELECT 1')", /table function query\(\) is refused/],
      ["SELECT * FROM query_table('spans')", /query_table\(\) is refused/],
      ['SELECT * FROM duckdb_settings()', /duckdb_settings\(\) is refused/],
      ['SELECT * FROM histogram(spans, duration_nano)', /histogram\(\) is refused/],
      ["SELECT * FROM spans WHERE trace_id IN (SELECT * FROM read_csv('/etc/passwd'))", /read_csv\(\) is refused/],
      ["WITH x AS (SELECT * FROM read_text('/etc/hosts')) SELECT 1", /read_text\(\) is refused/],
      ["SELECT (SELECT count(*) FROM glob('/*'))", /glob\(\) is refused/],
    ];
    for (const [sql, pattern] of cases) await refused(sql, pattern);
  });

  it('refuses file paths and unknown names as tables', async () => {
    await refused("SELECT * FROM '/etc/passwd'", /table "\/etc\/passwd" is refused/);
    await refused(`SELECT * FROM '${dir}/parts/traces/x.parquet'`, /is refused: files are read only through the views/);
    await refused('SELECT * FROM "x.csv"', /is refused/);
    await refused('SELECT * FROM passwd', /unknown table "passwd"/);
    await refused('SELECT * FROM main.spans', /name the views without a schema/);
    await refused('SELECT * FROM information_schema.tables', /is refused/);
    await refused('SHOW TABLES', /unknown table "tables"/);
  });

  it('refuses functions with effects outside the query', async () => {
    await refused("SELECT write_log('x')", /function write_log\(\) is refused/);
  });

  it('reports syntax errors and empty requests as bad queries', async () => {
    await refused('SELEC 1', /syntax error/i);
    await refused('  -- nothing\n', /empty/);
    await refused(';', /empty/);
  });

  it('refuses IMPORT DATABASE without reading the folder it names', async () => {
    const folder = join(dir, 'import-me');
    await mkdir(folder);
    await writeFile(join(folder, 'schema.sql'), 'CREATE TABLE pwned (x INTEGER);');
    await writeFile(join(folder, 'load.sql'), '');
    await refused(`IMPORT DATABASE '${folder}'`, /IMPORT is refused/);
    const tables = await engine.all("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'pwned'");
    assert.equal(Number(tables[0]!['n']), 0);
  });
});

describe('leading keywords', () => {
  it('skips comments and peels EXPLAIN ANALYZE off', () => {
    assert.equal(keywordAt('/* x */ -- y\n  copy t').word, 'COPY');
    assert.deepEqual(peelExplain('EXPLAIN ANALYZE SELECT 1'), { explain: true, query: ' SELECT 1' });
    assert.deepEqual(peelExplain('SELECT 1'), { explain: false, query: 'SELECT 1' });
  });
});
