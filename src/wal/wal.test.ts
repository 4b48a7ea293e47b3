import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClosedError, OverloadedError, TooLargeError } from '../model/errors.js';
import { MAX_RECORD_PAYLOAD_BYTES } from './format.js';
import { Wal } from './wal.js';
import { payloadFor, quietLog, replayAll, seededRandom, withTempDir, writeRecords } from './wal-test-helpers.js';

function randomSizes(seed: number, count: number, maxBytes: number): number[] {
  const next = seededRandom(seed);
  return Array.from({ length: count }, () => Math.floor(next() * maxBytes));
}

async function walFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

describe('Wal', () => {
  it('replays every record in order after reopen, across several segments', async () => {
    await withTempDir(async (dir) => {
      const sizes = randomSizes(1, 120, 600);
      await writeRecords({ dir, maxSegmentBytes: 2048, log: quietLog() }, sizes);
      assert.ok((await walFiles(dir)).length > 5, 'small maxSegmentBytes gives several segments');

      const wal = await Wal.open({ dir, log: quietLog() });
      const records = await replayAll(wal);
      assert.equal(records.length, sizes.length);
      records.forEach((record, i) => {
        assert.equal(record.seq, i + 1);
        assert.equal(record.type, 1);
        assert.deepEqual(record.payload, payloadFor(i + 1, sizes[i]!));
      });
      await wal.close();
    });
  });

  it('names each segment by the seq of its first record', async () => {
    await withTempDir(async (dir) => {
      await writeRecords({ dir, maxSegmentBytes: 100, log: quietLog() }, [90, 90, 90]);
      assert.deepEqual(await walFiles(dir), ['0000000000000001.wal', '0000000000000002.wal', '0000000000000003.wal']);
    });
  });

  it('continues sequence numbers after reopen', async () => {
    await withTempDir(async (dir) => {
      await writeRecords({ dir, log: quietLog() }, [10, 20, 30]);
      const wal = await Wal.open({ dir, log: quietLog() });
      assert.equal(wal.lastSeq, 3);
      assert.equal(wal.durableSeq, 3);
      await wal.replay(3, () => assert.fail('nothing after 3'));
      const { seq, durable } = wal.append(2, payloadFor(4, 5));
      assert.equal(seq, 4);
      await durable;
      await wal.close();

      const reopened = await Wal.open({ dir, log: quietLog() });
      assert.deepEqual((await replayAll(reopened)).map((r) => [r.seq, r.type]), [[1, 1], [2, 1], [3, 1], [4, 2]]);
      await reopened.close();
    });
  });

  it('replay(afterSeq) skips records at or below afterSeq', async () => {
    await withTempDir(async (dir) => {
      await writeRecords({ dir, maxSegmentBytes: 300, log: quietLog() }, randomSizes(2, 40, 200));
      const wal = await Wal.open({ dir, log: quietLog() });
      const records = await replayAll(wal, 25);
      assert.deepEqual(records.map((r) => r.seq), Array.from({ length: 15 }, (_, i) => 26 + i));
      await wal.close();
    });
  });

  it('truncateThrough deletes only fully checkpointed segments and never the active one', async () => {
    await withTempDir(async (dir) => {
      // 100-byte payloads in 100-byte segments: one record per segment, segment n holds seq n.
      await writeRecords({ dir, maxSegmentBytes: 100, log: quietLog() }, [100, 100, 100, 100, 100]);
      const wal = await Wal.open({ dir, maxSegmentBytes: 100, log: quietLog() });
      await wal.replay(0, () => undefined);

      assert.equal(await wal.truncateThrough(0), 0);
      assert.equal(await wal.truncateThrough(2), 2);
      assert.deepEqual(await walFiles(dir), ['0000000000000003.wal', '0000000000000004.wal', '0000000000000005.wal']);
      assert.equal(await wal.truncateThrough(1000), 2, 'the active segment stays');
      assert.deepEqual(await walFiles(dir), ['0000000000000005.wal']);
      assert.equal(wal.stats().segments, 1);
      await wal.close();

      const reopened = await Wal.open({ dir, log: quietLog() });
      assert.deepEqual((await replayAll(reopened, 4)).map((r) => r.seq), [5]);
      assert.equal(reopened.append(1, new Uint8Array(1)).seq, 6);
      await reopened.close();
    });
  });

  it('lets concurrent appends share fsyncs', async () => {
    await withTempDir(async (dir) => {
      const wal = await Wal.open({ dir, log: quietLog() });
      await wal.replay(0, () => undefined);
      const appended = Array.from({ length: 200 }, (_, i) => wal.append(1, payloadFor(i + 1, 1000)));
      assert.deepEqual(appended.map((a) => a.seq), Array.from({ length: 200 }, (_, i) => i + 1));
      await Promise.all(appended.map((a) => a.durable));
      const { fsyncs, appends } = wal.stats();
      assert.equal(appends, 200);
      assert.ok(fsyncs >= 1 && fsyncs <= 2, `200 appends in one tick took ${fsyncs} fsyncs`);
      assert.equal(wal.durableSeq, 200);
      assert.equal(wal.pendingBytes, 0);
      await wal.close();
    });
  });

  it('resolves durable only after the record is fsynced', async () => {
    await withTempDir(async (dir) => {
      const wal = await Wal.open({ dir, log: quietLog() });
      await wal.replay(0, () => undefined);
      const { seq, durable } = wal.append(1, new Uint8Array(10));
      assert.equal(wal.durableSeq, 0);
      await durable;
      assert.ok(wal.durableSeq >= seq);
      assert.ok(wal.stats().fsyncs >= 1);
      await wal.close();
    });
  });

  it('throws OverloadedError instead of buffering without bound', async () => {
    await withTempDir(async (dir) => {
      const wal = await Wal.open({ dir, maxPendingBytes: 1000, log: quietLog() });
      await wal.replay(0, () => undefined);
      // The writer starts on a microtask, so nothing is written while this loop runs.
      const accepted: Promise<void>[] = [];
      let overloaded: unknown;
      for (let i = 0; i < 100 && overloaded === undefined; i++) {
        try {
          accepted.push(wal.append(1, new Uint8Array(100)).durable);
        } catch (error) {
          overloaded = error;
        }
      }
      assert.ok(overloaded instanceof OverloadedError, 'the append past the limit is refused');
      assert.equal(overloaded.retryAfterSeconds, 1);
      assert.equal(accepted.length, 8, '8 records of 117 bytes fit in 1000, the 9th does not');
      assert.ok(wal.pendingBytes <= 1000);
      await Promise.all(accepted);
      await wal.append(1, new Uint8Array(100)).durable;
      await wal.close();
    });
  });

  it('accepts one record larger than maxPendingBytes when nothing is pending', async () => {
    await withTempDir(async (dir) => {
      const wal = await Wal.open({ dir, maxPendingBytes: 100, log: quietLog() });
      await wal.replay(0, () => undefined);
      await wal.append(1, new Uint8Array(5000)).durable;
      await wal.close();
    });
  });

  it('refuses a payload over the record limit and a reserved type', async () => {
    await withTempDir(async (dir) => {
      const wal = await Wal.open({ dir, log: quietLog() });
      await wal.replay(0, () => undefined);
      assert.throws(() => wal.append(1, new Uint8Array(MAX_RECORD_PAYLOAD_BYTES + 1)), TooLargeError);
      assert.throws(() => wal.append(0, new Uint8Array(1)), RangeError);
      assert.throws(() => wal.append(256, new Uint8Array(1)), RangeError);
      assert.equal(wal.lastSeq, 0, 'refused appends take no seq');
      await wal.close();
    });
  });

  it('throws ClosedError on append after close, and close flushes what was pending', async () => {
    await withTempDir(async (dir) => {
      const wal = await Wal.open({ dir, log: quietLog() });
      await wal.replay(0, () => undefined);
      const { durable } = wal.append(1, payloadFor(1, 50));
      await wal.close();
      await durable;
      assert.throws(() => wal.append(1, new Uint8Array(1)), ClosedError);
      await wal.close();

      const reopened = await Wal.open({ dir, log: quietLog() });
      assert.deepEqual((await replayAll(reopened)).map((r) => r.payload), [payloadFor(1, 50)]);
      await reopened.close();
    });
  });

  it('rejects durable and closes itself when a write fails', async () => {
    await withTempDir(async (root) => {
      const dir = join(root, 'wal');
      const lines: string[] = [];
      const wal = await Wal.open({ dir, log: quietLog(lines) });
      await wal.replay(0, () => undefined);
      // No segment exists yet; without its directory the first segment cannot be created.
      await rm(dir, { recursive: true });
      const first = wal.append(1, new Uint8Array(10));
      const second = wal.append(1, new Uint8Array(10));
      await assert.rejects(first.durable, (error) => error instanceof ClosedError && /write failure: ENOENT/.test(error.message));
      await assert.rejects(second.durable, ClosedError);
      assert.throws(() => wal.append(1, new Uint8Array(1)), ClosedError);
      assert.equal(wal.durableSeq, 0);
      assert.equal(wal.pendingBytes, 0);
      assert.match(lines.join('\n'), /^wal: closed after a write failure: ENOENT/);
      await wal.close();
    });
  });

  it('refuses replay after an append', async () => {
    await withTempDir(async (dir) => {
      const wal = await Wal.open({ dir, log: quietLog() });
      await wal.append(1, new Uint8Array(1)).durable;
      await assert.rejects(wal.replay(0, () => undefined), /replay must be called before the first append/);
      await wal.close();
    });
  });

  it('numbers on from a checkpoint that is past the last record', async () => {
    await withTempDir(async (dir) => {
      await writeRecords({ dir, log: quietLog() }, [10, 10]);
      const lines: string[] = [];
      const wal = await Wal.open({ dir, log: quietLog(lines) });
      assert.deepEqual(await replayAll(wal, 500), []);
      assert.equal(wal.lastSeq, 500);
      assert.equal(wal.append(1, payloadFor(501, 3)).seq, 501);
      await wal.close();
      assert.match(lines.join('\n'), /checkpoint 500 is past the last record 2/);
      assert.deepEqual(await walFiles(dir), ['0000000000000501.wal']);

      const reopened = await Wal.open({ dir, log: quietLog() });
      assert.deepEqual((await replayAll(reopened, 500)).map((r) => r.seq), [501]);
      await reopened.close();
    });
  });

  it('ignores foreign files and removes stale segment temp files', async () => {
    await withTempDir(async (dir) => {
      await writeRecords({ dir, log: quietLog() }, [10]);
      await writeFile(join(dir, 'README'), 'not a segment');
      await writeFile(join(dir, '0000000000000002.wal.tmp'), 'MQWA');
      const wal = await Wal.open({ dir, log: quietLog() });
      assert.deepEqual((await replayAll(wal)).map((r) => r.seq), [1]);
      await wal.close();
      assert.deepEqual(await walFiles(dir), ['0000000000000001.wal', 'README']);
    });
  });
});
