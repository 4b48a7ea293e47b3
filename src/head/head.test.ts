import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Head } from './head.js';
import { DEFAULT_DEDICATED_COLUMNS } from '../parts/schema.js';
import { spanStagingSchema } from '../parts/span-columns.js';
import { SpanBatchBuilder } from '../model/span-batch-builder.js';
import type { SpanBatch } from '../model/span-batch.js';

function batch(spans: number, seed: number): SpanBatch {
  const b = new SpanBatchBuilder();
  const r = b.addResource('', 0);
  b.resourceAttributes.addString(r, 'service.name', 'svc');
  b.setResourceServiceName(r, 'svc');
  const s = b.addScope('scope', '', '', 0);
  for (let i = 0; i < spans; i++) {
    const k = b.addSpan(r, s);
    b.traceId[k * 16] = seed;
    b.traceId[k * 16 + 15] = 1 + (i % 200);
    b.spanId[k * 8] = 1 + (i % 250);
    b.spanId[k * 8 + 1] = seed;
    b.startTimeUnixNano[k] = 1_700_000_000_000_000_000n + BigInt(i);
    b.endTimeUnixNano[k] = 1_700_000_000_000_000_000n + BigInt(i + 10);
  }
  return b.finish();
}

describe('Head', () => {
  it('keeps batches appended while a seal is writing, and seals them next time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marquetry-head-'));
    try {
      const head = await Head.open({ stagingDir: dir, schema: spanStagingSchema(DEFAULT_DEDICATED_COLUMNS) });
      head.append(batch(5000, 1), 1);
      const sealing = head.seal();
      // Wait until the seal has taken the batch and is writing the file…
      for (let i = 0; i < 100 && head.pendingRows > 0; i++) await new Promise((r) => setImmediate(r));
      // …then these arrive while the staging file is being written.
      head.append(batch(3000, 2), 2);
      head.append(batch(2000, 3), 3);
      await sealing;
      assert.equal(head.stagedRows + head.pendingRows, 10_000, 'no span is lost');
      await head.seal();
      assert.equal(head.pendingRows, 0);
      assert.equal(head.stagedRows, 10_000);
      assert.deepEqual(head.staged.map((f) => [f.firstSeq, f.lastSeq]), [[1, 1], [2, 3]]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
