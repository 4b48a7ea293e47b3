// Shared by the WAL tests: temp directories, a seeded generator, replay collection.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wal, type WalOptions, type WalRecord } from './wal.js';
import { seededRandom } from '../model/seeded-random.js';

// Re-exported for the tests that take it from here.
export { seededRandom } from '../model/seeded-random.js';

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'marquetry-wal-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Deterministic payload bytes for record `seq`, so a replayed payload can be checked byte for byte. */
export function payloadFor(seq: number, bytes: number): Uint8Array {
  const payload = new Uint8Array(bytes);
  const next = seededRandom(seq * 7919);
  for (let i = 0; i < bytes; i++) payload[i] = (next() * 256) | 0;
  return payload;
}

export async function replayAll(wal: Wal, afterSeq = 0): Promise<WalRecord[]> {
  const records: WalRecord[] = [];
  await wal.replay(afterSeq, (record) => {
    records.push(record);
  });
  return records;
}

/** Opens, appends one record per size (payloadFor(seq, size)), waits until durable, closes. */
export async function writeRecords(options: WalOptions, sizes: readonly number[]): Promise<void> {
  const wal = await Wal.open(options);
  await wal.replay(0, () => undefined);
  const durable: Promise<void>[] = [];
  for (const size of sizes) {
    const seq = wal.lastSeq + 1;
    durable.push(wal.append(1, payloadFor(seq, size)).durable);
  }
  await Promise.all(durable);
  await wal.close();
}

export function quietLog(lines: string[] = []): (line: string) => void {
  return (line) => {
    lines.push(line);
  };
}
