// Segment file names and the directory operations around them: listing,
// creating a segment atomically, setting files aside, syncing the directory.

import { constants } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeSegmentHeader } from './format.js';
import { writeFully } from './write-fully.js';

const SEQ_DIGITS = 16;
const SEGMENT_NAME = /^(\d{16})\.wal$/;
const TEMP_SUFFIX = '.tmp';
const CORRUPT_SUFFIX = '.corrupt';

export interface SegmentFile {
  /** Seq of the segment's first record (also its name). */
  readonly firstSeq: number;
  readonly name: string;
}

export function segmentName(firstSeq: number): string {
  return `${String(firstSeq).padStart(SEQ_DIGITS, '0')}.wal`;
}

/** Segments in seq order; other files are ignored, stale temp files removed. */
export async function listSegments(dir: string): Promise<SegmentFile[]> {
  await mkdir(dir, { recursive: true });
  const segments: SegmentFile[] = [];
  for (const name of await readdir(dir)) {
    if (name.endsWith(`.wal${TEMP_SUFFIX}`)) {
      // A crash while creating a segment: it never held a record.
      await unlink(join(dir, name));
      continue;
    }
    const match = SEGMENT_NAME.exec(name);
    if (match === null) continue;
    const firstSeq = Number(match[1]);
    if (Number.isSafeInteger(firstSeq)) segments.push({ firstSeq, name });
  }
  return segments.sort((a, b) => a.firstSeq - b.firstSeq);
}

/** fsync a directory so that created, renamed or deleted names survive a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Creates a segment holding only its header, via a synced temp file renamed
 * into place, so a segment file never has a partial header. Returns the open
 * handle, positioned by the caller (writes are positional).
 */
export async function createSegment(dir: string, firstSeq: number, durable: boolean): Promise<FileHandle> {
  const path = join(dir, segmentName(firstSeq));
  const tempPath = path + TEMP_SUFFIX;
  const handle = await open(tempPath, 'w');
  try {
    await writeFully(handle, [encodeSegmentHeader(firstSeq)], 0);
    if (durable) await handle.datasync();
    await rename(tempPath, path);
    if (durable) await syncDirectory(dir);
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function freeCorruptName(dir: string, name: string): Promise<string> {
  const taken = new Set(await readdir(dir));
  let candidate = name + CORRUPT_SUFFIX;
  for (let n = 1; taken.has(candidate); n++) candidate = `${name}${CORRUPT_SUFFIX}.${n}`;
  return candidate;
}

/** Renames a segment to `<name>.corrupt` (or `.corrupt.N`); returns the new name. */
export async function moveAside(dir: string, name: string): Promise<string> {
  const target = await freeCorruptName(dir, name);
  await rename(join(dir, name), join(dir, target));
  return target;
}

/** Copies a segment to `<name>.corrupt` (or `.corrupt.N`) without touching it; returns the copy's name. */
export async function copyAside(dir: string, name: string): Promise<string> {
  const target = await freeCorruptName(dir, name);
  await copyFile(join(dir, name), join(dir, target), constants.COPYFILE_EXCL);
  const copy = await open(join(dir, target), 'r+');
  try {
    await copy.sync();
  } finally {
    await copy.close();
  }
  return target;
}

/** Cuts a segment at `length` bytes and syncs it. */
export async function truncateSegment(dir: string, name: string, length: number): Promise<void> {
  const handle = await open(join(dir, name), 'r+');
  try {
    await handle.truncate(length);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

export async function deleteSegment(dir: string, name: string): Promise<void> {
  await unlink(join(dir, name));
}
