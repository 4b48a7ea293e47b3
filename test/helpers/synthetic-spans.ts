// Small synthetic span batches with known ids, for tests that count spans.

import { randomBytes } from 'node:crypto';
import { SpanBatchBuilder } from '../../src/model/span-batch-builder.js';
import type { SpanBatch } from '../../src/model/span-batch.js';

/** `traces` traces of `spansPerTrace` spans (first is the root), random ids, starting now. */
export function syntheticBatch(traces: number, spansPerTrace: number, service = 'synthetic'): SpanBatch {
  const b = new SpanBatchBuilder();
  const res = b.addResource('', 0);
  b.resourceAttributes.addString(res, 'service.name', service);
  b.setResourceServiceName(res, service);
  const scope = b.addScope('synthetic-test', '1.0.0', '', 0);
  const now = BigInt(Date.now()) * 1_000_000n;
  for (let t = 0; t < traces; t++) {
    const traceId = randomBytes(16);
    let rootSpan: Buffer | undefined;
    for (let s = 0; s < spansPerTrace; s++) {
      const i = b.addSpan(res, scope);
      const spanId = randomBytes(8);
      b.traceId.set(traceId, i * 16);
      b.spanId.set(spanId, i * 8);
      if (rootSpan) b.parentSpanId.set(rootSpan, i * 8);
      else rootSpan = spanId;
      b.name[i] = s === 0 ? 'GET /checkout' : `step-${s}`;
      b.kind[i] = s === 0 ? 2 : 1;
      b.startTimeUnixNano[i] = now + BigInt(s * 1000);
      b.endTimeUnixNano[i] = now + BigInt(s * 1000 + 500_000);
      b.attributes.addInt(i, 'step', BigInt(s));
    }
  }
  return b.finish();
}
