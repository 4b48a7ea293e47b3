import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { defaultUiDir, mountUi } from './ui-route.js';

describe('web UI route', () => {
  let dir: string;
  let app: Hono;
  const script = 'console.log("marquetry");'.repeat(100);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marquetry-ui-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><script type="module" src="/assets/index-abc.js"></script>');
    await writeFile(join(dir, 'assets', 'index-abc.js'), script);
    await writeFile(join(dir, 'favicon.svg'), '<svg/>');
    await writeFile(join(tmpdir(), 'outside.txt'), 'secret');
    app = new Hono();
    app.get('/api/v1/services', (c) => c.json({ services: [] }));
    mountUi(app, { uiDir: dir });
    app.notFound((c) => c.json({ error: 'no route' }, 404));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('answers client routes that accept HTML with index.html, revalidated each time', async () => {
    for (const path of ['/', '/services', '/trace/0af7651916cd43dd8448eb211c80319c', '/search?q=%7B%7D']) {
      const res = await app.request(path, { headers: { accept: 'text/html,application/xhtml+xml' } });
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.match(await res.text(), /index-abc\.js/);
    }
  });

  it('serves hashed assets for a year, gzipped when asked', async () => {
    const res = await app.request('/assets/index-abc.js', { headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(gunzipSync(new Uint8Array(await res.arrayBuffer())).toString(), script);
    const plain = await app.request('/assets/index-abc.js');
    assert.equal(plain.headers.get('content-encoding'), null);
    assert.equal(await plain.text(), script);
    assert.equal((await app.request('/favicon.svg')).headers.get('content-type'), 'image/svg+xml');
  });

  it('leaves the API, missing assets and non-HTML requests to the other routes', async () => {
    assert.deepEqual(await (await app.request('/api/v1/services', { headers: { accept: 'text/html' } })).json(), { services: [] });
    assert.equal((await app.request('/api/v1/nope', { headers: { accept: 'text/html' } })).status, 404);
    assert.equal((await app.request('/assets/missing.js')).status, 404);
    assert.equal((await app.request('/services', { headers: { accept: 'application/json' } })).status, 404);
  });

  it('never serves files outside the UI folder', async () => {
    for (const path of ['/assets/../../outside.txt', '/assets/%2e%2e/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt']) {
      const res = await app.request(path);
      assert.equal(res.status, 404, path);
    }
  });

  it('says how to build the UI when it is not built', async () => {
    const bare = new Hono();
    mountUi(bare, { uiDir: join(dir, 'nothing-here') });
    const res = await bare.request('/', { headers: { accept: 'text/html' } });
    assert.equal(res.status, 503);
    assert.match(await res.text(), /npm run build/);
  });

  it('finds dist/ui beside the compiled server, and dist/ui of the checkout from source', () => {
    assert.equal(defaultUiDir('file:///app/dist/src/api/ui-route.js'), '/app/dist/ui/');
    assert.equal(defaultUiDir('file:///app/src/api/ui-route.ts'), '/app/dist/ui/');
  });
});
