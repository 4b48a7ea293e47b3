// varbit chunks (encoding 2): after the common header,
//
//   field         type       meaning
//   value mode    u8         0..15 decimal k, 0x80 xor
//   shift         u8         decimal mode: d = m·2^shift (0..31); 0 in xor mode
//   time model    u8         0 delta-of-delta, 1 grid (varbit-time.ts)
//   t0            zvarint    first timestamp, ms
//   maxT − t0     varint     last timestamp, as a distance from t0
//   time bytes    varint     length of the time stream
//   time stream   bits       samples 1..n-1, MSB first, zero-padded to a byte
//   value stream  bits       samples 0..n-1, MSB first, zero-padded to a byte
//
// Values: decimal mode codes m_0 = v_0·10^k / 2^shift, then the
// delta-of-delta E of m with VALUE_BUCKETS (the code after the last bucket
// escapes 64 raw bits); xor mode writes v_0's 64 bits, then Gorilla's
// leading/trailing-zero window. Sequential only: each sample depends on the
// one before.

import { BitReader } from './bits.js';
import { Buckets } from './buckets.js';
import { fromDecimal, isValueMode, MAX_SHIFT, XOR_MODE } from './decimal.js';
import { chunkError } from './errors.js';
import { floatFromBits } from './float-bits.js';
import { HEADER_BYTES, readCount } from './header.js';
import { POW2 } from './pow2.js';
import { DodTime, GridTime, TIME_MODEL_DOD, TIME_MODEL_GRID } from './varbit-time.js';
import { ByteCursor } from './varint.js';
import { shiftLeft64, shifted } from './word64.js';

/** Decimal values: delta-of-delta of d. Tuned on node_exporter scraped every second (bench/chunks.ts). */
export const VALUE_BUCKETS = new Buckets([0, 4, 8, 12, 16, 24, 32, 64], true);

export interface VarbitHeader {
  count: number;
  mode: number;
  shift: number;
  timeModel: number;
  t0: number;
  maxT: number;
  timeStart: number;
  valueStart: number;
}

export function parseVarbitHeader(chunk: Uint8Array): VarbitHeader {
  const count = readCount(chunk);
  if (count === 0) return { count, mode: 0, shift: 0, timeModel: 0, t0: Infinity, maxT: -Infinity, timeStart: HEADER_BYTES, valueStart: HEADER_BYTES };
  const cursor = new ByteCursor(chunk, HEADER_BYTES);
  const mode = cursor.u8();
  if (!isValueMode(mode)) throw chunkError(`varbit: unknown value mode 0x${mode.toString(16)}`);
  const shift = cursor.u8();
  if (shift > MAX_SHIFT) throw chunkError(`varbit: shift ${shift} above ${MAX_SHIFT}`);
  const timeModel = cursor.u8();
  if (timeModel !== TIME_MODEL_DOD && timeModel !== TIME_MODEL_GRID) throw chunkError(`varbit: unknown time model ${timeModel}`);
  const t0 = cursor.zvarint();
  const maxT = t0 + cursor.varint();
  const timeBytes = cursor.varint();
  const timeStart = cursor.pos;
  const valueStart = timeStart + timeBytes;
  if (valueStart > chunk.length) throw chunkError(`varbit: time stream of ${timeBytes} bytes at byte ${timeStart} passes the chunk's end (${chunk.length})`);
  return { count, mode, shift, timeModel, t0, maxT, timeStart, valueStart };
}

/** Sequential reads of a varbit chunk; `t` and `v` hold the current sample. */
export class VarbitIterator {
  t = NaN;
  v = NaN;
  readonly count: number;
  private index = -1;
  private readonly mode: number;
  private readonly times: BitReader;
  private readonly values: BitReader;
  private readonly dod: DodTime | undefined;
  private readonly grid: GridTime | undefined;
  // decimal mode: v = m·2^shift / 10^k
  private readonly scale: number;
  private m = 0;
  private deltaM = 0;
  // xor mode: the previous value's bits and the current window
  private hi = 0;
  private lo = 0;
  private lead = 0;
  private trail = 0;

  constructor(chunk: Uint8Array) {
    const h = parseVarbitHeader(chunk);
    this.count = h.count;
    this.mode = h.mode;
    this.scale = POW2[h.shift]!;
    this.times = new BitReader(chunk, h.timeStart, h.valueStart);
    this.values = new BitReader(chunk, h.valueStart, chunk.length);
    if (h.timeModel === TIME_MODEL_GRID) (this.grid = new GridTime()).start(h.t0);
    else (this.dod = new DodTime()).start(h.t0);
    this.t = h.t0;
  }

  next(): boolean {
    const i = this.index + 1;
    if (i >= this.count) return false;
    this.index = i;
    if (i === 0) {
      this.readFirstValue(this.values);
      return true;
    }
    this.t = this.grid !== undefined ? this.grid.read(this.times) : this.dod!.read(this.times);
    if (this.mode === XOR_MODE) this.readXor(this.values);
    else this.readDecimal(this.values);
    return true;
  }

  /** Decimal: m_0 in the value buckets (or the escape); xor: 64 raw bits. Either way m and δ start from 0. */
  private readFirstValue(r: BitReader): void {
    if (this.mode !== XOR_MODE) {
      this.readDecimal(r);
      this.deltaM = 0;
      return;
    }
    this.hi = r.readBits(32);
    this.lo = r.readBits(32);
    this.v = floatFromBits(this.hi, this.lo);
  }

  private readDecimal(r: BitReader): void {
    const e = VALUE_BUCKETS.read(r);
    if (Number.isNaN(e)) {
      const hi = r.readBits(32);
      this.v = floatFromBits(hi, r.readBits(32));
      return;
    }
    this.deltaM += e;
    this.m += this.deltaM;
    this.v = fromDecimal(this.m * this.scale, this.mode);
  }

  private readXor(r: BitReader): void {
    if (r.readBit() === 0) return; // the same 64 bits as before: `v` holds them already
    if (r.readBit() === 1) {
      this.lead = r.readBits(5);
      const significant = r.readBits(6) + 1;
      this.trail = 64 - this.lead - significant;
      if (this.trail < 0) throw chunkError(`varbit: xor window of ${significant} bits after ${this.lead} leading zeros`);
    }
    const n = 64 - this.lead - this.trail;
    const xHi = n > 32 ? r.readBits(n - 32) : 0;
    const xLo = r.readBits(n > 32 ? 32 : n);
    shiftLeft64(xHi, xLo, this.trail);
    this.hi = (this.hi ^ shifted.hi) >>> 0;
    this.lo = (this.lo ^ shifted.lo) >>> 0;
    this.v = floatFromBits(this.hi, this.lo);
  }
}
