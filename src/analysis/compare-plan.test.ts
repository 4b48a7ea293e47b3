import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/duckdb.js';
import { BadQueryError } from '../model/errors.js';
import { planComparison, traceSampleSql } from './compare-plan.js';
import { assembleComparison } from './compare-result.js';
import type { CompareRequest } from './compare-types.js';

const COLUMNS = new Set([
  'trace_id',
  'span_id',
  'service_name',
  'name',
  'kind',
  'status_code',
  'has_exception',
  'start_time_unix_nano',
  'duration_nano',
  'span.user',
  'span.n::int',
  'resource.service.version',
]);

function request(overrides: Partial<CompareRequest> = {}): CompareRequest {
  return {
    startNs: 0n,
    endNs: 10_000n,
    target: { kind: 'errors' },
    baseline: { kind: 'rest' },
    level: 'span',
    limit: 100,
    maxSpans: 0,
    ...overrides,
  };
}

describe('planComparison', () => {
  const input = { files: ['/data/a.parquet'], columns: COLUMNS, estimatedSpans: 1000 };

  it('leaves out the dimensions the target and baseline are defined by', () => {
    assert.deepEqual(planComparison(input, request()).excluded, ['status']);
    assert.deepEqual(planComparison(input, request({ target: { kind: 'slow', percentile: 95 } })).excluded, ['duration']);
    const q = planComparison(input, request({ target: { kind: 'traceql', query: '{ span.user = "name" }' }, baseline: { kind: 'traceql', query: '{ kind = server }' } }));
    assert.deepEqual(q.excluded, ['kind', 'span.user']);
    assert.ok(q.dimensions.some((d) => d.label === 'name'), 'a column named in a string literal is still a dimension');
  });

  it('reads a trace-id range of about maxSpans spans when the range holds more', () => {
    const p = planComparison({ ...input, estimatedSpans: 4000 }, request({ maxSpans: 1000 }));
    assert.equal(p.sampleFraction, 0.25);
    assert.ok(p.sql.includes(traceSampleSql(0.25)));
    assert.equal(traceSampleSql(0.25), "trace_id < from_hex('40000000000000000000000000000000')");
    assert.equal(planComparison(input, request({ maxSpans: 0 })).sampleFraction, 1);
  });

  it('finds the traces of a trace-id set once, in one materialized layer, and never samples a set', () => {
    const setSql = (id: string): string => `trace_id IN (SELECT trace_id FROM read_parquet('/sets/${id}.parquet'))`;
    const p = planComparison(
      { ...input, estimatedSpans: 4000, traceIdSetSql: setSql },
      request({ maxSpans: 1000, target: { kind: 'traceIdSet', set: 'aaaaaaaaaaaaaaaa' }, traceIdSet: 'aaaaaaaaaaaaaaaa' }),
    );
    assert.equal(p.sampleFraction, 1);
    assert.equal(p.sql.split("read_parquet('/sets/aaaaaaaaaaaaaaaa.parquet')").length, 2, 'the set file is read once');
    assert.match(p.sql, /_set0 AS MATERIALIZED \(SELECT DISTINCT trace_id FROM .* WHERE start_time_unix_nano >= 0 /);
    assert.ok(p.sql.includes('trace_id IN (SELECT trace_id FROM _set0)'));
    assert.throws(() => planComparison(input, request({ target: { kind: 'traceIdSet', set: 'aaaaaaaaaaaaaaaa' } })), /trace-id sets need/);
  });

  it('takes a TraceQL target of several spansets at trace level only', () => {
    const target = { kind: 'traceql' as const, query: '{ span.user = "a" } && { status = error }' };
    assert.throws(() => planComparison(input, request({ target })), (e: Error) => e instanceof BadQueryError && /level "trace"/.test(e.message));
    assert.ok(planComparison(input, request({ target, level: 'trace' })).sql.includes('_tm1'));
  });
});

describe('the comparison query', () => {
  let dataDir: string;
  let engine: Engine;
  let file: string;

  // Four traces. t1 and t2 fail in spans of user "u1"; t3 and t4 do not.
  const spans = [
    // trace, service, name, status, user, n, version, duration
    ['01', 'api', 'GET', 2, 'u1', 150, '1.0', 100],
    ['01', 'api', 'GET', 2, 'u1', 150, '1.0', 110],
    ['01', 'db', 'SELECT', 0, null, null, '2.0', 5],
    ['02', 'api', 'GET', 2, 'u1', 7, '1.0', 120],
    ['02', 'api', 'GET', 0, 'u2', 7, '1.1', 30],
    ['03', 'api', 'GET', 0, 'u2', 7, '1.1', 35],
    ['03', 'api', 'GET', 0, 'u3', 150, '1.1', 40],
    ['03', 'db', 'SELECT', 0, null, null, '2.0', 6],
    ['04', 'api', 'GET', 0, 'u3', 7, '1.0', 45],
    ['04', 'worker', 'run', 0, 'u1', null, '3.0', 500],
  ] as const;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'marquetry-compare-plan-'));
    engine = await Engine.create({ dataDir, threads: 1, memoryLimit: '256MB' });
    file = join(dataDir, 'spans.parquet');
    const values = spans
      .map(
        ([t, svc, name, status, user, n, version, ms], i) =>
          `(from_hex('${t.padStart(32, '0')}'), from_hex('${String(i + 1).padStart(16, '0')}'), '${svc}', '${name}', 2, ${status}, false, ${1000 + i}, ${ms * 1_000_000}, ` +
          `${user === null ? 'NULL' : `'${user}'`}, ${n === null ? 'NULL' : n}, '${version}')`,
      )
      .join(', ');
    await engine.run(
      `COPY (SELECT * FROM (VALUES ${values}) AS v(trace_id, span_id, service_name, name, kind, status_code, has_exception, start_time_unix_nano, duration_nano, "span.user", "span.n::int", "resource.service.version")) ` +
        `TO '${file}' (FORMAT parquet)`,
    );
  });

  after(async () => {
    engine.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function run(overrides: Partial<CompareRequest>) {
    const req = request(overrides);
    const plan = planComparison({ files: [file], columns: COLUMNS, estimatedSpans: spans.length }, req);
    const rows = await engine.all(plan.sql);
    return assembleComparison({ rows, dimensions: plan.dimensions, level: req.level, limit: 100, excluded: plan.excluded });
  }

  /** The row of dimension=value, also when it is an alias of another row (the same spans). */
  function row(r: Awaited<ReturnType<typeof run>>, dimension: string, value: string) {
    return r.dimensions.find((d) => (d.dimension === dimension && d.value === value) || d.aliases?.includes(`${dimension}=${value}`));
  }

  it('counts spans of the target against the other spans of the same operations', async () => {
    const r = await run({});
    // target: the 3 failing api GET spans; baseline: the 4 other api GET spans (db and worker spans never fail)
    assert.deepEqual(r.target, { spans: 3 });
    assert.deepEqual(r.baseline, { spans: 4 });
    const u1 = row(r, 'span.user', 'u1')!;
    assert.deepEqual([u1.targetCount, u1.baselineCount, u1.targetShare, u1.baselineShare], [3, 0, 1, 0]);
    assert.equal(top(r), 'span.user=u1');
    assert.equal(row(r, 'resource.service.name', 'db'), undefined);
    const api = r.dimensions.find((d) => d.dimension === 'name' && d.value === 'GET')!;
    assert.deepEqual(api.aliases?.slice(0, 2), ['resource.service.name=api', 'kind=server'], 'the same spans under several names are one row');
    // low-cardinality integers read as values, not ranges
    assert.deepEqual([row(r, 'span.n', '150')!.targetCount, row(r, 'span.n', '150')!.baselineCount], [2, 1]);
  });

  it('counts each trace once per value at trace level', async () => {
    const r = await run({ level: 'trace' });
    assert.deepEqual(r.target, { spans: 5, traces: 2 });
    assert.deepEqual(r.baseline, { spans: 5, traces: 2 });
    const u1 = row(r, 'span.user', 'u1')!;
    assert.deepEqual([u1.targetCount, u1.baselineCount], [2, 1]); // t1, t2 | t4
    const db = row(r, 'resource.service.name', 'db')!;
    assert.deepEqual([db.targetCount, db.baselineCount], [1, 1]); // t1 | t3
  });

  it('compares a TraceQL target with a TraceQL baseline', async () => {
    const r = await run({ target: { kind: 'traceql', query: '{ span.user = "u1" }' }, baseline: { kind: 'traceql', query: '{ span.user = "u2" || span.user = "u3" }' } });
    assert.deepEqual(r.target, { spans: 4 });
    assert.deepEqual(r.baseline, { spans: 4 });
    assert.deepEqual(r.excluded, ['span.user']);
    const v = row(r, 'resource.service.version', '1.0')!;
    assert.deepEqual([v.targetCount, v.baselineCount], [3, 1]);
  });

  it('shows a numeric attribute with many values as ranges, summed the same at span and trace level', async () => {
    // 400 spans, one trace each, span.n = 0..399; the 100 with n < 100 fail
    const numbered = join(dataDir, 'numbered.parquet');
    await engine.run(
      `COPY (SELECT from_hex(lpad(to_hex(i), 32, '0')) AS trace_id, from_hex(lpad(to_hex(i), 16, '0')) AS span_id, 'api' AS service_name, 'GET' AS name, 2 AS kind, ` +
        `CASE WHEN i < 100 THEN 2 ELSE 0 END AS status_code, false AS has_exception, 1000 + i AS start_time_unix_nano, 1000000 AS duration_nano, ` +
        `NULL::VARCHAR AS "span.user", i AS "span.n::int", '1.0' AS "resource.service.version" FROM range(400) t(i)) TO '${numbered}' (FORMAT parquet)`,
    );
    for (const level of ['span', 'trace'] as const) {
      const req = request({ level });
      const plan = planComparison({ files: [numbered], columns: COLUMNS, estimatedSpans: 400 }, req);
      const r = assembleComparison({ rows: await engine.all(plan.sql), dimensions: plan.dimensions, level, limit: 100, excluded: plan.excluded });
      assert.deepEqual(r.highCardinality, [{ dimension: 'span.n', distinct: 400 }], level);
      const range = (v: string) => r.dimensions.find((d) => d.dimension === 'span.n' && d.value === v);
      assert.deepEqual([range('[50, 100)')?.targetCount, range('[50, 100)')?.baselineCount], [50, 0], level);
      assert.deepEqual([range('[200, 500)')?.targetCount, range('[200, 500)')?.baselineCount], [0, 200], level);
      assert.equal(range('0')?.targetCount, 1, level);
    }
  });

  it('selects spans above the percentile of their own operation as slow', async () => {
    const r = await run({ target: { kind: 'slow', percentile: 50 } });
    // api GET (7 spans): the 3 above its median of 45 ms; db SELECT: the 6 ms one; worker run: none (one span)
    assert.deepEqual(r.target, { spans: 4 });
    assert.deepEqual(r.baseline, { spans: 6 });
  });
});

function top(r: { dimensions: { dimension: string; value: string }[] }): string {
  return `${r.dimensions[0]!.dimension}=${r.dimensions[0]!.value}`;
}
