// `marquetry serve` as a child process of the bench, and a sampler of its
// memory and CPU from /proc (Linux), so the figures are the server's alone.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trackChild } from './cleanup.js';
import { procCpuSeconds, type ThreadCpuSeconds } from '../src/store/thread-cpu.js';
import { SERVER_NODE_FLAGS } from '../src/cli/server-node-flags.js';

export interface ServerPorts {
  otlpHttp: number;
  otlpGrpc: number;
  http: number;
}

const READY_TIMEOUT_MS = 120_000;

/** The CLI beside this file: dist/bench → dist/src/cli/main.js (or the .ts under tsx). */
function cliPath(): { script: string; execArgv: string[] } {
  const ts = import.meta.url.endsWith('.ts');
  const script = fileURLToPath(new URL(`../src/cli/main.${ts ? 'ts' : 'js'}`, import.meta.url));
  return { script, execArgv: ts ? ['--import', 'tsx'] : [] };
}

export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    readonly ports: ServerPorts,
    private readonly output: { text: string },
  ) {}

  /** Starts the server on free loopback ports and waits for its "marquetry ready" line. */
  static async start(dataDir: string, extraArgs: readonly string[] = []): Promise<ServerProcess> {
    const { script, execArgv } = cliPath();
    // e.g. MARQUETRY_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the server alone
    const nodeArgs = (process.env['MARQUETRY_SERVER_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
    const args = [...SERVER_NODE_FLAGS, ...nodeArgs, ...execArgv, script, 'serve', '--data', dataDir, '--otlp-http', '127.0.0.1:0', '--otlp-grpc', '127.0.0.1:0', '--http', '127.0.0.1:0', ...extraArgs];
    // Under `node --test` the child would otherwise report to the test runner instead of printing.
    const env = { ...process.env };
    delete env['NODE_TEST_CONTEXT'];
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    const output = { text: '' };
    const keep = (chunk: Buffer): void => {
      output.text = (output.text + chunk.toString('utf8')).slice(-20_000);
    };
    child.stderr!.on('data', keep);
    // e.g. with MARQUETRY_SERVER_NODE_ARGS='--trace-gc': the server's whole stdout in a file (the output kept above is its tail)
    const stdoutFile = process.env['MARQUETRY_SERVER_STDOUT'];
    if (stdoutFile) child.stdout!.pipe(createWriteStream(stdoutFile, { flags: 'a' }));
    const ports = await new Promise<ServerPorts>((resolve, reject) => {
      let buffered = '';
      let found = false;
      const timer = setTimeout(() => reject(new Error(`bench: server not ready after ${READY_TIMEOUT_MS} ms: ${output.text.slice(-500)}`)), READY_TIMEOUT_MS);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`bench: server exited before ready (code ${code}, signal ${signal}): ${output.text.slice(-1000)}`));
      });
      child.stdout!.on('data', (chunk: Buffer) => {
        keep(chunk);
        if (found) return;
        buffered += chunk.toString('utf8');
        for (const line of buffered.split('\n')) {
          if (!line.includes('"marquetry ready"')) continue;
          const ready = JSON.parse(line) as ServerPorts;
          clearTimeout(timer);
          found = true;
          buffered = '';
          resolve({ otlpHttp: ready.otlpHttp, otlpGrpc: ready.otlpGrpc, http: ready.http });
          return;
        }
      });
    });
    child.removeAllListeners('exit');
    return new ServerProcess(child, child.pid!, ports, output);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Where the server's CPU went from start to exit, by thread: the line it prints when it stops cleanly. */
  threadCpuAtExit(): ThreadCpuSeconds | undefined {
    const at = this.output.text.lastIndexOf('{"msg":"marquetry thread cpu"');
    if (at < 0) return undefined;
    const end = this.output.text.indexOf('\n', at);
    const line = this.output.text.slice(at, end < 0 ? undefined : end);
    try {
      return (JSON.parse(line) as { seconds: ThreadCpuSeconds }).seconds;
    } catch {
      return undefined;
    }
  }

  /** The last lines the server printed (for error messages). */
  tail(chars = 2000): string {
    return this.output.text.slice(-chars);
  }

  /** SIGTERM (the server flushes its head into parts), SIGKILL if it takes longer than `timeoutMs`. Returns ms taken. */
  async stop(timeoutMs: number): Promise<{ ms: number; killed: boolean; code: number | null }> {
    const started = performance.now();
    if (!this.running) return { ms: 0, killed: false, code: this.child.exitCode };
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    process.kill(this.pid, 'SIGTERM');
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      if (this.running) process.kill(this.pid, 'SIGKILL');
    }, timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return { ms: performance.now() - started, killed, code };
  }

  async getJson<T>(path: string): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${this.ports.http}${path}`);
    if (!res.ok) throw new Error(`bench: GET ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return (await res.json()) as T;
  }
}

export interface ProcSample {
  atMs: number;
  rssBytes: number;
  /** peak resident set so far (VmHWM) */
  hwmBytes: number;
  /** user + system CPU seconds since the process started */
  cpuSeconds: number;
}

const CLOCK_TICKS_PER_S = 100; // USER_HZ on Linux

/** Reads VmRSS/VmHWM and CPU time of `pid`; undefined when it is gone or /proc is missing. */
export function sampleProc(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { atMs: performance.now(), rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM'), cpuSeconds: procCpuSeconds(String(pid)) };
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine spent busy since boot (/proc/stat), to tell how much else was running. */
export function machineBusySeconds(): number {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS_PER_S;
  } catch {
    return NaN;
  }
}
