// Files under a stream's part folders that no catalogued part owns: a flush or
// merge that wrote its files and died before its catalog commit, a companion
// backfilled for a part compaction retired at the same time, a retired file
// whose deletion a crash interrupted. Swept when the store opens, before this
// process writes anything; the data folder lock (src/store/data-folder-lock.ts)
// keeps any other writer out. (On shared object storage a sweep will need an
// age threshold instead: other writers' uncommitted files look the same.)

import { readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

/** A part's files are `<part id>.<suffix>`: the part itself and its companions. */
export function partIdOf(fileName: string): string {
  const dot = fileName.indexOf('.');
  return dot < 0 ? fileName : fileName.slice(0, dot);
}

/**
 * Deletes every file in `streamDir`'s `date=…` folders whose part id is not
 * in `liveIds`, and the folders left empty. Returns the files deleted.
 */
export async function sweepOrphanPartFiles(streamDir: string, liveIds: ReadonlySet<string>): Promise<string[]> {
  const deleted: string[] = [];
  let days: string[];
  try {
    days = (await readdir(streamDir)).filter((d) => d.startsWith('date='));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return deleted;
    throw err;
  }
  for (const day of days) {
    const dir = join(streamDir, day);
    const entries = await readdir(dir, { withFileTypes: true });
    let kept = 0;
    for (const e of entries) {
      if (e.isFile() && !liveIds.has(partIdOf(e.name))) {
        await rm(join(dir, e.name), { force: true });
        deleted.push(join(dir, e.name));
      } else {
        kept++;
      }
    }
    if (kept === 0) await rmdir(dir).catch(() => undefined);
  }
  return deleted;
}
