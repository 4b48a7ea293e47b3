// Files a running query reads must not vanish under it. Queries lease the files
// of their snapshot; a flush or compaction retires files it has replaced, and a
// retired file is deleted once no lease holds it.

import { unlink } from 'node:fs/promises';

export class FileLeases {
  private readonly refs = new Map<string, number>();
  private readonly retired = new Set<string>();

  /** Holds `paths` until the returned release function is called. */
  acquire(paths: readonly string[]): () => void {
    for (const p of paths) this.refs.set(p, (this.refs.get(p) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const p of paths) {
        const n = (this.refs.get(p) ?? 1) - 1;
        if (n > 0) this.refs.set(p, n);
        else {
          this.refs.delete(p);
          if (this.retired.delete(p)) void unlink(p).catch(() => undefined);
        }
      }
    };
  }

  /** Deletes each file now, or when its last lease is released. */
  retire(paths: readonly string[]): void {
    for (const p of paths) {
      if (this.refs.has(p)) this.retired.add(p);
      else void unlink(p).catch(() => undefined);
    }
  }
}
