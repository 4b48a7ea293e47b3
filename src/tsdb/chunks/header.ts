// The 3 bytes every chunk starts with (docs/format/chunks.md):
//   encoding <u8> | count <u16 LE>
// and the limits every encoding shares.

import { chunkError } from './errors.js';

export type ChunkEncoding = 'double-delta' | 'varbit';

export const DOUBLE_DELTA_ID = 1;
export const VARBIT_ID = 2;
export const HEADER_BYTES = 3;
export const MAX_SAMPLES_PER_CHUNK = 0xffff;
/** |t| below this (ms, ±142 000 years) keeps every time difference a safe integer. */
export const TIMESTAMP_LIMIT_MS = 2 ** 52;

export function writeHeader(buf: Uint8Array, encodingId: number, count: number): void {
  buf[0] = encodingId;
  buf[1] = count & 0xff;
  buf[2] = count >>> 8;
}

export function readCount(chunk: Uint8Array): number {
  if (chunk.length < HEADER_BYTES) throw chunkError(`chunk of ${chunk.length} bytes is shorter than its ${HEADER_BYTES}-byte header`);
  return chunk[1]! | (chunk[2]! << 8);
}

export function readEncoding(chunk: Uint8Array): ChunkEncoding {
  if (chunk.length < HEADER_BYTES) throw chunkError(`chunk of ${chunk.length} bytes is shorter than its ${HEADER_BYTES}-byte header`);
  const id = chunk[0];
  if (id === DOUBLE_DELTA_ID) return 'double-delta';
  if (id === VARBIT_ID) return 'varbit';
  throw chunkError(`unknown encoding ${id}`);
}
