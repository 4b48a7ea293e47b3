// `marquetry serve`: runs until SIGTERM/SIGINT, then flushes and closes the WAL.

import { startServer } from '../server/server.js';
import { parseServeOptions, serveHelp } from './serve-options.js';
import { threadCpuSeconds } from '../store/thread-cpu.js';

export async function runServe(argv: string[]): Promise<void> {
  const config = parseServeOptions(argv);
  if (config === 'help') {
    console.log(serveHelp());
    return;
  }
  const server = await startServer(config);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(JSON.stringify({ msg: 'marquetry stopping', signal }));
    server.close().then(
      () => {
        // where the process's CPU went, start to exit (the traces bench reads this line)
        console.log(JSON.stringify({ msg: 'marquetry thread cpu', seconds: threadCpuSeconds() }));
        process.exit(0);
      },
      (err: unknown) => {
        console.error(`serve: stop failed: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Only now: a supervisor may send SIGTERM as soon as it reads this line.
  console.log(
    JSON.stringify({
      msg: 'marquetry ready',
      data: config.dataDir,
      otlpHttp: server.otlpHttpPort,
      otlpGrpc: server.otlpGrpcPort,
      http: server.httpPort,
    }),
  );
}
