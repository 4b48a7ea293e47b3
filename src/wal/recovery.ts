// Open-time validation and repair of a WAL directory (docs/format/wal.md,
// "Replay and repair on open"): a torn tail of the last segment is cut; an
// invalid record anywhere else stops the log there and sets later files aside.

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SEGMENT_HEADER_BYTES } from './format.js';
import { SegmentReader } from './segment-reader.js';
import {
  copyAside,
  listSegments,
  moveAside,
  syncDirectory,
  truncateSegment,
  type SegmentFile,
} from './segment-files.js';

export interface Recovery {
  /** Segments kept, in seq order; the last one is where appends continue. */
  segments: SegmentFile[];
  /** Seq of the last valid record (0 when there is none). */
  lastSeq: number;
  /** Size of the last kept segment after repair (its append offset). */
  activeBytes: number;
  /** Bytes cut from the tail or dropped by setting files aside. */
  truncatedBytes: number;
}

interface ScanResult {
  /** Index of the first segment with an invalid header or record, or -1. */
  badIndex: number;
  /** Offset of the first invalid byte in that segment. */
  badOffset: number;
  badReason: string;
  /** Last valid seq before the bad point. */
  lastSeq: number;
  /** Size of each scanned segment file as found. */
  fileBytes: number[];
}

async function scanSegments(dir: string, segments: SegmentFile[]): Promise<ScanResult> {
  const fileBytes: number[] = [];
  let expectedSeq = segments[0]?.firstSeq ?? 1;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const reader = await SegmentReader.open(join(dir, segment.name));
    try {
      fileBytes.push(reader.fileBytes);
      if (segment.firstSeq !== expectedSeq) {
        const reason = `segment name says first seq ${segment.firstSeq}, expected ${expectedSeq}`;
        return { badIndex: i, badOffset: 0, badReason: reason, lastSeq: expectedSeq - 1, fileBytes };
      }
      if (!(await reader.readHeader(expectedSeq))) {
        return { badIndex: i, badOffset: 0, badReason: reader.problem!, lastSeq: expectedSeq - 1, fileBytes };
      }
      while ((await reader.next(expectedSeq)) !== undefined) expectedSeq++;
      if (reader.problem !== undefined) {
        return { badIndex: i, badOffset: reader.offset, badReason: reader.problem, lastSeq: expectedSeq - 1, fileBytes };
      }
    } finally {
      await reader.close();
    }
  }
  return { badIndex: -1, badOffset: 0, badReason: '', lastSeq: expectedSeq - 1, fileBytes };
}

/** Validates every segment of `dir` and repairs it; see the module comment. */
export async function recoverDirectory(dir: string, log: (line: string) => void): Promise<Recovery> {
  const segments = await listSegments(dir);
  const scan = await scanSegments(dir, segments);
  const lastIndex = segments.length - 1;
  if (scan.badIndex < 0) {
    return { segments, lastSeq: scan.lastSeq, activeBytes: scan.fileBytes[lastIndex] ?? 0, truncatedBytes: 0 };
  }

  const bad = segments[scan.badIndex]!;
  const badFileBytes = scan.fileBytes[scan.badIndex]!;
  const headerIsGood = scan.badOffset >= SEGMENT_HEADER_BYTES;

  if (scan.badIndex === lastIndex && headerIsGood) {
    const cut = badFileBytes - scan.badOffset;
    await truncateSegment(dir, bad.name, scan.badOffset);
    log(`wal: cut torn tail of segment ${bad.name} at offset ${scan.badOffset} (${cut} bytes, ${scan.badReason})`);
    return { segments, lastSeq: scan.lastSeq, activeBytes: scan.badOffset, truncatedBytes: cut };
  }

  // Corruption: keep everything before the bad point, set the rest aside.
  const aside: string[] = [];
  let truncatedBytes = badFileBytes - (headerIsGood ? scan.badOffset : 0);
  if (headerIsGood) {
    aside.push(await copyAside(dir, bad.name));
    await truncateSegment(dir, bad.name, scan.badOffset);
  } else {
    aside.push(await moveAside(dir, bad.name));
  }
  for (let i = scan.badIndex + 1; i < segments.length; i++) {
    const segment = segments[i]!;
    truncatedBytes += (await stat(join(dir, segment.name))).size;
    aside.push(await moveAside(dir, segment.name));
  }
  await syncDirectory(dir);
  log(
    `wal: corrupt record in segment ${bad.name} at offset ${scan.badOffset} (${scan.badReason}); ` +
      `kept records through ${scan.lastSeq}, set aside ${aside.length} segment files as *.corrupt`,
  );
  const kept = segments.slice(0, headerIsGood ? scan.badIndex + 1 : scan.badIndex);
  const activeBytes = headerIsGood ? scan.badOffset : (scan.fileBytes[kept.length - 1] ?? 0);
  return { segments: kept, lastSeq: scan.lastSeq, activeBytes, truncatedBytes };
}
