// The web UI on the --http address: built assets under /assets/ (content-hashed
// names, so cached for a year), and index.html for every other GET of a page
// (client-side routes such as /services or /trace/<id>). The UI is built by
// `npm run build` (vite, ui/) into dist/ui; without it `/` says how to build it.

import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Context, Hono } from 'hono';

export interface UiRouteOptions {
  /** folder holding the built index.html and assets/ */
  uiDir: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/** Where the built UI sits: dist/ui beside dist/src when compiled, else (tsx from source) dist/ui of the checkout. */
export function defaultUiDir(moduleUrl: string = import.meta.url): string {
  const compiled = moduleUrl.endsWith('.js');
  return fileURLToPath(new URL(compiled ? '../../ui/' : '../../dist/ui/', moduleUrl));
}

interface CachedFile {
  body: Uint8Array<ArrayBuffer>;
  gzipped: Uint8Array<ArrayBuffer> | undefined;
  mtimeMs: number;
}

/** Text files of a few hundred KB at most: read once, gzipped once, kept while unchanged. */
class FileCache {
  private readonly files = new Map<string, CachedFile>();

  async get(path: string): Promise<CachedFile | undefined> {
    let info;
    try {
      info = await stat(path);
    } catch {
      return undefined;
    }
    if (!info.isFile()) return undefined;
    const hit = this.files.get(path);
    if (hit && hit.mtimeMs === info.mtimeMs) return hit;
    const body = new Uint8Array(await readFile(path));
    const compressible = /\.(html|js|css|svg|json|map)$/.test(path) && body.length > 1024;
    const file = { body, gzipped: compressible ? new Uint8Array(gzipSync(body)) : undefined, mtimeMs: info.mtimeMs };
    this.files.set(path, file);
    return file;
  }
}

function send(c: Context, file: CachedFile, path: string, cacheControl: string): Response {
  const headers: Record<string, string> = {
    'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
    'cache-control': cacheControl,
    vary: 'accept-encoding',
  };
  const gzipOk = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
  if (file.gzipped && gzipOk) {
    headers['content-encoding'] = 'gzip';
    return new Response(file.gzipped, { status: 200, headers });
  }
  return new Response(file.body, { status: 200, headers });
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>marquetry</title>
<h1>marquetry: the web UI is not built</h1>
<p>The API answers on this address (<a href="/api/v1/services">/api/v1/services</a>), but the UI's files are missing.
Build them with <code>npm run build</code> (or start with <code>npm start</code>, which builds first), then reload.</p>`;

/** Resolves `rel` inside `root`, or undefined when it would step outside. */
function inside(root: string, rel: string): string | undefined {
  const full = normalize(join(root, rel));
  return full.startsWith(root.endsWith(sep) ? root : root + sep) ? full : undefined;
}

export function mountUi(app: Hono, options: UiRouteOptions): void {
  const root = normalize(options.uiDir);
  const cache = new FileCache();

  app.get('/assets/*', async (c, next) => {
    const path = inside(root, decodeURIComponent(c.req.path));
    const file = path && (await cache.get(path));
    if (!path || !file) return next();
    return send(c, file, path, 'public, max-age=31536000, immutable');
  });

  app.get('*', async (c, next) => {
    const p = c.req.path;
    if (p.startsWith('/api/') || p === '/api' || p.startsWith('/assets/')) return next();
    // Files at the top of the build (favicon); short cache, names are not hashed.
    if (/^\/[\w.-]+\.(svg|png|ico|txt)$/.test(p)) {
      const path = inside(root, p);
      const file = path && (await cache.get(path));
      if (path && file) return send(c, file, path, 'public, max-age=3600');
    }
    if (!/text\/html/.test(c.req.header('accept') ?? '') && p !== '/') return next();
    const indexPath = join(root, 'index.html');
    const index = existsSync(indexPath) ? await cache.get(indexPath) : undefined;
    if (!index) return c.html(NOT_BUILT, 503);
    // index.html names the current hashed assets: always revalidate.
    return send(c, index, indexPath, 'no-cache');
  });
}
