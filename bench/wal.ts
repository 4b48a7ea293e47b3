// WAL group commit under load: 8 concurrent writers, each appending a 300 KB
// record and waiting until it is durable before the next, for ~3 s with real
// fsync. Prints one JSON line. Run: node --import tsx bench/wal.ts
// (WAL_BENCH_MS overrides the duration.)

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Wal } from '../src/wal/wal.js';

const WRITERS = 8;
const RECORD_BYTES = 300 * 1000;
const DEFAULT_DURATION_MS = 3000;
const BYTES_PER_MB = 1e6;

export interface BenchResult {
  key: string;
  metrics: { key: string; value: number }[];
}

export async function benchWal(durationMs = DEFAULT_DURATION_MS): Promise<BenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'marquetry-bench-wal-'));
  try {
    const wal = await Wal.open({ dir });
    await wal.replay(0, () => undefined);
    const payload = randomBytes(RECORD_BYTES);
    const started = performance.now();
    const deadline = started + durationMs;
    const writer = async (): Promise<void> => {
      while (performance.now() < deadline) await wal.append(1, payload).durable;
    };
    await Promise.all(Array.from({ length: WRITERS }, writer));
    const seconds = (performance.now() - started) / 1000;
    const { fsyncs, appends, bytesWritten } = wal.stats();
    await wal.close();
    const round = (x: number): number => Math.round(x * 100) / 100;
    return {
      key: 'wal',
      metrics: [
        { key: 'mb-per-s-8-writers', value: round(bytesWritten / BYTES_PER_MB / seconds) },
        { key: 'fsyncs-per-s', value: round(fsyncs / seconds) },
        { key: 'appends-per-fsync', value: round(appends / Math.max(1, fsyncs)) },
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const durationMs = Number(process.env['WAL_BENCH_MS'] ?? DEFAULT_DURATION_MS);
  console.log(JSON.stringify(await benchWal(durationMs)));
}
