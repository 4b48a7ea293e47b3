// Quality of the root-cause comparison on the load generator's shop traffic
// with one planted cause each: the planted dimension=value must rank first,
// and traffic whose errors have no cause must give no confident culprit.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../loadgen/rng.js';
import { runComparison } from './compare.js';
import { cubeIneligible } from './compare-cube.js';
import { planComparison } from './compare-plan.js';
import { searchFiles } from '../query/search.js';
import type { CompareRequest, CompareResponse } from './compare-types.js';
import {
  addDurationMs,
  attributeRows,
  datasetRequest,
  generateBackground,
  markError,
  resourceValues,
  spansByTrace,
  storeDataset,
  uniformErrors,
} from './compare-test-helpers.js';
import type { SpanBatch } from '../model/span-batch.js';

const TRACES = 3000;

/**
 * Each request's answer from the default path (span cubes where they can
 * answer) — checked to equal the scan's in its culprit and top rows — so
 * every planted cause holds on both paths.
 */
async function compare(batch: SpanBatch, ...requests: Partial<CompareRequest>[]): Promise<CompareResponse[]> {
  const ds = await storeDataset(batch);
  try {
    const out: CompareResponse[] = [];
    for (const r of requests) {
      const req = datasetRequest(r);
      const auto = await runComparison(ds.store, ds.engine, req);
      const spans = await runComparison(ds.store, ds.engine, { ...req, source: 'spans' });
      assert.equal(auto.answeredBy?.path, cubeIneligible(req) === undefined ? 'cube' : 'spans', JSON.stringify(auto.answeredBy));
      assert.equal(spans.answeredBy?.path, 'spans');
      const label = `${req.target.kind} ${req.level}`;
      assert.equal(top(auto.dimensions), top(spans.dimensions), `${label}: top dimension, cube vs spans`);
      assert.equal(top(auto.latency), top(spans.latency), `${label}: top latency row, cube vs spans`);
      assert.equal(auto.culprit === undefined, spans.culprit === undefined, `${label}: a culprit on one path only`);
      out.push(auto);
    }
    return out;
  } finally {
    await ds.close();
  }
}

function top(rows: readonly { dimension: string; value: string }[]): string {
  return rows[0] ? `${rows[0].dimension}=${rows[0].value}` : '(none)';
}

/** In 3% of traces every span that carries app.user.id now carries "99" and fails. */
function plantFailingUser(batch: SpanBatch, rng: Rng): void {
  const userRow = attributeRows(batch.attributes, batch.length, 'app.user.id');
  for (const spans of spansByTrace(batch)) {
    if (!rng.chance(0.03)) continue;
    for (const i of spans) {
      const r = userRow[i]!;
      if (r < 0) continue;
      batch.attributes.str[r] = '99';
      markError(batch, i);
    }
  }
}

/** The first instance (by id) of `service`. */
function instanceOf(batch: SpanBatch, service: string): string {
  const services = resourceValues(batch, 'service.name');
  const instances = resourceValues(batch, 'service.instance.id');
  const ids = new Set<string>();
  for (let i = 0; i < batch.length; i++) if (services[i] === service) ids.add(instances[i]!);
  return [...ids].sort()[0]!;
}

describe('root-cause comparison on planted causes', () => {
  it('ranks app.user.id=99 first when only that user fails, at span and trace level', async () => {
    const batch = generateBackground(TRACES, 11);
    plantFailingUser(batch, new Rng(12));
    const [span, trace] = await compare(batch, {}, { level: 'trace' });
    assert.equal(top(span!.dimensions), 'span.app.user.id=99');
    assert.equal(span!.culprit?.value, '99');
    assert.ok(span!.highCardinality.some((h) => h.dimension === 'span.app.user.id' && h.distinct > 1000), 'user ids are rolled up');
    assert.equal(span!.dimensions.filter((d) => d.dimension === 'span.app.user.id').length, 1, 'no other user is listed');
    assert.equal(top(trace!.dimensions), 'span.app.user.id=99');
    assert.ok(trace!.target.traces! > 0 && trace!.baseline.traces! > trace!.target.traces!);
  });

  it('ranks the instance that is 300 ms slower first, in the dimensions and in the latency view', async () => {
    const batch = generateBackground(TRACES, 21);
    const instance = instanceOf(batch, 'cart');
    const instances = resourceValues(batch, 'service.instance.id');
    for (let i = 0; i < batch.length; i++) if (instances[i] === instance) addDurationMs(batch, i, 300);
    const [r] = await compare(batch, { target: { kind: 'slow', percentile: 90 } });
    assert.equal(top(r!.dimensions), `resource.service.instance.id=${instance}`);
    assert.equal(top(r!.latency), `resource.service.instance.id=${instance}`);
    assert.equal(r!.latency[0]!.direction, 'slower');
    assert.ok(r!.latency[0]!.confident);
    assert.ok(r!.dimensions[0]!.aliases?.some((a) => a.startsWith('resource.host.name=')), 'its host is an alias, not a second row');
    assert.deepEqual(r!.excluded, ['duration']);
  });

  it('ranks the service.version with 20% errors first when other spans fail 1% of the time', async () => {
    const batch = generateBackground(TRACES, 31, 0);
    const rng = new Rng(32);
    uniformErrors(batch, 0.01, rng);
    const services = resourceValues(batch, 'service.name');
    const versions = resourceValues(batch, 'service.version');
    const bad = '0.8.5';
    for (let i = 0; i < batch.length; i++) if (services[i] === 'currency' && versions[i] === bad && rng.chance(0.2)) markError(batch, i);
    const [r, q] = await compare(
      batch,
      {},
      {
        target: { kind: 'traceql', query: '{ status = error && resource.service.name = "currency" }' },
        baseline: { kind: 'traceql', query: '{ resource.service.name = "currency" }' },
      },
    );
    assert.equal(top(r!.dimensions), `resource.service.version=${bad}`);
    assert.ok(r!.culprit);
    assert.equal(top(q!.dimensions), `resource.service.version=${bad}`);
    assert.deepEqual(q!.excluded, ['resource.service.name', 'status']);
  });

  it('ranks the slow db.statement first', async () => {
    const batch = generateBackground(TRACES, 41);
    const statementRow = attributeRows(batch.attributes, batch.length, 'db.statement');
    const slow = 'SELECT id, name, description, picture, price_currency, price_units, price_nanos, categories FROM products WHERE id = $1';
    let planted = 0;
    for (let i = 0; i < batch.length; i++) {
      const r = statementRow[i]!;
      if (r >= 0 && batch.attributes.str[r] === slow) {
        addDurationMs(batch, i, 1000);
        planted++;
      }
    }
    assert.ok(planted > 100, `the statement occurs (${planted} spans)`);
    const [r] = await compare(batch, { target: { kind: 'slow', thresholdMs: 1000 } });
    assert.equal(top(r!.dimensions), `span.db.statement=${slow}`);
    assert.ok(r!.culprit);
  });

  it('finds no confident culprit when errors strike spans uniformly at random', async () => {
    const batch = generateBackground(TRACES, 51, 0);
    uniformErrors(batch, 0.02, new Rng(52));
    const [r] = await compare(batch, {});
    assert.ok(r!.target.spans > 500, `enough errors to test (${r!.target.spans})`);
    assert.equal(r!.culprit, undefined);
    assert.deepEqual(
      r!.dimensions.filter((d) => d.confident).map((d) => `${d.dimension}=${d.value}`),
      [],
    );
  });

  it('counts the same with the shared tuple of process dimensions as with a grouping set per dimension', async () => {
    const batch = generateBackground(1500, 11, 0.02);
    const ds = await storeDataset(batch);
    const snap = await ds.store.snapshot();
    try {
      for (const target of [{ kind: 'errors' as const }, { kind: 'slow' as const, percentile: 90 }, { kind: 'exceptions' as const }]) {
        const req = datasetRequest({ target });
        const { files, columns } = searchFiles(snap, { query: '{}', limit: 1, spss: 1, startNs: req.startNs, endNs: req.endNs });
        const rows = async (setPerDimension: boolean) => {
          const plan = planComparison({ files, columns, estimatedSpans: batch.length, setPerDimension }, req);
          const out = new Map<string, number[]>();
          for (const r of await ds.engine.all(plan.sql)) {
            out.set(`${r['col']}=${r['val']}`, ['nt', 'nb', 'ns', 'n90', 'sr', 'slr', 'distinct_values', 'tested'].map((k) => Number(r[k])));
          }
          return out;
        };
        const tuple = await rows(false);
        const perDimension = await rows(true);
        assert.ok(perDimension.size > 100, `${target.kind}: ${perDimension.size} candidate rows`);
        assert.deepEqual([...tuple.keys()].sort(), [...perDimension.keys()].sort(), target.kind);
        for (const [key, want] of perDimension) {
          const got = tuple.get(key)!;
          want.forEach((w, i) => assert.ok(Math.abs(got[i]! - w) <= 1e-9 * Math.max(1, Math.abs(w)), `${target.kind} ${key}: ${got} vs ${want}`));
        }
      }
    } finally {
      snap.release();
      await ds.close();
    }
  });
});
