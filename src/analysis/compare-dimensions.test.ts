import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { bucketLabel, dimensionsOf, formatDimensionValue } from './compare-dimensions.js';

describe('dimensionsOf', () => {
  const columns = [
    'trace_id',
    'span_id',
    'parent_span_id',
    'start_time_unix_nano',
    'duration_nano',
    'events',
    'links',
    'service_name',
    'name',
    'kind',
    'status_code',
    'span.http.route',
    'span.http.response.status_code::int',
    'span.x',
    'span.x::int',
    'span.flag::empty',
    'resource.service.instance.id',
    'scope.team',
  ];

  it('names hot columns the TraceQL way and never groups by ids, times or the events JSON', () => {
    const labels = dimensionsOf(columns, false).map((d) => `${d.label}/${d.mode}`);
    assert.deepEqual(labels, [
      'resource.service.name/value',
      'name/value',
      'kind/value',
      'status/value',
      'resource.service.instance.id/value',
      'instrumentation.team/value',
      'span.http.response.status_code/value',
      'span.http.response.status_code/bucket',
      'span.http.route/value',
      'span.x/value',
      'span.x::int/value',
      'span.x::int/bucket',
    ]);
  });

  it('adds the duration as ranges in ms when asked', () => {
    const d = dimensionsOf(columns, true).find((x) => x.label === 'duration')!;
    assert.equal(d.mode, 'bucket');
    assert.equal(formatDimensionValue(d, '200.0'), '[200ms, 500ms)');
  });

  it('shows kind and status codes by name', () => {
    const dims = dimensionsOf(columns, false);
    assert.equal(formatDimensionValue(dims.find((d) => d.label === 'kind')!, '2'), 'server');
    assert.equal(formatDimensionValue(dims.find((d) => d.label === 'status')!, '2'), 'error');
  });
});

describe('numeric buckets', () => {
  it('labels 1-2-5 ranges by their lower bound', () => {
    assert.equal(bucketLabel(100), '[100, 200)');
    assert.equal(bucketLabel(200), '[200, 500)');
    assert.equal(bucketLabel(5000), '[5000, 10000)');
    assert.equal(bucketLabel(0.2), '[0.2, 0.5)');
    assert.equal(bucketLabel(0), '0');
    assert.equal(bucketLabel(-20), '(-50, -20]');
  });

  it('puts each value in the bucket its label names, in DuckDB', async () => {
    const dim = dimensionsOf(['span.v::double'], false).find((d) => d.mode === 'bucket')!;
    const values = [1, 1.99, 2, 4.999, 5, 9.99, 10, 99, 100, 199.5, 1000, 123456, 0.001, 0.0049, 0, -3, -1000];
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const rows = (
        await conn.runAndReadAll(`SELECT "span.v::double" AS v, CAST(${dim.sql} AS VARCHAR) AS b FROM (SELECT unnest([${values.join(', ')}]::DOUBLE[]) AS "span.v::double")`)
      ).getRowObjectsJS();
      for (const r of rows) {
        const v = Number(r['v']);
        const label = formatDimensionValue(dim, String(r['b']));
        const m = /^\[([\d.e-]+), ([\d.e-]+)\)$/.exec(label);
        if (v > 0) {
          assert.ok(m, `${v} → ${label}`);
          assert.ok(Number(m[1]) <= v && v < Number(m[2]), `${v} is not in ${label}`);
        } else if (v === 0) assert.equal(label, '0');
        else assert.ok(label.startsWith('(-'), `${v} → ${label}`);
      }
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});
