import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DashPrefixFields, dashPrefixOf } from './log-dash-prefix.js';
import { logRowProjection } from './log-part-projection.js';
import { stringEntriesColumn } from './parquet/testing.js';
import type { ParquetColumn } from './parquet/columns.js';

/** A column's rows as strings (undefined: null), for comparing what the step writes with what it was given. */
function valuesOf(column: ParquetColumn): (string | boolean | undefined)[] {
  if (column.kind === 'boolean') return [...column.values].map((v, r) => (column.nulls?.[r] ? undefined : v === 1));
  if (column.kind !== 'string-entries') throw new Error(column.kind);
  const decoder = new TextDecoder();
  return [...column.indices].map((e, r) => (column.nulls?.[r] ? undefined : decoder.decode(column.entries.subarray(column.entryStarts[e]! + 4, column.entryStarts[e + 1]!))));
}

/** What the step writes for `columns` of one run, in order, after its last column: names and values, taken as the writer does, at once. */
function written(columns: ParquetColumn[]): [string, (string | boolean | undefined)[]][] {
  const fields = new DashPrefixFields(1);
  const out: [string, (string | boolean | undefined)[]][] = [];
  for (const c of columns) {
    for (const w of fields.step(0, c) ?? [c]) out.push([w.name, valuesOf(w)]);
    // the flush reuses a column's arrays for the next one: what the step keeps must be its own
    if (c.kind === 'string-entries') c.indices.fill(0);
  }
  for (const w of fields.finish(0)) out.push([w.name, valuesOf(w)]);
  return out;
}

const HOSTS = ['cart-1', 'checkout-api-7f', 'cart-2', undefined, 'café-3', 'search-0'];
const SERVICES = HOSTS.map((h) => dashPrefixOf(h) ?? undefined);

describe('dash-prefix fields in the flush', () => {
  it('writes a marker for a field that is another before its last dash, whichever comes first', () => {
    for (const order of [
      ['body.service', 'body.host'],
      ['body.host', 'body.service'],
    ]) {
      const given = { 'body.host': HOSTS, 'body.service': SERVICES } as Record<string, (string | undefined)[]>;
      const out = new Map(written(order.map((name) => stringEntriesColumn(name, given[name]!))));
      assert.deepEqual([...out.keys()].sort(), ['body.host', 'body.service::dash-prefix.body.host']);
      assert.deepEqual(out.get('body.host'), HOSTS);
      assert.deepEqual(out.get('body.service::dash-prefix.body.host'), SERVICES.map((s) => (s === undefined ? undefined : true)));
    }
  });

  it('keeps both as text where one row breaks it, or the source is missing where the field is not', () => {
    for (const services of [SERVICES.map((s, r) => (r === 4 ? 'cafe' : s)), SERVICES.map((s, r) => (r === 3 ? 'cart' : s))]) {
      const out = written([stringEntriesColumn('body.service', services), stringEntriesColumn('body.host', HOSTS)]);
      assert.deepEqual(out, [
          ['body.service', services],
          ['body.host', HOSTS],
      ]);
    }
  });

  it('derives no field from a derived one', () => {
    const pods = ['a-1-x', 'b-2-y', 'a-1-z'];
    const deployments = ['a-1', 'b-2', 'a-1'];
    const apps = ['a', 'b', 'a'];
    const out = written([stringEntriesColumn('body.pod', pods), stringEntriesColumn('body.deployment', deployments), stringEntriesColumn('body.app', apps)]);
    assert.deepEqual(out, [
        ['body.deployment::dash-prefix.body.pod', [true, true, true]],
        ['body.pod', pods],
        ['body.app', apps],
    ]);
  });

  it('leaves other columns alone', () => {
    const typed = stringEntriesColumn('body.service::template', SERVICES);
    const other = stringEntriesColumn('severity_text', HOSTS);
    assert.equal(new DashPrefixFields(1).step(0, typed), undefined);
    assert.equal(new DashPrefixFields(1).step(0, other), undefined);
  });
});

describe('dash-prefix fields read without DuckDB', () => {
  it('gives the field back from its source where the marker is true, and from each form of a merged file', () => {
    const project = logRowProjection(['body.host', 'body.pod', 'body.service', 'body.service::dash-prefix.body.host', 'body.service::dash-prefix.body.pod']);
    assert.deepEqual(project({ 'body.host': 'checkout-api-7f', 'body.service::dash-prefix.body.host': true }), { 'body.host': 'checkout-api-7f', 'body.service': 'checkout-api' });
    assert.deepEqual(project({ 'body.pod': 'x-y-z', 'body.service::dash-prefix.body.pod': true }), { 'body.pod': 'x-y-z', 'body.service': 'x-y' });
    assert.deepEqual(project({ 'body.host': 'a-1', 'body.service': 'b' }), { 'body.host': 'a-1', 'body.service': 'b' });
    assert.deepEqual(project({ 'body.host': 'a-1' }), { 'body.host': 'a-1' });
  });
});
