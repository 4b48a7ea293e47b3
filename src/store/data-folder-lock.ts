// One server per data folder: two would append to the same WAL segments and
// commit parts over each other's flushes. The lock is a file naming the
// holder's pid, created exclusively; a file whose process is gone (kill -9)
// is taken over, so a crash never needs a hand to clean up.

import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const LOCK_FILE = 'marquetry.lock';

export class DataFolderInUseError extends Error {}

/** Lock files this process holds: a file naming this pid but not held here is a copy (a crash image), so stale. */
const heldHere = new Set<string>();

export class DataFolderLock {
  private released = false;

  private constructor(readonly path: string) {}

  static async acquire(dataDir: string): Promise<DataFolderLock> {
    const dir = resolve(dataDir);
    await mkdir(dir, { recursive: true });
    const path = join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fh = await open(path, 'wx');
        try {
          await fh.writeFile(`${process.pid}\n`);
        } finally {
          await fh.close();
        }
        heldHere.add(path);
        return new DataFolderLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && (holder === process.pid ? heldHere.has(path) : processAlive(holder))) {
        throw new DataFolderInUseError(`data folder ${dir} is in use by process ${holder} (${path}): stop that server or choose another --data`);
      }
      // Stale: its process is gone, or it died between creating and writing the file.
      await unlink(path).catch(() => undefined);
    }
    throw new DataFolderInUseError(`data folder ${dir}: could not take ${path} (another server starting at the same time?)`);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.path);
    await unlink(this.path).catch(() => undefined);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
