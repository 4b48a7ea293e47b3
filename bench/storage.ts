// Storage phase of the traces bench: what the data folder holds once the head
// is flushed and compaction has nothing left to merge. Reads the catalog
// files directly (docs/format/catalog.md), as an outside tool would.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CatalogSnapshot, PartInfo } from '../src/parts/catalog.js';
import { pickMerge } from '../src/store/compactor.js';

export async function readCatalog(dataDir: string, stream = 'traces'): Promise<CatalogSnapshot> {
  const dir = join(dataDir, 'catalog', stream);
  let version = Number((await readFile(join(dir, '_latest'), 'utf8').catch(() => '0')).trim()) || 0;
  // The hint may lag: probe forward like the server does.
  for (;;) {
    const next = join(dir, `${String(version + 1).padStart(16, '0')}.json`);
    if (!(await stat(next).catch(() => undefined))) break;
    version++;
  }
  if (version === 0) return { version: 0, parts: [], walCheckpoints: {}, committedAtMs: 0 };
  return JSON.parse(await readFile(join(dir, `${String(version).padStart(16, '0')}.json`), 'utf8')) as CatalogSnapshot;
}

/** Waits until the catalog has no merge due (the compactor's own rule), or `timeoutMs` passes. */
export async function waitForCompaction(dataDir: string, timeoutMs: number): Promise<{ ms: number; done: boolean; parts: readonly PartInfo[] }> {
  const started = performance.now();
  for (;;) {
    const snap = await readCatalog(dataDir);
    const due = pickMerge(snap.parts);
    const ms = performance.now() - started;
    if (!due) return { ms, done: true, parts: snap.parts };
    if (ms >= timeoutMs) return { ms, done: false, parts: snap.parts };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export interface FolderUsage {
  /** Parquet part files named by the catalog */
  partBytes: number;
  /** trace indexes (and blooms of parts written before them) */
  indexBytes: number;
  /** trace summaries (docs/format/trace-summary.md) */
  summaryBytes: number;
  rows: number;
  parts: number;
  /** every file under the data folder (WAL tail, catalog, trace indexes, leftovers) */
  totalBytes: number;
  /** per top-level folder: wal, parts, catalog, staging, tmp */
  byFolder: Record<string, number>;
}

async function folderBytes(path: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(path, { withFileTypes: true }).catch(() => [])) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) total += await folderBytes(p);
    else if (entry.isFile()) total += (await stat(p)).size;
  }
  return total;
}

export async function folderUsage(dataDir: string): Promise<FolderUsage> {
  const snap = await readCatalog(dataDir);
  let indexBytes = 0;
  let summaryBytes = 0;
  for (const p of snap.parts) {
    for (const f of [p.traceIndexPath, p.bloomPath]) if (f) indexBytes += (await stat(join(dataDir, f)).catch(() => ({ size: 0 }))).size;
    if (p.summaryPath) summaryBytes += (await stat(join(dataDir, p.summaryPath)).catch(() => ({ size: 0 }))).size;
  }
  const byFolder: Record<string, number> = {};
  let totalBytes = 0;
  for (const entry of await readdir(dataDir, { withFileTypes: true })) {
    const bytes = entry.isDirectory() ? await folderBytes(join(dataDir, entry.name)) : (await stat(join(dataDir, entry.name))).size;
    byFolder[entry.name] = bytes;
    totalBytes += bytes;
  }
  return {
    partBytes: snap.parts.reduce((n, p) => n + p.bytes, 0),
    indexBytes,
    summaryBytes,
    rows: snap.parts.reduce((n, p) => n + p.rows, 0),
    parts: snap.parts.length,
    totalBytes,
    byFolder,
  };
}
