// The data folder belongs to one server: a second start over it is refused
// while the first runs, a crashed holder's lock is taken over, and part files
// no catalogued part owns (left by a crash between writing a part and
// committing it) are deleted when the store opens.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { encodeExportTraceServiceRequest } from '../../src/receive/otlp-proto-encode.js';
import type { ServerConfig } from '../../src/config/config.js';
import { DataFolderInUseError } from '../../src/store/data-folder-lock.js';
import { startTestServer } from '../helpers/test-server.js';
import { syntheticBatch } from '../helpers/synthetic-spans.js';
import { postOtlpProto } from '../helpers/otlp-json.js';
import { exists } from '../helpers/part-files.js';

const MANUAL: Partial<ServerConfig> = { flushIntervalMs: 3_600_000, compactIntervalMs: 3_600_000 };

/** A pid no process has: one that just exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('data folder', () => {
  it('refuses a second server over the same folder until the first stops, and takes over the lock of a dead one', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'marquetry-lock-'));
    try {
      const first = await startTestServer({ ...MANUAL, dataDir });
      await assert.rejects(startTestServer({ ...MANUAL, dataDir }), (err: Error) => err instanceof DataFolderInUseError && err.message.includes(`process ${process.pid}`));
      assert.equal((await postOtlpProto(first.otlpUrl, encodeExportTraceServiceRequest(syntheticBatch(1, 3)))).status, 200, 'the first still serves');
      await first.dispose();

      await writeFile(join(dataDir, 'marquetry.lock'), `${deadPid()}\n`);
      const second = await startTestServer({ ...MANUAL, dataDir });
      assert.equal(second.store.stats().headPendingRows + second.store.stats().partRows, 3, 'replayed');
      await second.dispose();
      assert.equal(await exists(join(dataDir, 'marquetry.lock')), false, 'released on close');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('deletes part files no catalogued part owns when the store opens, and keeps every file of the live parts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'marquetry-orphans-'));
    try {
      const first = await startTestServer({ ...MANUAL, dataDir });
      assert.equal((await postOtlpProto(first.otlpUrl, encodeExportTraceServiceRequest(syntheticBatch(4, 5)))).status, 200);
      await first.store.flush();
      const live = first.store.catalog.snapshot.parts;
      assert.equal(live.length, 1);
      await first.dispose();

      const dayDir = dirname(join(dataDir, live[0]!.path));
      const liveFiles = (await readdir(dayDir)).sort();
      // what a crash before a commit leaves: a part and its companions, a merge's half-written file, another day's lone part
      const orphans = [join(dayDir, 'zzorphan-1.parquet'), join(dayDir, 'zzorphan-1.cube.parquet'), join(dayDir, '.zzmerge-2.parquet.tmp'), join(dataDir, 'parts', 'traces', 'date=2001-01-01', 'zzold-3.parquet')];
      for (const f of orphans) {
        await mkdir(dirname(f), { recursive: true });
        await writeFile(f, 'not a part');
      }

      const second = await startTestServer({ ...MANUAL, dataDir });
      try {
        assert.deepEqual((await readdir(dayDir)).sort(), liveFiles, 'the live part and its companions stay, the orphans are gone');
        assert.equal(await exists(join(dataDir, 'parts', 'traces', 'date=2001-01-01')), false, 'an emptied day folder goes too');
        assert.equal(second.store.stats().partRows, 20);
        const trace = await fetch(`${second.apiUrl}/api/search?q=%7B%7D&limit=10`);
        assert.equal(((await trace.json()) as { traces: unknown[] }).traces.length, 4);
      } finally {
        await second.dispose();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
