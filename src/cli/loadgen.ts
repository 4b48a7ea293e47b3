// `marquetry loadgen`: sends realistic OTLP/protobuf trace traffic to an
// OTLP/HTTP endpoint and prints a JSON summary of what happened.

import { parseArgs } from 'node:util';
import { parseDurationMs } from '../config/config.js';
import { DEFAULT_ERROR_RATE } from '../loadgen/trace-generator.js';
import { sendLoad, type LoadOptions } from '../loadgen/sender.js';
import { encodeExportTraceServiceRequest } from '../receive/otlp-proto-encode.js';

const DEFAULT_ENDPOINT = 'http://127.0.0.1:4318/v1/traces';

export function loadgenHelp(): string {
  return [
    'Usage: marquetry loadgen [flags]',
    '',
    'Sends realistic OpenTelemetry traces (an 11-service shop: HTTP, gRPC, PostgreSQL, Redis,',
    'Kafka; 5-60 spans per trace) as OTLP/protobuf over HTTP, and prints a JSON summary:',
    '{"requests","spans","spansPerSecond","bytes","status":{...},"retries","latencyMs":{...},...}',
    '',
    `  --endpoint <url>            OTLP/HTTP traces URL (default ${DEFAULT_ENDPOINT})`,
    '  --rate <spans/s>            target spans per second over all clients; 0 = as fast as possible (default 0)',
    '  --duration <time>           stop starting requests after this long, e.g. 500ms, 10s, 2m; 0 = no limit (default 10s)',
    '  --max-requests <n>          stop after n requests (retries not counted); 0 = no limit (default 0)',
    '  --concurrency <n>           parallel clients, each on its own keep-alive connection (default 4)',
    '  --spans-per-request <n>     spans per request, whole traces so slightly more (default 1000)',
    `  --error-rate <0..1>         fraction of traces with a failing operation (default ${DEFAULT_ERROR_RATE})`,
    '  --seed <n>                  seed of the generated data; same seed, same traces (default 1)',
    '  --pool-size <n>             distinct requests generated before sending, then reused (default 32)',
    '  --verbatim                  resend pooled requests byte for byte instead of giving each send',
    '                              fresh trace ids and current times (data then repeats)',
    '  --token <bearer>            send "Authorization: Bearer <token>"',
    '  --gzip                      gzip request bodies (Content-Encoding: gzip)',
    '  --help                      show this help',
  ].join('\n');
}

function nonNegativeNumber(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`loadgen: --${flag} must be a non-negative number, got "${value}"`);
  return n;
}

function integer(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min) throw new Error(`loadgen: --${flag} must be an integer of at least ${min}, got "${value}"`);
  return n;
}

/** Parses the flags into sender options (without the encoder), or 'help'. */
export function parseLoadgenArgs(argv: string[]): Omit<LoadOptions, 'encode'> | 'help' {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      endpoint: { type: 'string', default: DEFAULT_ENDPOINT },
      rate: { type: 'string', default: '0' },
      duration: { type: 'string', default: '10s' },
      'max-requests': { type: 'string', default: '0' },
      concurrency: { type: 'string', default: '4' },
      'spans-per-request': { type: 'string', default: '1000' },
      'error-rate': { type: 'string', default: String(DEFAULT_ERROR_RATE) },
      seed: { type: 'string', default: '1' },
      'pool-size': { type: 'string', default: '32' },
      verbatim: { type: 'boolean', default: false },
      token: { type: 'string' },
      gzip: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const endpoint = values.endpoint;
  if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) {
    throw new Error(`loadgen: --endpoint must be an http(s) URL, got "${endpoint}"`);
  }
  const errorRate = nonNegativeNumber('error-rate', values['error-rate']);
  if (errorRate > 1) throw new Error(`loadgen: --error-rate must be within 0..1, got "${values['error-rate']}"`);
  const options: Omit<LoadOptions, 'encode'> = {
    endpoint,
    spansPerSecond: nonNegativeNumber('rate', values.rate),
    durationMs: values.duration === '0' ? 0 : parseDurationMs(values.duration),
    maxRequests: integer('max-requests', values['max-requests'], 0),
    concurrency: integer('concurrency', values.concurrency, 1),
    spansPerRequest: integer('spans-per-request', values['spans-per-request'], 1),
    errorRate,
    seed: integer('seed', values.seed, 0),
    poolSize: integer('pool-size', values['pool-size'], 1),
    rewrite: !values.verbatim,
    gzip: values.gzip,
  };
  if (values.token !== undefined) options.bearerToken = values.token;
  if (options.durationMs <= 0 && options.maxRequests <= 0) {
    throw new Error('loadgen: --duration 0 needs --max-requests, or the run would never end');
  }
  return options;
}

export async function runLoadgen(argv: string[]): Promise<void> {
  const options = parseLoadgenArgs(argv);
  if (options === 'help') {
    console.log(loadgenHelp());
    return;
  }
  const { summary } = await sendLoad({
    ...options,
    encode: encodeExportTraceServiceRequest,
    onPoolReady: (pool) =>
      console.error(
        `loadgen: pool of ${pool.requests} requests, ${pool.spans} spans, ${(pool.bytes / pool.spans).toFixed(1)} bytes/span encoded, ` +
          `generated in ${pool.generateMs} ms; sending to ${options.endpoint}`,
      ),
  });
  console.log(JSON.stringify(summary));
}
