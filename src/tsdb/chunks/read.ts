// Reading chunks of any encoding: dispatch on the header's encoding byte.

import { DoubleDeltaIterator, parseDoubleDelta } from './double-delta.js';
import { chunkError } from './errors.js';
import { type ChunkEncoding, readEncoding } from './header.js';
import { parseVarbitHeader, VarbitIterator } from './varbit.js';

/** Sequential samples; `t` (ms) and `v` are valid after `next()` returned true. No allocation per sample. */
export interface SampleIterator {
  next(): boolean;
  readonly t: number;
  readonly v: number;
}

export interface ChunkInfo {
  encoding: ChunkEncoding;
  count: number;
  /** first and last timestamp, ms; +Infinity and -Infinity for an empty chunk */
  minT: number;
  maxT: number;
}

export function chunkIterator(chunk: Uint8Array): SampleIterator {
  return readEncoding(chunk) === 'double-delta' ? new DoubleDeltaIterator(parseDoubleDelta(chunk)) : new VarbitIterator(chunk);
}

/** Sample `index`: O(1) for double-delta, O(index) for varbit (it decodes every sample before). */
export function sampleAt(chunk: Uint8Array, index: number): { t: number; v: number } {
  const encoding = readEncoding(chunk);
  if (encoding === 'double-delta') {
    const layout = parseDoubleDelta(chunk);
    checkIndex(index, layout.count);
    return { t: layout.timeAt(index), v: layout.valueAt(index) };
  }
  const it = new VarbitIterator(chunk);
  checkIndex(index, it.count);
  for (let i = 0; i <= index; i++) if (!it.next()) throw chunkError(`varbit: sample ${i} missing`);
  return { t: it.t, v: it.v };
}

function checkIndex(index: number, count: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`chunks: sample index ${index} outside 0..${count - 1}`);
}

export function chunkInfo(chunk: Uint8Array): ChunkInfo {
  const encoding = readEncoding(chunk);
  if (encoding === 'varbit') {
    const h = parseVarbitHeader(chunk);
    return { encoding, count: h.count, minT: h.t0, maxT: h.maxT };
  }
  const layout = parseDoubleDelta(chunk);
  if (layout.count === 0) return { encoding, count: 0, minT: Infinity, maxT: -Infinity };
  return { encoding, count: layout.count, minT: layout.t0, maxT: layout.timeAt(layout.count - 1) };
}
