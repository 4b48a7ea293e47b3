// Snapshot tests: the exact SQL for a set of queries. When the SQL changes on
// purpose, update the expectation here and re-run compile-sql.duckdb.test.ts,
// which checks what the SQL means.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BadQueryError, UnsupportedQueryError } from '../../model/errors.js';
import { compileTraceQL, isSpanFree, usesTraceLevel, type ColumnCatalog, type CompiledTraceQL } from './compile-sql.js';

const COLUMNS = new Set([
  'span.http.route',
  'span.http.response.status_code::int',
  'span.http.response.status_code',
  'span.ratio::double',
  'span.ratio::int',
  'span.cache.hit::bool',
  'span.blob::bytes',
  'span.env',
  'resource.env',
  'resource.host.name',
  'scope.lang',
  'span.a"b',
]);
const catalog: ColumnCatalog = { has: (column) => COLUMNS.has(column) };

/** [query, the one spanset's SQL] for single-spanset queries */
const SPANSET_SQL: Array<[string, string]> = [
  ['{}', 'TRUE'],
  ['{ true }', 'TRUE'],
  ['{ false }', 'FALSE'],
  // intrinsics
  ['{ name = "GET /" }', "name = 'GET /'"],
  ['{ span:name != "x" }', "name <> 'x'"],
  ['{ status = error }', 'status_code = 2'],
  ['{ span:status != ok }', 'status_code <> 1'],
  ['{ kind = server }', 'kind = 2'],
  ['{ span:kind = unspecified }', 'kind = 0'],
  ['{ duration > 500ms }', 'duration_nano > 500000000'],
  ['{ span:duration <= 1.5s }', 'duration_nano <= 1500000000'],
  ['{ duration > 100 }', 'duration_nano > 100'],
  ['{ statusMessage =~ "time.*" }', "regexp_full_match(coalesce(status_message, ''), 'time.*')"],
  ['{ span:id = "ABCDEF" }', "lower(hex(span_id)) = '0000000000abcdef'"],
  ['{ trace:id = "0123456789abcdef0123456789abcdef" }', "lower(hex(trace_id)) = '0123456789abcdef0123456789abcdef'"],
  ['{ trace:id =~ "ab.*" }', "regexp_full_match(lower(hex(trace_id)), 'ab.*')"],
  ['{ span:parentID = nil }', 'parent_span_id IS NULL'],
  ['{ span:parentID != nil }', 'parent_span_id IS NOT NULL'],
  ['{ span:parentID = "1" }', "coalesce(lower(hex(parent_span_id)), '') = '0000000000000001'"],
  ['{ name = nil }', 'FALSE'],
  ['{ instrumentation:name = "otel" }', "coalesce(scope_name, '') = 'otel'"],
  ['{ instrumentation:version >= "1.2" }', "coalesce(scope_version, '') >= '1.2'"],
  // typed attribute lookup
  ['{ span.http.route = "/a" }', `"span.http.route" = '/a'`],
  ['{ span.http.route =~ "/api/.*" }', `regexp_full_match("span.http.route", '/api/.*')`],
  ['{ span.http.route !~ "/api/.*" }', `NOT regexp_full_match("span.http.route", '/api/.*')`],
  ['{ span.http.route != "/a" }', `"span.http.route" <> '/a'`],
  ['{ span.http.route > "/m" }', `"span.http.route" > '/m'`],
  ['{ span.http.response.status_code >= 500 }', `"span.http.response.status_code::int" >= 500`],
  ['{ span.http.response.status_code = "500" }', `"span.http.response.status_code" = '500'`],
  ['{ span.ratio > 0.5 }', `"span.ratio::double" > 0.5 OR "span.ratio::int" > 0.5`],
  ['{ span.ratio = 3 }', `"span.ratio::int" = 3 OR "span.ratio::double" = 3`],
  ['{ span.ratio = 2.0 }', `"span.ratio::double" = 2.0 OR "span.ratio::int" = 2.0`],
  ['{ span.ratio < 1s }', `"span.ratio::int" < 1000000000 OR "span.ratio::double" < 1000000000`],
  ['{ span.ratio > -1 }', `"span.ratio::int" > -1 OR "span.ratio::double" > -1`],
  ['{ span.cache.hit = true }', `"span.cache.hit::bool" = true`],
  ['{ span.cache.hit }', `"span.cache.hit::bool" = true`],
  ['{ !span.cache.hit }', `NOT coalesce("span.cache.hit::bool" = true, false)`],
  ['{ span.cache.hit != false }', `"span.cache.hit::bool" <> false`],
  ['{ span.http.route = 5 }', 'FALSE'],
  ['{ span.http.route = error }', 'FALSE'],
  // nil and missing columns
  ['{ span.http.route != nil }', `"span.http.route" IS NOT NULL`],
  [
    '{ span.http.response.status_code = nil }',
    `NOT ("span.http.response.status_code" IS NOT NULL OR "span.http.response.status_code::int" IS NOT NULL)`,
  ],
  ['{ span.blob != nil }', `"span.blob::bytes" IS NOT NULL`],
  ['{ span.missing = "x" }', 'FALSE'],
  ['{ span.missing != "x" }', 'FALSE'],
  ['{ span.missing = nil }', 'TRUE'],
  ['{ span.missing != nil }', 'FALSE'],
  // scopes
  ['{ resource.host.name = "h" }', `"resource.host.name" = 'h'`],
  ['{ resource.service.name = "api" }', "service_name = 'api'"],
  ['{ resource.service.name =~ "a.*" }', "regexp_full_match(nullif(service_name, ''), 'a.*')"],
  ['{ resource.service.name != "api" }', "nullif(service_name, '') <> 'api'"],
  ['{ resource.service.name != nil }', "service_name <> ''"],
  ['{ .service.name = "api" }', "service_name = 'api'"],
  ['{ .env = "prod" }', `CASE WHEN "span.env" IS NOT NULL THEN "span.env" = 'prod' ELSE "resource.env" = 'prod' END`],
  ['{ .host.name = "h" }', `"resource.host.name" = 'h'`],
  ['{ .http.route = "/a" }', `"span.http.route" = '/a'`],
  ['{ .env != nil }', `"span.env" IS NOT NULL OR "resource.env" IS NOT NULL`],
  ['{ instrumentation.lang = "go" }', `"scope.lang" = 'go'`],
  ['{ span."a\\"b" = "x" }', `"span.a""b" = 'x'`],
  // logic and negation
  ['{ !(span.http.route = "/a") }', `NOT coalesce("span.http.route" = '/a', false)`],
  ['{ !(status = error) }', 'NOT (status_code = 2)'],
  ['{ !!(span.http.route = "/a") }', `"span.http.route" = '/a'`],
  ['{ (span.http.route = "/a") = false }', `NOT coalesce("span.http.route" = '/a', false)`],
  ['{ (status = error) != false }', 'status_code = 2'],
  ['{ 500 <= span.http.response.status_code }', `"span.http.response.status_code::int" >= 500`],
  ['{ span.http.route = "/a" && span.missing = "x" }', 'FALSE'],
  ['{ span.http.route = "/a" || span.missing = "x" }', `"span.http.route" = '/a'`],
  ['{ status = error || kind = server && duration > 1s }', '(status_code = 2 OR kind = 2) AND duration_nano > 1000000000'],
  ['{ status = error || (kind = server && duration > 1s) }', 'status_code = 2 OR (kind = 2 AND duration_nano > 1000000000)'],
  // literals on both sides
  ['{ 1 = 1 }', '1 = 1'],
  ['{ 1 < 2s }', '1 < 2000000000'],
  ['{ "a" =~ "a.*" }', "regexp_full_match('a', 'a.*')"],
  ['{ error = error }', '2 = 2'],
  ['{ nil = nil }', 'TRUE'],
  // injection attempts
  [`{ name = "x' OR 1=1 --" }`, `name = 'x'' OR 1=1 --'`],
  ['{ name = `it\'s ""raw""` }', `name = 'it''s ""raw""'`],
  [`{ span.http.route =~ "'); DROP TABLE spans; --" }`, `regexp_full_match("span.http.route", '''); DROP TABLE spans; --')`],
];

const MULTI: Array<[string, CompiledTraceQL]> = [
  [
    '{ status = error } && { kind = server }',
    { spansets: ['status_code = 2', 'kind = 2'], traceCondition: 'm0 AND m1', anySpanset: 'status_code = 2 OR kind = 2' },
  ],
  [
    '{ span.http.response.status_code = 500 } && { resource.service.name = "db" }',
    {
      spansets: [`"span.http.response.status_code::int" = 500`, "service_name = 'db'"],
      traceCondition: 'm0 AND m1',
      anySpanset: `"span.http.response.status_code::int" = 500 OR service_name = 'db'`,
    },
  ],
  [
    '{ status = error } || { kind = server } && { duration > 1s }',
    {
      spansets: ['status_code = 2', 'kind = 2', 'duration_nano > 1000000000'],
      traceCondition: '(m0 OR m1) AND m2',
      anySpanset: 'status_code = 2 OR kind = 2 OR duration_nano > 1000000000',
    },
  ],
  [
    '{ status = error } && ({ kind = client } || { name = "x" && duration > 1s })',
    {
      spansets: ['status_code = 2', 'kind = 3', "name = 'x' AND duration_nano > 1000000000"],
      traceCondition: 'm0 AND (m1 OR m2)',
      anySpanset: "status_code = 2 OR kind = 3 OR (name = 'x' AND duration_nano > 1000000000)",
    },
  ],
  [
    '{ status = error } && ({ span.missing = "x" } || { kind = server })',
    { spansets: ['status_code = 2', 'FALSE', 'kind = 2'], traceCondition: 'm0 AND m2', anySpanset: 'status_code = 2 OR kind = 2' },
  ],
  [
    '{ span.missing = "x" } && { kind = server }',
    { spansets: ['FALSE', 'kind = 2'], traceCondition: 'FALSE', anySpanset: 'kind = 2' },
  ],
  ['{ span.missing = "x" } || { }', { spansets: ['FALSE', 'TRUE'], traceCondition: 'm1', anySpanset: 'TRUE' }],
  ['{}', { spansets: ['TRUE'], traceCondition: 'm0', anySpanset: 'TRUE' }],
];

const BAD: Array<[string, string]> = [
  ['{ status = 2 }', 'traceql: cannot compare status with an integer at 1:10'],
  ['{ span:kind = error }', 'traceql: cannot compare span:kind with a status at 1:13'],
  ['{ duration = "1s" }', 'traceql: cannot compare duration with a string at 1:12'],
  ['{ name = 5 }', 'traceql: cannot compare name with an integer at 1:8'],
  ['{ trace:id = 5 }', 'traceql: cannot compare trace:id with an integer at 1:12'],
  ['{ name =~ 5 }', 'traceql: operator "=~" at 1:8 needs a string pattern, not an integer'],
  ['{ "x" =~ name }', 'traceql: the pattern of "=~" at 1:7 must be on its right'],
  ['{ status > ok }', 'traceql: operator ">" at 1:10 cannot order a status'],
  ['{ span.a > true }', 'traceql: operator ">" at 1:10 cannot order a boolean'],
  ['{ span.a < nil }', 'traceql: operator "<" at 1:10 cannot order nil'],
  ['{ 1 = "a" }', 'traceql: cannot compare an integer with a string at 1:5'],
  ['{ "a" }', 'traceql: a string at 1:3 is not a condition'],
  ['{ 5 && span.a }', 'traceql: an integer at 1:3 is not a condition'],
  ['{ status }', 'traceql: status at 1:3 is not a condition; compare it with a value'],
  ['{ !span.a = "x" }', 'traceql: cannot compare a condition with a string at 1:11'],
  [`{ name = "a\\x00b" }`, 'traceql: NUL characters are not allowed in names or strings'],
];

const UNSUPPORTED: Array<[string, string]> = [
  ['{ rootName = "GET /" }', 'traceql: trace-level intrinsic "rootName" at 1:3 is not supported yet'],
  ['{ trace:rootName = "GET /" }', 'traceql: trace-level intrinsic "trace:rootName" at 1:3 is not supported yet'],
  ['{ rootServiceName = "api" }', 'traceql: trace-level intrinsic "rootServiceName" at 1:3 is not supported yet'],
  ['{ trace:rootService = "api" }', 'traceql: trace-level intrinsic "trace:rootService" at 1:3 is not supported yet'],
  ['{ traceDuration > 1s }', 'traceql: trace-level intrinsic "traceDuration" at 1:3 is not supported yet'],
  ['{ span.a = 1 && trace:duration > 1s }', 'traceql: trace-level intrinsic "trace:duration" at 1:17 is not supported yet'],
  ['{ span.a = span.b }', 'traceql: comparison between two fields at 1:10 is not supported yet'],
  ['{ span.a = 1 } | count() > 2', 'traceql: pipeline stage "count()" at 1:18 is not supported yet'],
];

describe('compileTraceQL', () => {
  for (const [query, sql] of SPANSET_SQL) {
    it(`compiles ${query} to ${sql}`, () => {
      const compiled = compileTraceQL(query, catalog);
      assert.deepEqual(compiled.spansets, [sql]);
      assert.equal(compiled.anySpanset, sql);
      assert.equal(compiled.traceCondition, sql === 'FALSE' ? 'FALSE' : 'm0');
    });
  }

  for (const [query, expected] of MULTI) {
    it(`combines the spansets of ${query} at trace level`, () => {
      assert.deepEqual(compileTraceQL(query, catalog), expected);
    });
  }

  for (const [query, message] of BAD) {
    it(`rejects ${query} as a bad query`, () => {
      assert.throws(() => compileTraceQL(query, catalog), (e: unknown) => e instanceof BadQueryError && e.message === message);
    });
  }

  for (const [query, message] of UNSUPPORTED) {
    it(`rejects ${query} as unsupported`, () => {
      assert.throws(
        () => compileTraceQL(query, catalog),
        (e: unknown) => e instanceof UnsupportedQueryError && e.message === message,
      );
    });
  }

  it('quotes column names taken from stored attribute keys, whatever they contain', () => {
    const key = `x" = 1 or "y`;
    const compiled = compileTraceQL(`{ span."x\\" = 1 or \\"y" = "v" }`, { has: (c) => c === `span.${key}` });
    assert.deepEqual(compiled.spansets, [`"span.x"" = 1 or ""y" = 'v'`]);
  });

  it('never emits a column the catalog does not know', () => {
    const compiled = compileTraceQL('{ .a = 1 && span.b = "x" || resource.c != nil || instrumentation.d =~ "e" }', { has: () => false });
    assert.deepEqual(compiled, { spansets: ['FALSE'], traceCondition: 'FALSE', anySpanset: 'FALSE' });
  });

  it('compiles trace-level intrinsics to the joined trace columns where the caller has them', () => {
    const compiled = compileTraceQL('{ trace:duration > 1s && rootServiceName = "api" && name = "x" }', { has: () => false, traceLevel: true });
    assert.deepEqual(compiled.spansets, [`__trace_duration_nano > 1000000000 AND coalesce(__trace_root_service, '') = 'api' AND name = 'x'`]);
    assert.equal(usesTraceLevel(compiled), true);
    assert.equal(usesTraceLevel(compileTraceQL('{ name = "x" }', { has: () => false, traceLevel: true })), false);
    const absent = compileTraceQL('{ trace:rootName = nil }', { has: () => false, traceLevel: true });
    assert.deepEqual(absent.spansets, ['__trace_root_name IS NULL']);
  });

  it('tells span-free queries ({} and trace-level intrinsics only) from those looking at spans', () => {
    for (const q of ['{}', '{ }', '{ traceDuration > 1s }', '{ trace:rootService = "a" } && { rootName =~ "GET .*" }', '{ !(trace:duration < 1ms) }']) assert.equal(isSpanFree(q), true, q);
    for (const q of ['{ name = "x" }', '{ traceDuration > 1s && status = error }', '{ .a = 1 } || { rootName = "x" }', '{ trace:id = "abc" }']) assert.equal(isSpanFree(q), false, q);
  });
});
