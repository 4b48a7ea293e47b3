// Runs compiled TraceQL through the executor's one-scan grouping SQL on an
// in-memory DuckDB table with the real span row layout, and checks which
// traces match. The fixture is small enough to verify each answer by hand.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { MarquetryError } from '../../model/errors.js';
import { DUCKDB_TYPE, HOT_COLUMNS } from '../../parts/schema.js';
import { compileTraceQL, type ColumnCatalog } from './compile-sql.js';
import { quoteIdentifier, quoteString } from './sql-text.js';


const ATTRIBUTE_COLUMNS: Record<string, string> = {
  'span.http.route': 'VARCHAR',
  'span.http.response.status_code::int': 'BIGINT',
  'span.http.response.status_code': 'VARCHAR', // same key sent as a string by one service
  'span.ratio::double': 'DOUBLE',
  'span.ratio::int': 'BIGINT',
  'span.cache.hit::bool': 'BOOLEAN',
  'span.env': 'VARCHAR',
  'span.attr with space': 'VARCHAR',
  'span.quote"d': 'VARCHAR',
  'resource.env': 'VARCHAR',
  'resource.host.name': 'VARCHAR',
  'scope.lang': 'VARCHAR',
};

const TRACE_NAMES: Record<string, string> = {
  '00000000000000000000000000000001': 'T1',
  '00000000000000000000000000000002': 'T2',
  '00000000000000000000000000000003': 'T3',
};

type Row = Record<string, string | number | boolean | null>;
const MS = 1_000_000;

/**
 * T1 frontend checkout: server root (800ms, /checkout, 200, prod, scope http-lib, lang go)
 *    → client child in orders-db (120ms, error "timeout", ratio 0.25, cache miss)
 * T2 api payment: server root (50ms, ok, /pay, 500, env staging but span.env canary, ratio 3, cache hit)
 *    → producer child in queue (5ms, lang java, "attr with space")
 * T3 worker: consumer root (2s, error "boom", status_code sent as the string "500", host w-9)
 *    → internal child (1.5ms, quote"d)
 */
const ROWS: Row[] = [
  { trace: '01', span: 'a1', parent: null, service: 'frontend', name: 'GET /checkout', kind: 2, durationNs: 800 * MS, status: 0, message: null, scope: 'http-lib',
    'span.http.route': '/checkout', 'span.http.response.status_code::int': 200, 'resource.env': 'prod', 'resource.host.name': 'web-1', 'scope.lang': 'go' },
  { trace: '01', span: 'a2', parent: 'a1', service: 'orders-db', name: 'SELECT orders', kind: 3, durationNs: 120 * MS, status: 2, message: 'timeout', scope: null,
    'span.ratio::double': 0.25, 'span.cache.hit::bool': false, 'resource.env': 'prod' },
  { trace: '02', span: 'b1', parent: null, service: 'api', name: 'POST /pay', kind: 2, durationNs: 50 * MS, status: 1, message: null, scope: null,
    'span.http.route': '/pay', 'span.http.response.status_code::int': 500, 'span.env': 'canary', 'resource.env': 'staging', 'span.ratio::int': 3, 'span.cache.hit::bool': true },
  { trace: '02', span: 'b2', parent: 'b1', service: 'queue', name: 'publish', kind: 4, durationNs: 5 * MS, status: 0, message: null, scope: null,
    'scope.lang': 'java', 'span.attr with space': 'yes' },
  { trace: '03', span: 'c1', parent: null, service: 'worker', name: 'consume', kind: 5, durationNs: 2000 * MS, status: 2, message: 'boom', scope: null,
    'span.http.response.status_code': '500', 'resource.host.name': 'w-9' },
  { trace: '03', span: 'c2', parent: 'c1', service: 'worker', name: 'internal-step', kind: 1, durationNs: 1.5 * MS, status: 0, message: null, scope: null,
    'span.quote"d': 'q' },
];

const catalog: ColumnCatalog = { has: (column) => column in ATTRIBUTE_COLUMNS };

/** [query, matching traces] */
const CASES: Array<[string, string[]]> = [
  ['{}', ['T1', 'T2', 'T3']],
  ['{ true }', ['T1', 'T2', 'T3']],
  ['{ false }', []],
  ['{ name = "POST /pay" }', ['T2']],
  ['{ span:name =~ "GET .*" }', ['T1']],
  ['{ resource.service.name != "worker" }', ['T1', 'T2']],
  ['{ .service.name = "orders-db" }', ['T1']],
  ['{ duration > 1s }', ['T3']],
  ['{ span:duration >= 800ms }', ['T1', 'T3']],
  ['{ duration < 10ms }', ['T2', 'T3']],
  ['{ duration = 1.5ms }', ['T3']],
  ['{ status = error }', ['T1', 'T3']],
  ['{ span:status != unset }', ['T1', 'T2', 'T3']],
  ['{ status = ok }', ['T2']],
  ['{ kind = server }', ['T1', 'T2']],
  ['{ span:kind = producer }', ['T2']],
  ['{ kind = internal }', ['T3']],
  ['{ statusMessage = "timeout" }', ['T1']],
  ['{ span:statusMessage =~ "bo.*" }', ['T3']],
  ['{ statusMessage = "" && kind = server }', ['T1', 'T2']],
  // typed lookup: the int column, not T3's string "500"
  ['{ span.http.response.status_code >= 500 }', ['T2']],
  ['{ span.http.response.status_code = "500" }', ['T3']],
  ['{ span.http.response.status_code = 200.0 }', ['T1']],
  ['{ span.http.response.status_code < 1us }', ['T1', 'T2']],
  ['{ span.ratio > 0.2 }', ['T1', 'T2']],
  ['{ span.ratio = 3 }', ['T2']],
  ['{ span.ratio <= 0.25 }', ['T1']],
  ['{ span.ratio = "3" }', []],
  ['{ span.cache.hit = true }', ['T2']],
  ['{ span.cache.hit }', ['T2']],
  ['{ span.cache.hit = false }', ['T1']],
  ['{ span.cache.hit != true }', ['T1']],
  // regexes are fully anchored
  ['{ span.http.route =~ "/check.*" }', ['T1']],
  ['{ span.http.route =~ "check" }', []],
  ['{ span.http.route !~ "/pay" }', ['T1']],
  // != and !~ need the attribute; ! does not
  ['{ span.http.route != "/pay" }', ['T1']],
  ['{ !(span.http.route = "/pay") }', ['T1', 'T2', 'T3']],
  ['{ !(span.http.route = "/pay") && kind = server }', ['T1']],
  // missing columns and nil
  ['{ span.missing = "x" }', []],
  ['{ span.missing != "x" }', []],
  ['{ span.missing = nil }', ['T1', 'T2', 'T3']],
  ['{ span.missing != nil }', []],
  ['{ span.http.route != nil }', ['T1', 'T2']],
  ['{ span.ratio != nil && kind = client }', ['T1']],
  ['{ resource.host.name = nil && kind = server }', ['T2']],
  // scopes; unscoped prefers the span's attribute over the resource's
  ['{ resource.env = "prod" }', ['T1']],
  ['{ resource.env = "staging" }', ['T2']],
  ['{ .env = "canary" }', ['T2']],
  ['{ .env = "staging" }', []],
  ['{ .host.name = "w-9" }', ['T3']],
  ['{ instrumentation.lang = "java" }', ['T2']],
  ['{ instrumentation:name = "http-lib" }', ['T1']],
  ['{ span."attr with space" = "yes" }', ['T2']],
  ['{ span."quote\\"d" = "q" }', ['T3']],
  // ids
  ['{ trace:id = "2" }', ['T2']],
  ['{ span:id = "00000000000000C2" }', ['T3']],
  ['{ span:parentID = "a1" }', ['T1']],
  ['{ span:parentID = nil && kind = consumer }', ['T3']],
  // several spansets
  ['{ kind = server } && { status = error }', ['T1']],
  ['{ kind = server && status = error }', []],
  ['{ resource.service.name = "api" } || { resource.service.name = "worker" }', ['T2', 'T3']],
  ['({ kind = server } || { kind = consumer }) && { status = error }', ['T1', 'T3']],
  ['{ kind = server } && ({ span.missing = "x" } || { span.cache.hit })', ['T2']],
  ['{ span.http.route = "/pay" || duration > 1s }', ['T2', 'T3']],
  // && and || share one precedence level, left to right: (internal || producer) && > 1s
  ['{ kind = internal || kind = producer && duration > 1s }', []],
  // injection attempts stay literals
  [`{ name = "x' OR 1=1 --" }`, []],
  [`{ name =~ ".*' OR true OR '.*" }`, []],
  ['{ span."x\\" = 1 OR \\"y" = "z" }', []],
];

describe('compiled TraceQL on DuckDB', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;

  before(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    const columns = [
      ...HOT_COLUMNS.map((c) => `${quoteIdentifier(c.name)} ${DUCKDB_TYPE[c.kind]}`),
      ...Object.entries(ATTRIBUTE_COLUMNS).map(([name, type]) => `${quoteIdentifier(name)} ${type}`),
    ];
    await connection.run(`CREATE TABLE spans (${columns.join(', ')})`);
    for (const row of ROWS) await connection.run(insertSql(row));
  });

  after(() => {
    connection.closeSync();
    instance.closeSync();
  });

  it('runs 400 random compiled queries without a SQL error', async () => {
    const fields = ['span.ratio', '.env', 'span.http.response.status_code', 'name', 'duration', 'span:id', 'resource.service.name', 'span.cache.hit', 'span.nope'];
    const ops = ['=', '!=', '>', '<=', '=~', '!~'];
    const literals = ['"x"', '1', '-2', '1.5', '3ms', 'nil', 'true', 'error', 'server'];
    let seed = 7;
    const pick = <T>(items: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return items[seed % items.length]!;
    };
    const condition = (): string => `${pick(['', '!'])}(${pick(fields)} ${pick(ops)} ${pick(literals)})`;
    const spanset = (): string => `{ ${condition()} ${pick(['&&', '||'])} ${condition()} }`;
    let executed = 0;
    while (executed < 400) {
      const query = `${spanset()} ${pick(['&&', '||'])} ${spanset()}`;
      try {
        compileTraceQL(query, catalog);
      } catch (e) {
        if (e instanceof MarquetryError) continue; // type errors are the compiler's to report, not SQL's
        throw e;
      }
      await matchingTraces(connection, query);
      executed++;
    }
  });

  for (const [query, expected] of CASES) {
    it(`matches ${expected.length === 0 ? 'no trace' : expected.join(', ')} for ${query}`, async () => {
      assert.deepEqual(await matchingTraces(connection, query), expected);
    });
  }
});

async function matchingTraces(connection: DuckDBConnection, query: string): Promise<string[]> {
  const compiled = compileTraceQL(query, catalog);
  const flags = compiled.spansets.map((s, i) => `bool_or(${s}) AS m${i}`).join(', ');
  const sql =
    `SELECT lower(hex(trace_id)) AS id, ${flags} FROM spans ` +
    `WHERE start_time_unix_nano >= 0 AND (${compiled.anySpanset}) ` +
    `GROUP BY trace_id HAVING ${compiled.traceCondition} ORDER BY id`;
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJS().map((r) => TRACE_NAMES[String(r['id'])] ?? String(r['id']));
}

function insertSql(row: Row): string {
  const values: Record<string, string> = {
    trace_id: `unhex('${row['trace']!.toString().padStart(32, '0')}')`,
    span_id: `unhex('${row['span']!.toString().padStart(16, '0')}')`,
    parent_span_id: row['parent'] === null ? 'NULL' : `unhex('${row['parent']!.toString().padStart(16, '0')}')`,
    service_name: quoteString(String(row['service'])),
    name: quoteString(String(row['name'])),
    kind: String(row['kind']),
    start_time_unix_nano: '1700000000000000000',
    duration_nano: String(row['durationNs']),
    status_code: String(row['status']),
    status_message: sqlValue(row['message'] ?? null),
    has_exception: 'false',
    scope_name: sqlValue(row['scope'] ?? null),
  };
  for (const column of Object.keys(ATTRIBUTE_COLUMNS)) values[column] = sqlValue(row[column] ?? null);
  const names = Object.keys(values).map(quoteIdentifier).join(', ');
  return `INSERT INTO spans (${names}) VALUES (${Object.values(values).join(', ')})`;
}

function sqlValue(v: string | number | boolean | null): string {
  if (v === null) return 'NULL';
  return typeof v === 'string' ? quoteString(v) : String(v);
}
