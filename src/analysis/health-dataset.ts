// A seeded dataset of spans whose RED figures are known exactly, for the
// health tests and bench/health.ts: services × operations with log-normal
// durations (some bimodal), per-operation error rates, an http.route on
// server spans and a service.version per resource, start times spread
// evenly over a range in ascending order. Held column by column (10 M spans fit easily).

import { Rng } from '../loadgen/rng.js';
import { SpanBatchBuilder } from '../model/span-batch-builder.js';
import type { SpanBatch } from '../model/span-batch.js';

export interface DatasetOperation {
  service: string;
  name: string;
  /** OTLP span kind */
  kind: number;
  route: string | undefined;
  medianNs: number;
  sigma: number;
  /** share of slow spans (a second mode 20× slower) */
  slowShare: number;
  errorRate: number;
}

export interface HealthDataset {
  operations: DatasetOperation[];
  versions: string[];
  length: number;
  operation: Uint16Array;
  /** index into versions */
  version: Uint8Array;
  /** OTLP status code */
  status: Uint8Array;
  startNs: BigInt64Array;
  durationNs: Float64Array;
}

export interface DatasetOptions {
  seed: number;
  spans: number;
  fromNs: bigint;
  toNs: bigint;
  services?: number;
  operationsPerService?: number;
}

/** Operations of `services` services, `perService` each; the first of a service is its server entry point. */
export function datasetOperations(services: number, perService: number, rng: Rng): DatasetOperation[] {
  const ops: DatasetOperation[] = [];
  for (let s = 0; s < services; s++) {
    const service = `svc-${String(s).padStart(2, '0')}`;
    for (let o = 0; o < perService; o++) {
      const server = o % 3 === 0;
      const route = server ? `/api/v1/r${o}` : undefined;
      ops.push({
        service,
        name: server ? `GET ${route}` : o % 3 === 1 ? `SELECT t${o}` : `call-${o}`,
        kind: server ? 2 : o % 3 === 1 ? 3 : 1,
        route,
        medianNs: Math.round(200_000 * Math.exp(rng.float() * 6)),
        sigma: 0.3 + rng.float(),
        slowShare: rng.chance(0.3) ? 0.05 : 0,
        errorRate: rng.chance(0.4) ? rng.float() * 0.1 : 0,
      });
    }
  }
  return ops;
}

export function generateDataset(o: DatasetOptions): HealthDataset {
  const rng = new Rng(o.seed);
  const operations = datasetOperations(o.services ?? 4, o.operationsPerService ?? 4, rng);
  const versions = ['1.0.0', '1.1.0', '2.0.0'];
  const n = o.spans;
  const d: HealthDataset = {
    operations,
    versions,
    length: n,
    operation: new Uint16Array(n),
    version: new Uint8Array(n),
    status: new Uint8Array(n),
    startNs: new BigInt64Array(n),
    durationNs: new Float64Array(n),
  };
  const width = Number(o.toNs - o.fromNs);
  for (let i = 0; i < n; i++) {
    const opIndex = rng.int(0, operations.length - 1);
    const op = operations[opIndex]!;
    d.operation[i] = opIndex;
    d.version[i] = rng.int(0, versions.length - 1);
    const slow = op.slowShare > 0 && rng.chance(op.slowShare);
    d.durationNs[i] = Math.max(1, Math.round(rng.logNormal(op.medianNs * (slow ? 20 : 1), op.sigma)));
    d.status[i] = rng.chance(op.errorRate) ? 2 : rng.chance(0.5) ? 0 : 1;
    // in time order, as spans arrive: one random instant in each of n equal slots
    d.startNs[i] = o.fromNs + BigInt(Math.floor(((i + rng.float()) * width) / n));
  }
  return d;
}

/** Spans [from, to) of the dataset as a batch: one resource per (service, version), random ids. */
export function datasetBatch(d: HealthDataset, from: number, to: number, seed = from): SpanBatch {
  const rng = new Rng(seed * 7919 + 1);
  const b = new SpanBatchBuilder();
  const resources = new Map<string, number>();
  const scope = b.addScope('health-dataset', '1.0.0', '', 0);
  // resources first: their attributes must be added in owner order
  for (let i = from; i < to; i++) {
    const op = d.operations[d.operation[i]!]!;
    const key = `${op.service}\u0000${d.version[i]}`;
    if (resources.has(key)) continue;
    const r = b.addResource('', 0);
    b.resourceAttributes.addString(r, 'service.name', op.service);
    b.resourceAttributes.addString(r, 'service.version', d.versions[d.version[i]!]!);
    b.setResourceServiceName(r, op.service);
    resources.set(key, r);
  }
  for (let i = from; i < to; i++) {
    const op = d.operations[d.operation[i]!]!;
    const s = b.addSpan(resources.get(`${op.service}\u0000${d.version[i]}`)!, scope);
    rng.fillBytes(b.traceId, s * 16, 16);
    rng.fillBytes(b.spanId, s * 8, 8);
    b.traceId[s * 16] = 1; // never an all-zero id
    b.spanId[s * 8] = 1;
    b.name[s] = op.name;
    b.kind[s] = op.kind;
    b.statusCode[s] = d.status[i]!;
    b.startTimeUnixNano[s] = d.startNs[i]!;
    b.endTimeUnixNano[s] = d.startNs[i]! + BigInt(d.durationNs[i]!);
    if (op.route !== undefined) b.attributes.addString(s, 'http.route', op.route);
  }
  return b.finish();
}
