// Runs `marquetry serve` as a real child process (for crash tests: it can be
// SIGKILLed), on ephemeral ports over `dataDir`.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from '../../src/cli/server-node-flags.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const compiled = import.meta.url.endsWith('.js');
const cli = compiled ? join(here, '../../src/cli/main.js') : join(here, '../../src/cli/main.ts');

export interface ServeProcess {
  proc: ChildProcess;
  otlpPort: number;
  httpPort: number;
  /** exit code, or the signal's name when killed */
  exited: Promise<number | string>;
}

/** `extraArgs` come last: a flag given there overrides the defaults here. */
export function startServeProcess(dataDir: string, extraArgs: readonly string[] = []): Promise<ServeProcess> {
  const args = [...SERVER_NODE_FLAGS, ...(compiled ? [] : ['--import', 'tsx']), cli, 'serve', '--data', dataDir, '--otlp-http', '127.0.0.1:0', '--otlp-grpc', '127.0.0.1:0', '--http', '127.0.0.1:0', '--flush-interval', '2s', '--query-threads', '1', ...extraArgs];
  // Without NODE_TEST_CONTEXT: a node child that inherits it runs as a test-runner child.
  const env = { ...process.env };
  delete env['NODE_TEST_CONTEXT'];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('marquetry ready'));
      if (line) {
        const ready = JSON.parse(line) as { otlpHttp: number; http: number };
        resolve({ proc, otlpPort: ready.otlpHttp, httpPort: ready.http, exited });
      }
    });
    void exited.then((code) => reject(new Error(`serve exited early with ${code}: ${out}`)));
  });
}
