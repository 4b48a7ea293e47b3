#!/usr/bin/env -S node --initial-old-space-size=64
// marquetry command line: serve, loadgen, sql.

import { runServe } from './serve.js';
import { runLoadgen } from './loadgen.js';
import { runSql } from './sql.js';

const USAGE = `Usage: marquetry <command> [flags]

Commands:
  serve     receive OTLP traces, store them, answer queries (marquetry serve --help)
  loadgen   send realistic OTLP trace traffic to an endpoint (marquetry loadgen --help)
  sql       run read-only SQL over the stored spans of a running server (marquetry sql --help)
`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return runServe(rest);
    case 'loadgen':
      return runLoadgen(rest);
    case 'sql':
      return runSql(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return;
    default:
      console.error(`marquetry: unknown command "${command}"\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
