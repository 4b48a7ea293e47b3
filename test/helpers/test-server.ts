// Starts a real marquetry server on ephemeral ports over a temporary data
// folder, for end-to-end tests.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, type ServerConfig } from '../../src/config/config.js';
import { startServer, type RunningServer } from '../../src/server/server.js';

export interface TestServer extends RunningServer {
  config: ServerConfig;
  otlpUrl: string;
  grpcUrl: string;
  apiUrl: string;
  /** stops the server and removes its data folder */
  dispose(): Promise<void>;
}

export async function startTestServer(overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? (await mkdtemp(join(tmpdir(), 'marquetry-test-')));
  const config: ServerConfig = {
    ...defaultConfig(),
    otlpHttp: '127.0.0.1:0',
    otlpGrpc: '127.0.0.1:0',
    http: '127.0.0.1:0',
    queryThreads: 1,
    queryMemoryLimit: '512MB',
    ...overrides,
    dataDir,
  };
  const server = await startServer(config);
  return {
    ...server,
    config,
    otlpUrl: `http://127.0.0.1:${server.otlpHttpPort}`,
    grpcUrl: `http://127.0.0.1:${server.otlpGrpcPort}`,
    apiUrl: `http://127.0.0.1:${server.httpPort}`,
    async dispose() {
      await server.close();
      if (!overrides.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep text
  }
  return { status: res.status, body };
}

/** Polls `fn` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
