// `marquetry sql "<query>"`: runs read-only SQL on a running server through
// POST /api/v1/sql and prints the result as a table, CSV or JSON. With
// --trace-ids <file> it first uploads the file as a trace-id set (ids from
// another database, millions of them) and the query names it trace_id_set.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const DEFAULT_SERVER = 'http://127.0.0.1:3200';
/** Widest cell in table output, in characters; longer values end in '…'. */
const MAX_CELL_CHARS = 80;

export function sqlHelp(): string {
  return [
    'Usage: marquetry sql "<query>" [flags]',
    '',
    'Runs one read-only SQL statement (DuckDB dialect) over the views spans, span_events,',
    'span_links and trace_id_set_<id> of a running server (docs/sql.md). "-" or no query',
    'reads it from standard input.',
    '',
    '  --trace-ids <file>        upload this file of trace ids first (hex, one per line; .gz gzipped;',
    '                            .bin 16 bytes each) and name it trace_id_set in the query, e.g.',
    '                            "SELECT count(*) FROM spans JOIN trace_id_set USING (trace_id)";',
    '                            the set\'s id is printed on standard error for search and compare',
    '  --format table|csv|json   output format (default table)',
    '  --limit <n>               rows returned at most (server default 10000, at most 1000000)',
    `  --server <url>            the server's API (default $MARQUETRY_SERVER or ${DEFAULT_SERVER})`,
    '  --token <bearer>          send "Authorization: Bearer <token>" (default $MARQUETRY_AUTH_TOKEN)',
    '  --help                    show this help',
  ].join('\n');
}

export interface SqlCliOptions {
  query: string | undefined;
  format: 'table' | 'csv' | 'json';
  limit: number | undefined;
  server: string;
  token: string | undefined;
  /** a file of trace ids to upload as a set first */
  traceIds?: string;
}

export function parseSqlArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): SqlCliOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string', default: 'table' },
      limit: { type: 'string' },
      server: { type: 'string' },
      token: { type: 'string' },
      'trace-ids': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 1) throw new Error('sql: give the query as one argument (quote it)');
  const format = values.format;
  if (format !== 'table' && format !== 'csv' && format !== 'json') throw new Error(`sql: --format must be table, csv or json, got "${format}"`);
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`sql: --limit must be a positive integer, got "${values.limit}"`);
  }
  const server = (values.server ?? env['MARQUETRY_SERVER'] ?? DEFAULT_SERVER).replace(/\/+$/, '');
  if (!URL.canParse(server)) throw new Error(`sql: --server must be a URL, got "${server}"`);
  const query = positionals[0] === '-' ? undefined : positionals[0];
  const options: SqlCliOptions = { query, format, limit, server, token: values.token ?? env['MARQUETRY_AUTH_TOKEN'] };
  if (values['trace-ids'] !== undefined) options.traceIds = values['trace-ids'];
  return options;
}

interface JsonResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  limit: number;
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  const oneLine = s.replace(/\r?\n/g, '\\n').replace(/\t/g, '\\t');
  return oneLine.length > MAX_CELL_CHARS ? `${oneLine.slice(0, MAX_CELL_CHARS - 1)}…` : oneLine;
}

/** A plain-text table with a header, a rule, the rows and a row count. */
export function formatTable(result: JsonResult): string {
  const header = result.columns.map((c) => c.name);
  const cells = result.rows.map((row) => row.map(cellText));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const numeric = result.columns.map((c) => /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U\w*INT|FLOAT|DOUBLE|DECIMAL)/.test(c.type));
  const line = (values: string[]) => values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of cells) out.push(line(r));
  const n = result.rowCount;
  out.push(`(${n} row${n === 1 ? '' : 's'}${result.truncated ? `; more rows exist beyond the limit of ${result.limit}` : ''})`);
  return out.join('\n');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** POSTs to the server; throws Error with the server's message on failure. Returns the body text. */
async function request(options: SqlCliOptions, path: string, headers: Record<string, string>, body: BodyInit): Promise<string> {
  const all = { ...headers };
  if (options.token) all['authorization'] = `Bearer ${options.token}`;
  let res: Response;
  try {
    res = await fetch(`${options.server}${path}`, { method: 'POST', headers: all, body });
  } catch (err) {
    throw new Error(`sql: cannot reach ${options.server}: ${(err as Error).cause ?? (err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = String((JSON.parse(text) as { error?: unknown }).error ?? text);
    } catch {
      // not JSON: keep the text
    }
    throw new Error(`${message} (HTTP ${res.status})`);
  }
  return text;
}

/** Uploads a file of trace ids as a set (POST /api/v1/trace-id-sets); its id and size. */
export async function uploadTraceIdFile(options: SqlCliOptions, path: string): Promise<{ id: string; count: number }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new Error(`sql: cannot read --trace-ids ${path}: ${(err as Error).message}`);
  }
  const headers: Record<string, string> = { 'content-type': /\.bin(\.gz)?$/i.test(path) ? 'application/octet-stream' : 'text/plain' };
  if (/\.gz$/i.test(path)) headers['content-encoding'] = 'gzip';
  return JSON.parse(await request(options, '/api/v1/trace-id-sets', headers, new Uint8Array(bytes))) as { id: string; count: number };
}

/** The query with the bare name trace_id_set (not a trace_id_set_<id>) naming the uploaded set. */
export function nameTraceIdSet(query: string, id: string): string {
  return query.replace(/\btrace_id_set\b(?!_)/g, `trace_id_set_${id}`);
}

/** Runs the query and returns the text to print; throws Error with the server's message. */
export async function sqlCliOutput(options: SqlCliOptions, query: string): Promise<string> {
  const body: Record<string, unknown> = { sql: query, format: options.format === 'csv' ? 'csv' : 'json' };
  if (options.limit !== undefined) body['limit'] = options.limit;
  const text = await request(options, '/api/v1/sql', { 'content-type': 'application/json' }, JSON.stringify(body));
  if (options.format === 'table') return formatTable(JSON.parse(text) as JsonResult);
  return text.replace(/\r?\n$/, '');
}

export async function runSql(argv: string[]): Promise<void> {
  const options = parseSqlArgs(argv);
  if (options === 'help') {
    console.log(sqlHelp());
    return;
  }
  let query = options.query ?? (await readStdin());
  if (options.traceIds !== undefined) {
    const set = await uploadTraceIdFile(options, options.traceIds);
    console.error(`trace-id set ${set.id}: ${set.count} ids (search: traceIdSet=${set.id}; compare: {"kind":"traceIdSet","set":"${set.id}"})`);
    query = nameTraceIdSet(query, set.id);
  }
  console.log(await sqlCliOutput(options, query));
}
