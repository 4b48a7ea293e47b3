import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TraceIngestThread } from './trace-ingest-thread.js';
import { DEFAULT_DEDICATED_COLUMNS } from '../parts/schema.js';
import { DecodeError } from '../model/errors.js';
import { encodeExportTraceServiceRequest } from '../receive/otlp-proto-encode.js';
import { decodeExportTraceServiceRequest } from '../receive/otlp-proto-decode.js';
import { WalRecordType } from '../receive/trace-wal-records.js';
import { syntheticBatch } from '../../test/helpers/synthetic-spans.js';
import { Engine } from '../engine/duckdb.js';

async function withThread(fn: (thread: TraceIngestThread, dir: string) => Promise<void>): Promise<void> {
  const thread = new TraceIngestThread({ dedicatedColumns: DEFAULT_DEDICATED_COLUMNS });
  const dir = await mkdtemp(join(tmpdir(), 'marquetry-trace-thread-'));
  try {
    await fn(thread, dir);
  } finally {
    await thread.close();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('trace ingest thread', () => {
  it('decodes protobuf and JSON requests and WAL records, and stages their spans in the order of their tickets', async () => {
    await withThread(async (thread, dir) => {
      const proto = encodeExportTraceServiceRequest(syntheticBatch(3, 4, 'first'));
      const first = await thread.decodeOtlp('proto', proto, false);
      assert.deepEqual([first.ticket.length, first.rejected, first.walPayload, first.lent], [12, 0, undefined, undefined]);

      const json = {
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'second' } }] },
            scopeSpans: [
              {
                spans: [
                  { traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708', name: 'a', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000000000100' },
                  { traceId: '00000000000000000000000000000000', spanId: '0102030405060709', name: 'bad id' },
                ],
              },
            ],
          },
        ],
      };
      const second = await thread.decodeOtlp('json', Buffer.from(JSON.stringify(json)), false);
      assert.deepEqual([second.ticket.length, second.rejected], [1, 1]);
      assert.match(second.rejectMessage, /invalid traceId/);
      // the WAL keeps the protobuf of what was accepted
      assert.equal(decodeExportTraceServiceRequest(second.walPayload!).batch.length, 1);

      const replayed = await thread.decodeWalRecord(WalRecordType.OtlpProtoGzip, gzipSync(encodeExportTraceServiceRequest(syntheticBatch(1, 2, 'third'))));
      assert.equal(replayed.length, 2);
      const dropped = await thread.decodeOtlp('proto', proto, false);
      thread.discard(dropped.ticket);

      const path = join(dir, 'a.parquet');
      const staged = await thread.stage([second.ticket, first.ticket, replayed], path, 15);
      assert.equal(staged.rows, 15);
      assert.deepEqual([...staged.services].sort(), ['first', 'second', 'third']);
      assert.equal(staged.traceIds.length, 15 * 16);
      assert.equal(staged.traceIds[0], 1, 'rows in ticket order: the JSON span first');
      assert.ok(staged.layout !== undefined && staged.columns.includes('span.step::int'));
      const engine = await Engine.create({ dataDir: dir, threads: 1, memoryLimit: '256MB' });
      try {
        const rows = await engine.all(`SELECT service_name, count(*)::INTEGER AS n FROM read_parquet('${path}') GROUP BY ALL ORDER BY 1`);
        assert.deepEqual(rows, [{ service_name: 'first', n: 12 }, { service_name: 'second', n: 1 }, { service_name: 'third', n: 2 }]);
      } finally {
        engine.close();
      }
      await assert.rejects(thread.stage([dropped.ticket], join(dir, 'b.parquet'), 12), /no batch for ticket/);
    });
  });

  it('answers a malformed request with its DecodeError and goes on working', async () => {
    await withThread(async (thread) => {
      await assert.rejects(thread.decodeOtlp('proto', Uint8Array.of(0x0a, 0x7f), true), (err: unknown) => err instanceof DecodeError);
      await assert.rejects(thread.decodeOtlp('json', Buffer.from('{"resourceSpans": 3'), false), (err: unknown) => err instanceof DecodeError);
      const ok = await thread.decodeOtlp('proto', encodeExportTraceServiceRequest(syntheticBatch(1, 1)), true);
      assert.equal(ok.ticket.length, 1);
    });
  });

  it('lends a body of its own to the thread and back, uncopied; copies a view', async () => {
    await withThread(async (thread, dir) => {
      const proto = new Uint8Array(encodeExportTraceServiceRequest(syntheticBatch(2, 3, 'lent')));
      const body = new Uint8Array(proto); // a buffer of its own
      const lent = await thread.decodeOtlp('proto', body, true);
      assert.equal(body.byteLength, 0, 'moved to the thread: detached here');
      assert.deepEqual(lent.lent, proto, 'back with the answer, unchanged');
      assert.equal(lent.lent!.buffer.byteLength, proto.byteLength);

      const padded = new Uint8Array(proto.byteLength + 8);
      padded.set(proto, 4);
      const view = padded.subarray(4, 4 + proto.byteLength);
      const copied = await thread.decodeOtlp('proto', view, true);
      assert.equal(copied.lent, undefined, 'a view is copied: the caller keeps it');
      assert.deepEqual(view, proto);

      // the batch kept nothing of the lent body: its spans stage intact
      const staged = await thread.stage([lent.ticket, copied.ticket], join(dir, 'lent.parquet'), 12);
      assert.deepEqual([staged.rows, [...staged.services]], [12, ['lent']]);
      assert.deepEqual(staged.traceIds.subarray(0, 16), decodeExportTraceServiceRequest(proto).batch.traceId.subarray(0, 16));
    });
  });
});
