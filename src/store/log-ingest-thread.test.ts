import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogIngestThread } from './log-ingest-thread.js';
import { DecodeError } from '../model/errors.js';

const options = { stream: 'app', timeField: 'ts', severityField: 'level', receivedNs: 5n };
const lines = (from: number, to: number): Uint8Array =>
  Buffer.from(Array.from({ length: to - from }, (_, k) => JSON.stringify({ ts: `2026-11-21T10:00:${String(from + k).padStart(2, '0')}Z`, msg: `line ${from + k}` })).join('\n'));

describe('log ingest thread', () => {
  it('decodes in the worker, answers line errors, and stages batches in the order of their tickets', async () => {
    const thread = new LogIngestThread();
    const dir = await mkdtemp(join(tmpdir(), 'marquetry-log-thread-'));
    try {
      const first = await thread.decodeJsonLines(lines(10, 13), options);
      const body = Buffer.concat([lines(0, 2), Buffer.from('\n{not json\n'), lines(2, 3)]);
      const second = await thread.decodeJsonLines(body, options);
      assert.deepEqual(first, { ticket: { id: first.ticket.id, length: 3 }, errors: [] });
      assert.equal(second.ticket.length, 3);
      assert.deepEqual(second.errors.map((e) => e.line), [3]);
      const dropped = await thread.decodeJsonLines(lines(20, 22), options);
      thread.discard(dropped.ticket);

      const staged = await thread.stage([second.ticket, first.ticket], join(dir, 'a.parquet'), 6);
      assert.equal(staged.rows, 6);
      const seconds = [...staged.startNs].map((ns) => Number(ns / 1_000_000_000n) % 60);
      assert.deepEqual(seconds, [0, 1, 2, 10, 11, 12]);
      assert.equal(staged.minStartNs, staged.startNs[0]);
      assert.equal(staged.maxStartNs, staged.startNs[5]);
      assert.deepEqual([...staged.services], ['app']);
      assert.ok(staged.columns.includes('body.msg'));
      // staged batches, and discarded ones, are forgotten
      await assert.rejects(thread.stage([first.ticket], join(dir, 'b.parquet'), 3), /no batch for ticket/);
      await assert.rejects(thread.stage([dropped.ticket], join(dir, 'c.parquet'), 2), /no batch for ticket/);
    } finally {
      await thread.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps the batches of a seal that failed, for the next attempt', async () => {
    const thread = new LogIngestThread();
    const dir = await mkdtemp(join(tmpdir(), 'marquetry-log-thread-'));
    try {
      const { ticket } = await thread.decodeJsonLines(lines(0, 4), options);
      await assert.rejects(thread.stage([ticket], join(dir, 'missing-folder', 'a.parquet'), 4));
      const staged = await thread.stage([ticket], join(dir, 'a.parquet'), 4);
      assert.equal(staged.rows, 4);
    } finally {
      await thread.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lends an OTLP body of its own to the thread and back, uncopied, for the WAL; moves it for good otherwise', async () => {
    const thread = new LogIngestThread();
    const dir = await mkdtemp(join(tmpdir(), 'marquetry-log-thread-'));
    try {
      const json = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1000', body: { stringValue: 'lent 1' } }, { timeUnixNano: '2000', body: { stringValue: 'lent 2' } }] }] }] });
      const sent = new Uint8Array(Buffer.from(json)); // a buffer of its own
      const body = new Uint8Array(sent);
      const lent = await thread.decodeOtlp('json', body, true);
      assert.equal(body.byteLength, 0, 'moved to the thread: detached here');
      assert.deepEqual(lent.lent, sent, 'back with the answer, unchanged');
      const moved = new Uint8Array(sent);
      const kept = await thread.decodeOtlp('json', moved, false);
      assert.equal(moved.byteLength, 0);
      assert.equal(kept.lent, undefined, 'moved for good: nothing comes back');
      // the batches kept nothing of the bodies: their records stage intact
      const staged = await thread.stage([lent.ticket, kept.ticket], join(dir, 'lent.parquet'), 4);
      assert.deepEqual([...staged.startNs], [1000n, 2000n, 1000n, 2000n]);
    } finally {
      await thread.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers undecodable OTLP with a decode error, and calls after close with an error', async () => {
    const thread = new LogIngestThread();
    await assert.rejects(thread.decodeOtlp('proto', Uint8Array.of(0x0a, 0xff), true), (err: unknown) => err instanceof DecodeError);
    await assert.rejects(thread.decodeOtlp('json', Buffer.from('{"resourceLogs": 3'), false), (err: unknown) => err instanceof DecodeError);
    await thread.close();
    await assert.rejects(thread.decodeJsonLines(lines(0, 1), options), /closed/);
  });
});
