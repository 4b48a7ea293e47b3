// `marquetry serve` settings from three sources, later ones winning:
// a YAML file (--config), MARQUETRY_* environment variables, then flags.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { defaultConfig, parseBytes, parseDurationMs, type ServerConfig } from '../config/config.js';
import { parseDedicatedColumnSpec } from '../parts/schema.js';
import { FLUSH_MEMORY_HEADROOM } from '../store/memory-bound.js';

interface Setting {
  flag: string;
  env: string;
  yaml: string;
  help: string;
  apply(config: ServerConfig, value: string): void;
}

const SETTINGS: Setting[] = [
  { flag: 'data', env: 'MARQUETRY_DATA', yaml: 'data', help: 'data folder: WAL, parts, catalog (default ./data)', apply: (c, v) => (c.dataDir = v) },
  { flag: 'otlp-http', env: 'MARQUETRY_OTLP_HTTP', yaml: 'otlp_http', help: 'OTLP/HTTP listen address (default 127.0.0.1:4318)', apply: (c, v) => (c.otlpHttp = v) },
  { flag: 'otlp-grpc', env: 'MARQUETRY_OTLP_GRPC', yaml: 'otlp_grpc', help: 'OTLP/gRPC listen address (default 127.0.0.1:4317)', apply: (c, v) => (c.otlpGrpc = v) },
  { flag: 'http', env: 'MARQUETRY_HTTP', yaml: 'http', help: 'API and UI listen address (default 127.0.0.1:3200, Tempo\'s port)', apply: (c, v) => (c.http = v) },
  { flag: 'flush-interval', env: 'MARQUETRY_FLUSH_INTERVAL', yaml: 'flush_interval', help: 'write head spans into a Parquet part at least this often (default 15s)', apply: (c, v) => (c.flushIntervalMs = parseDurationMs(v)) },
  { flag: 'flush-max-spans', env: 'MARQUETRY_FLUSH_MAX_SPANS', yaml: 'flush_max_spans', help: '…or as soon as the head holds this many spans (default 1000000)', apply: (c, v) => (c.flushMaxSpans = positiveInt('flush-max-spans', v)) },
  { flag: 'part-max-spans', env: 'MARQUETRY_PART_MAX_SPANS', yaml: 'part_max_spans', help: 'most spans in one part a flush writes; a bigger flush is split by trace-id range (default 524288)', apply: (c, v) => (c.partMaxSpans = positiveInt('part-max-spans', v)) },
  { flag: 'max-head-spans', env: 'MARQUETRY_MAX_HEAD_SPANS', yaml: 'max_head_spans', help: 'answer 503 + Retry-After beyond this many unflushed spans (default 6000000)', apply: (c, v) => (c.maxHeadSpans = positiveInt('max-head-spans', v)) },
  { flag: 'max-memory', env: 'MARQUETRY_MAX_MEMORY', yaml: 'max_memory', help: `keep resident memory under this, e.g. 1.5GiB: ingest answers 503 + Retry-After while RSS plus room for a flush (${FLUSH_MEMORY_HEADROOM / 2 ** 20} MiB) exceeds it (default 1.5GiB, 0 = no bound)`, apply: (c, v) => (c.maxMemoryBytes = parseBytes(v)) },
  { flag: 'retention', env: 'MARQUETRY_RETENTION', yaml: 'retention', help: 'delete parts older than this, e.g. 7d (default 0 = keep forever)', apply: (c, v) => (c.retentionMs = parseDurationMs(v)) },
  { flag: 'compact-interval', env: 'MARQUETRY_COMPACT_INTERVAL', yaml: 'compact_interval', help: 'look for parts to merge and expire this often (default 60s)', apply: (c, v) => (c.compactIntervalMs = parseDurationMs(v)) },
  { flag: 'max-request-size', env: 'MARQUETRY_MAX_REQUEST_SIZE', yaml: 'max_request_size', help: 'largest request body, after gzip, e.g. 64MiB; larger gets 413', apply: (c, v) => (c.maxRequestBytes = parseBytes(v)) },
  { flag: 'auth-token', env: 'MARQUETRY_AUTH_TOKEN', yaml: 'auth_token', help: 'require "Authorization: Bearer <token>" on ingest and query', apply: (c, v) => (c.authToken = v) },
  { flag: 'dedicated-columns', env: 'MARQUETRY_DEDICATED_COLUMNS', yaml: 'dedicated_columns', help: 'comma-separated attribute columns present in every part, e.g. span.http.route,span.http.response.status_code::int', apply: (c, v) => (c.dedicatedColumns = v.split(',').filter((s) => s.trim()).map(parseDedicatedColumnSpec)) },
  { flag: 'query-threads', env: 'MARQUETRY_QUERY_THREADS', yaml: 'query_threads', help: 'DuckDB threads for queries (default 2)', apply: (c, v) => (c.queryThreads = positiveInt('query-threads', v)) },
  { flag: 'query-memory', env: 'MARQUETRY_QUERY_MEMORY', yaml: 'query_memory', help: 'memory limit of the query engine (default 2GB)', apply: (c, v) => (c.queryMemoryLimit = v) },
  { flag: 'query-timeout', env: 'MARQUETRY_QUERY_TIMEOUT', yaml: 'query_timeout', help: 'interrupt a query after this long (default 30s)', apply: (c, v) => (c.queryTimeoutMs = parseDurationMs(v)) },
  { flag: 'wal-fsync', env: 'MARQUETRY_WAL_FSYNC', yaml: 'wal_fsync', help: 'fsync the WAL before acknowledging: true (default) or false (benchmarks only; data can be lost)', apply: (c, v) => (c.walFsync = bool('wal-fsync', v)) },
  { flag: 'chunk-encoding', env: 'MARQUETRY_CHUNK_ENCODING', yaml: 'chunk_encoding', help: 'metric chunk encoding: varbit (default, smallest), double-delta (O(1) random access) or auto (the smaller per chunk)', apply: (c, v) => (c.chunkEncoding = chunkEncoding(v)) },
  { flag: 'lookback-delta', env: 'MARQUETRY_LOOKBACK_DELTA', yaml: 'lookback_delta', help: 'PromQL lookback delta (default 5m)', apply: (c, v) => (c.lookbackDeltaMs = parseDurationMs(v)) },
];

function chunkEncoding(v: string): ServerConfig['chunkEncoding'] {
  if (v === 'double-delta' || v === 'varbit' || v === 'auto') return v;
  throw new Error(`config: chunk-encoding must be double-delta, varbit or auto, got "${v}"`);
}

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`config: ${name} must be a positive integer, got "${v}"`);
  return n;
}

function bool(name: string, v: string): boolean {
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new Error(`config: ${name} must be true or false, got "${v}"`);
}

export function serveHelp(): string {
  const lines = SETTINGS.map((s) => `  --${s.flag.padEnd(20)} ${s.help}\n  ${' '.repeat(22)} env ${s.env}, yaml key ${s.yaml}`);
  return [
    'Usage: marquetry serve [flags]',
    '',
    'Receives OTLP traces and metrics and Prometheus remote_write, keeps them durably, answers Tempo- and Prometheus-compatible queries.',
    '',
    '  --config <file.yaml>   read settings from a YAML file (keys below); env vars and flags override it',
    ...lines,
    '  --help                 show this help',
  ].join('\n');
}

export function parseServeOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerConfig | 'help' {
  const options: Record<string, { type: 'string' | 'boolean' }> = { config: { type: 'string' }, help: { type: 'boolean' } };
  for (const s of SETTINGS) options[s.flag] = { type: 'string' };
  const { values } = parseArgs({ args: argv, options, allowPositionals: false, strict: true });
  if (values['help']) return 'help';
  const config = defaultConfig();
  const file = values['config'] as string | undefined;
  if (file) {
    const yaml = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(yaml)) {
      const s = SETTINGS.find((x) => x.yaml === key);
      if (!s) throw new Error(`config: unknown key "${key}" in ${file}`);
      const v = yaml[key];
      s.apply(config, Array.isArray(v) ? v.join(',') : String(v));
    }
  }
  for (const s of SETTINGS) {
    const v = env[s.env];
    if (v !== undefined && v !== '') s.apply(config, v);
  }
  for (const s of SETTINGS) {
    const v = values[s.flag] as string | undefined;
    if (v !== undefined) s.apply(config, v);
  }
  return config;
}
