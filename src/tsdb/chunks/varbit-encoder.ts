// Appends samples to a varbit chunk (layout: varbit.ts). Timestamps are
// coded with both time models into two streams; the chunk keeps the
// smaller. The value format (decimal k and shift, or xor) is chosen from
// the first value and changed by re-encoding the chunk when a later value
// needs more digits, fewer trailing zero bits, or is a float no decimal
// mode holds; NaN, ±Inf and -0 in decimal mode are escaped instead, so a
// stale marker does not cost the rest of the chunk.

import { BitWriter } from './bits.js';
import { decimalDigits, isSpecialValue, valueFormatFor, XOR_MODE } from './decimal.js';
import { loadedHi, loadedLo, loadFloat } from './float-bits.js';
import { HEADER_BYTES, VARBIT_ID, writeHeader } from './header.js';
import { POW2 } from './pow2.js';
import { VALUE_BUCKETS, VarbitIterator } from './varbit.js';
import { DodTime, GridTime, TIME_MODEL_DOD, TIME_MODEL_GRID } from './varbit-time.js';
import { varintLength, writeVarint, zigzag } from './varint.js';
import { leadingZeros64, shiftRight64, shifted, trailingZeros64 } from './word64.js';

const MAX_LEAD = 31;

/** What the value stream needs to know about the previous sample (mirrors VarbitIterator). */
class ValueState {
  m = 0;
  deltaM = 0;
  hi = 0;
  lo = 0;
  /** -1: no xor window yet */
  lead = -1;
  trail = 0;

  copyFrom(o: ValueState): void {
    this.m = o.m;
    this.deltaM = o.deltaM;
    this.hi = o.hi;
    this.lo = o.lo;
    this.lead = o.lead;
    this.trail = o.trail;
  }
}

export class VarbitEncoder {
  private n = 0;
  private mode = 0;
  private shift = 0;
  private t0 = 0;
  private lastT = 0;
  private readonly dodBits = new BitWriter();
  private readonly gridBits = new BitWriter();
  private readonly valueBits = new BitWriter();
  private readonly dod = new DodTime();
  private readonly grid = new GridTime();
  private readonly value = new ValueState();
  // the state before the sample being appended, to undo it when the chunk would overflow
  private readonly savedDod = new DodTime();
  private readonly savedGrid = new GridTime();
  private readonly savedValue = new ValueState();

  /** `format`: the value mode and shift for a re-encode; otherwise chosen from the first value. */
  constructor(private readonly format?: { mode: number; shift: number }) {}

  get count(): number {
    return this.n;
  }

  get byteLength(): number {
    if (this.n === 0) return HEADER_BYTES;
    const timeBytes = Math.min(this.dodBits.byteLength, this.gridBits.byteLength);
    return this.headerLength(this.lastT, timeBytes) + timeBytes + this.valueBits.byteLength;
  }

  /** Adds a sample unless the chunk would then exceed `maxBytes`; false leaves the chunk as it was. */
  append(t: number, v: number, maxBytes: number): boolean {
    if (this.n === 0) {
      this.start(t, v);
      return true;
    }
    if (this.mode !== XOR_MODE && !isSpecialValue(v)) {
      const d = decimalDigits(v, this.mode);
      if (Number.isNaN(d) || d % POW2[this.shift]! !== 0) return this.reencode(t, v, maxBytes);
    }
    const dodMark = this.dodBits.bitLength;
    const gridMark = this.gridBits.bitLength;
    const valueMark = this.valueBits.bitLength;
    this.savedDod.copyFrom(this.dod);
    this.savedGrid.copyFrom(this.grid);
    this.savedValue.copyFrom(this.value);
    const lastT = this.lastT;
    this.dod.write(this.dodBits, t);
    this.grid.write(this.gridBits, t);
    if (this.mode === XOR_MODE) this.writeXor(v);
    else this.writeDecimal(v);
    this.lastT = t;
    if (this.byteLength > maxBytes) {
      this.dodBits.truncate(dodMark);
      this.gridBits.truncate(gridMark);
      this.valueBits.truncate(valueMark);
      this.dod.copyFrom(this.savedDod);
      this.grid.copyFrom(this.savedGrid);
      this.value.copyFrom(this.savedValue);
      this.lastT = lastT;
      return false;
    }
    this.n++;
    return true;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.byteLength);
    writeHeader(out, VARBIT_ID, this.n);
    if (this.n === 0) return out;
    const useGrid = this.gridBits.byteLength < this.dodBits.byteLength;
    const times = useGrid ? this.gridBits : this.dodBits;
    let pos = HEADER_BYTES;
    out[pos++] = this.mode;
    out[pos++] = this.shift;
    out[pos++] = useGrid ? TIME_MODEL_GRID : TIME_MODEL_DOD;
    pos = writeVarint(out, pos, zigzag(this.t0));
    pos = writeVarint(out, pos, this.lastT - this.t0);
    pos = writeVarint(out, pos, times.byteLength);
    times.copyTo(out, pos);
    this.valueBits.copyTo(out, pos + times.byteLength);
    return out;
  }

  private headerLength(maxT: number, timeBytes: number): number {
    return HEADER_BYTES + 3 + varintLength(zigzag(this.t0)) + varintLength(maxT - this.t0) + varintLength(timeBytes);
  }

  private start(t: number, v: number): void {
    // a chunk that starts with NaN (a quantile with no observations) is usually all NaN: xor holds that in 1 bit a sample
    const format = this.format ?? valueFormatFor([v]);
    this.mode = format.mode;
    this.shift = format.shift;
    this.n = 1;
    this.t0 = this.lastT = t;
    this.dod.start(t);
    this.grid.start(t);
    if (this.mode === XOR_MODE) {
      loadFloat(v);
      this.value.hi = loadedHi();
      this.value.lo = loadedLo();
      this.valueBits.writeBits(this.value.hi, 32);
      this.valueBits.writeBits(this.value.lo, 32);
    } else {
      this.writeDecimal(v); // m_0 against m = 0, then δ starts from 0
      this.value.deltaM = 0;
    }
  }

  private writeDecimal(v: number): void {
    const w = this.valueBits;
    const s = this.value;
    const d = decimalDigits(v, this.mode);
    if (Number.isNaN(d)) {
      VALUE_BUCKETS.writeEscape(w);
      loadFloat(v);
      w.writeBits(loadedHi(), 32);
      w.writeBits(loadedLo(), 32);
      return;
    }
    const m = d / POW2[this.shift]!;
    const delta = m - s.m;
    VALUE_BUCKETS.write(w, delta - s.deltaM);
    s.deltaM = delta;
    s.m = m;
  }

  private writeXor(v: number): void {
    const w = this.valueBits;
    const s = this.value;
    loadFloat(v);
    const hi = loadedHi();
    const lo = loadedLo();
    const xHi = (hi ^ s.hi) >>> 0;
    const xLo = (lo ^ s.lo) >>> 0;
    s.hi = hi;
    s.lo = lo;
    if (xHi === 0 && xLo === 0) {
      w.writeBits(0, 1);
      return;
    }
    const lead = leadingZeros64(xHi, xLo);
    const trail = trailingZeros64(xHi, xLo);
    if (s.lead >= 0 && lead >= s.lead && trail >= s.trail) {
      w.writeBits(0b10, 2);
    } else {
      s.lead = Math.min(lead, MAX_LEAD);
      s.trail = trail;
      w.writeBits(0b11, 2);
      w.writeBits(s.lead, 5);
      w.writeBits(64 - s.lead - s.trail - 1, 6);
    }
    shiftRight64(xHi, xLo, s.trail);
    w.writeWords(shifted.hi, shifted.lo, 64 - s.lead - s.trail);
  }

  /** Rewrites every sample so far and (t, v) in a value format that holds them all; keeps the old chunk if the result is too big. */
  private reencode(t: number, v: number, maxBytes: number): boolean {
    const ts: number[] = [];
    const vs: number[] = [];
    for (const it = new VarbitIterator(this.bytes()); it.next(); ) {
      ts.push(it.t);
      vs.push(it.v);
    }
    ts.push(t);
    vs.push(v);
    const next = new VarbitEncoder(valueFormatFor(vs));
    for (let i = 0; i < ts.length - 1; i++) next.append(ts[i]!, vs[i]!, Infinity);
    if (!next.append(t, v, maxBytes)) return false;
    Object.assign(this, next); // take over the re-encoded state, field by field
    return true;
  }
}
