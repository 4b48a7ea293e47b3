import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES } from './format.js';
import { Wal } from './wal.js';
import { payloadFor, quietLog, replayAll, seededRandom, withTempDir, writeRecords } from './wal-test-helpers.js';

const FIRST_SEGMENT = '0000000000000001.wal';

/** Byte offset where record `index` (0-based) starts in a single-segment WAL of these payload sizes. */
function recordOffset(sizes: readonly number[], index: number): number {
  let offset = SEGMENT_HEADER_BYTES;
  for (let i = 0; i < index; i++) offset += RECORD_HEADER_BYTES + sizes[i]!;
  return offset;
}

/** Reopens `dir`, checks that exactly records 1..expectedCount replay intact, then that appending still works. */
async function assertPrefixSurvives(dir: string, sizes: readonly number[], expectedCount: number, message: string): Promise<void> {
  const wal = await Wal.open({ dir, log: quietLog() });
  const records = await replayAll(wal);
  assert.deepEqual(records.map((r) => r.seq), Array.from({ length: expectedCount }, (_, i) => i + 1), message);
  records.forEach((r, i) => assert.deepEqual(r.payload, payloadFor(i + 1, sizes[i]!), message));
  const next = expectedCount + 1;
  const { seq, durable } = wal.append(1, payloadFor(next, 7));
  assert.equal(seq, next, message);
  await durable;
  await wal.close();

  const reopened = await Wal.open({ dir, log: quietLog() });
  assert.deepEqual((await replayAll(reopened, expectedCount)).map((r) => [r.seq, r.payload]), [[next, payloadFor(next, 7)]], message);
  await reopened.close();
}

describe('Wal recovery', () => {
  it('drops a torn tail record and keeps every record before it', async () => {
    await withTempDir(async (root) => {
      const sizes = [5, 0, 300, 40];
      const pristine = join(root, 'pristine');
      await writeRecords({ dir: pristine, log: quietLog() }, sizes);
      const lastStart = recordOffset(sizes, 3);
      const fileBytes = recordOffset(sizes, 4);
      for (let length = lastStart; length < fileBytes; length++) {
        const dir = join(root, `cut-${length}`);
        await mkdir(dir);
        await copyFile(join(pristine, FIRST_SEGMENT), join(dir, FIRST_SEGMENT));
        await truncate(join(dir, FIRST_SEGMENT), length);

        const wal = await Wal.open({ dir, log: quietLog() });
        const { records, truncatedBytes } = await wal.replay(0, () => undefined);
        assert.equal(records, 3, `cut at ${length}`);
        assert.equal(truncatedBytes, length - lastStart, `cut at ${length}`);
        await wal.close();
        await assertPrefixSurvives(dir, sizes, 3, `cut at ${length}`);
        await rm(dir, { recursive: true });
      }
    });
  });

  it('cuts the last record when any byte of its header or payload is flipped', async () => {
    await withTempDir(async (root) => {
      const sizes = [12, 64, 33];
      const pristine = join(root, 'pristine');
      await writeRecords({ dir: pristine, log: quietLog() }, sizes);
      const original = await readFile(join(pristine, FIRST_SEGMENT));
      const lastStart = recordOffset(sizes, 2);
      for (let at = lastStart; at < original.length; at++) {
        const dir = join(root, `flip-${at}`);
        await mkdir(dir);
        const damaged = Buffer.from(original);
        damaged[at]! ^= 0x5a;
        await writeFile(join(dir, FIRST_SEGMENT), damaged);
        const lines: string[] = [];
        const wal = await Wal.open({ dir, log: quietLog(lines) });
        assert.equal((await replayAll(wal)).length, 2, `flip at ${at}`);
        assert.ok(lines[0]?.startsWith(`wal: cut torn tail of segment ${FIRST_SEGMENT} at offset ${lastStart} `), lines[0]);
        await wal.close();
        await assertPrefixSurvives(dir, sizes, 2, `flip at ${at}`);
        await rm(dir, { recursive: true });
      }
    });
  });

  it('stops at a corrupt record in an earlier segment and sets the rest aside', async () => {
    await withTempDir(async (dir) => {
      // Two 100-byte records per 250-byte segment: segments start at seq 1, 3, 5, 7.
      const sizes = [100, 100, 100, 100, 100, 100, 100, 100];
      await writeRecords({ dir, maxSegmentBytes: 250, log: quietLog() }, sizes);
      const second = join(dir, '0000000000000003.wal');
      const bytes = await readFile(second);
      const badOffset = SEGMENT_HEADER_BYTES + RECORD_HEADER_BYTES + 100; // seq 4
      bytes[badOffset + RECORD_HEADER_BYTES + 50]! ^= 1;
      await writeFile(second, bytes);

      const lines: string[] = [];
      const wal = await Wal.open({ dir, log: quietLog(lines) });
      assert.deepEqual(lines, [
        `wal: corrupt record in segment 0000000000000003.wal at offset ${badOffset} (checksum mismatch); ` +
          'kept records through 3, set aside 3 segment files as *.corrupt',
      ]);
      const records = await replayAll(wal);
      assert.deepEqual(records.map((r) => r.seq), [1, 2, 3]);
      assert.equal(wal.append(1, payloadFor(4, 7)).seq, 4);
      await wal.close();

      assert.deepEqual((await readdir(dir)).sort(), [
        '0000000000000001.wal',
        '0000000000000003.wal',
        '0000000000000003.wal.corrupt',
        '0000000000000005.wal.corrupt',
        '0000000000000007.wal.corrupt',
      ]);
      assert.deepEqual(await readFile(join(dir, '0000000000000003.wal.corrupt')), bytes, 'the bad segment is kept whole');
      const reopened = await Wal.open({ dir, log: quietLog() });
      assert.deepEqual((await replayAll(reopened)).map((r) => r.seq), [1, 2, 3, 4]);
      await reopened.close();
    });
  });

  it('sets aside a segment with a foreign header rather than reading it', async () => {
    await withTempDir(async (dir) => {
      await writeRecords({ dir, maxSegmentBytes: 100, log: quietLog() }, [100, 100]);
      const second = join(dir, '0000000000000002.wal');
      const bytes = await readFile(second);
      bytes.write('XXWAL1', 0, 'latin1');
      await writeFile(second, bytes);
      const lines: string[] = [];
      const wal = await Wal.open({ dir, log: quietLog(lines) });
      assert.match(lines[0] ?? '', /segment 0000000000000002\.wal at offset 0 \(bad magic/);
      assert.deepEqual((await replayAll(wal)).map((r) => r.seq), [1]);
      await wal.close();
      assert.deepEqual((await readdir(dir)).sort(), ['0000000000000001.wal', '0000000000000002.wal.corrupt']);
    });
  });

  it('sets aside a last segment whose header was cut, keeping the segments before it', async () => {
    await withTempDir(async (root) => {
      const pristine = join(root, 'pristine');
      await writeRecords({ dir: pristine, maxSegmentBytes: 100, log: quietLog() }, [100, 100]);
      for (let length = 0; length < SEGMENT_HEADER_BYTES; length++) {
        const dir = join(root, `cut-${length}`);
        await mkdir(dir);
        await copyFile(join(pristine, FIRST_SEGMENT), join(dir, FIRST_SEGMENT));
        await copyFile(join(pristine, '0000000000000002.wal'), join(dir, '0000000000000002.wal'));
        await truncate(join(dir, '0000000000000002.wal'), length);
        await assertPrefixSurvives(dir, [100, 100], 1, `header cut at ${length}`);
        assert.ok((await readdir(dir)).includes('0000000000000002.wal.corrupt'), `header cut at ${length}`);
        await rm(dir, { recursive: true });
      }
    });
  });

  it('recovers a prefix of the records, byte-identical, from random crash points (seeded)', async () => {
    await withTempDir(async (root) => {
      const random = seededRandom(20240611);
      for (let round = 0; round < 40; round++) {
        const dir = join(root, `round-${round}`);
        const count = 1 + Math.floor(random() * 25);
        // Mostly small records, some up to 100 KiB.
        const sizes = Array.from({ length: count }, () =>
          Math.floor(random() < 0.7 ? random() * 200 : random() * 100 * 1024),
        );
        const maxSegmentBytes = random() < 0.5 ? 64 * 1024 * 1024 : 16 * 1024 + Math.floor(random() * 200 * 1024);
        await writeRecords({ dir, maxSegmentBytes, log: quietLog() }, sizes);

        // A crash only ever damages the last segment: earlier ones were synced before it existed.
        const segments = (await readdir(dir)).sort();
        const last = segments.at(-1)!;
        const lastFirstSeq = Number(last.slice(0, 16));
        const lastPath = join(dir, last);
        const lastBytes = (await stat(lastPath)).size;
        // Now and then inside the segment header too (set aside, never read).
        const from = random() < 0.125 ? 0 : SEGMENT_HEADER_BYTES;
        const cut = from + Math.floor(random() * (lastBytes - from + 1));
        await truncate(lastPath, cut);
        const garbage = random() < 0.5 ? 0 : 1 + Math.floor(random() * 300);
        if (garbage > 0) {
          const tail = random() < 0.5 ? new Uint8Array(garbage) : payloadFor(round + 100_000, garbage);
          await writeFile(lastPath, tail, { flag: 'a' });
        }

        let expected = lastFirstSeq - 1;
        let end = SEGMENT_HEADER_BYTES;
        while (expected < count && end + RECORD_HEADER_BYTES + sizes[expected]! <= cut) {
          end += RECORD_HEADER_BYTES + sizes[expected]!;
          expected++;
        }
        const wal = await Wal.open({ dir, log: quietLog() });
        const records = await replayAll(wal);
        const context = `round ${round}: ${count} records, cut ${cut} of ${lastBytes} in ${last}, ${garbage} garbage bytes`;
        assert.equal(records.length, expected, context);
        records.forEach((r, i) => {
          assert.equal(r.seq, i + 1, context);
          assert.deepEqual(r.payload, payloadFor(i + 1, sizes[i]!), context);
        });
        assert.equal(wal.lastSeq, expected, context);
        await wal.close();
        await rm(dir, { recursive: true });
      }
    });
  });
});
