// The second wall: SQL sent straight to the user-SQL engine, past the
// statement guard, still cannot leave the folders the views read, load
// extensions or change settings.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../engine/duckdb.js';
import { userSqlEngineOptions } from './sql-service.js';

describe('user SQL engine lock-down', () => {
  let dir: string;
  let outside: string;
  let engine: Engine;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marquetry-lockdown-'));
    outside = await mkdtemp(join(tmpdir(), 'marquetry-outside-'));
    await mkdir(join(dir, 'parts', 'traces'), { recursive: true });
    await mkdir(join(dir, 'catalog', 'traces'), { recursive: true });
    await writeFile(join(dir, 'parts', 'traces', 'ok.csv'), 'x\n1\n');
    await writeFile(join(dir, 'catalog', 'traces', 'secret.csv'), 'x\n2\n');
    await writeFile(join(outside, 'secret.csv'), 'x\n3\n');
    engine = await Engine.create(userSqlEngineOptions(dir, { threads: 1, memoryLimit: '256MB' }));
  });
  after(async () => {
    engine.close();
    await rm(dir, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  const denied = async (sql: string, pattern: RegExp): Promise<void> => {
    await assert.rejects(engine.all(sql), pattern, sql);
  };

  it('reads files only inside the folders of the views', async () => {
    assert.deepEqual(await engine.all(`SELECT x FROM read_csv('${join(dir, 'parts', 'traces', 'ok.csv')}')`), [{ x: 1n }]);
    await denied("SELECT * FROM read_csv('/etc/passwd')", /Permission Error/);
    await denied("SELECT * FROM read_text('/etc/passwd')", /Permission Error/);
    await denied(`SELECT * FROM read_csv('${join(outside, 'secret.csv')}')`, /Permission Error/);
    await denied(`SELECT * FROM read_csv('${join(dir, 'catalog', 'traces', 'secret.csv')}')`, /Permission Error/);
    await denied("SELECT * FROM glob('/*')", /Permission Error/);
  });

  it('writes and attaches nothing outside them', async () => {
    const target = join(outside, 'x.csv');
    await denied(`COPY (SELECT 1) TO '${target}'`, /Permission Error/);
    await denied(`ATTACH '${join(outside, 'x.db')}'`, /Permission Error/);
    await denied(`EXPORT DATABASE '${join(outside, 'export')}'`, /Permission Error/);
    assert.equal(existsSync(target), false);
    assert.equal(existsSync(join(outside, 'x.db')), false);
  });

  it('loads no extension and keeps its configuration locked', async () => {
    await denied('INSTALL httpfs', /Permission Error/);
    await denied('LOAD httpfs', /Permission Error|disabled/);
    await denied("SET memory_limit = '100GB'", /configuration has been locked/);
    await denied('SET enable_external_access = true', /configuration has been locked/);
    await denied("SET allowed_directories = ['/']", /configuration has been locked/);
    await denied('RESET threads', /configuration has been locked/);
    const settings = await engine.all(
      "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', 'lock_configuration', 'autoload_known_extensions', 'autoinstall_known_extensions', 'memory_limit') ORDER BY name",
    );
    assert.deepEqual(
      Object.fromEntries(settings.map((r) => [r['name'], r['value']])),
      { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false', enable_external_access: 'false', lock_configuration: 'true', memory_limit: '244.1 MiB' },
    );
  });
});
