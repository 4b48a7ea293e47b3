// Appends samples to a double-delta chunk (layout: double-delta.ts). The
// records are fixed-width; a sample that does not fit the current widths or
// value mode triggers a re-fit: slopes are chosen again, widths grow
// (never shrink, which bounds re-encodes to ~9 per column) and every record
// is rewritten.

import { decimalDigits, smallestDecimals, XOR_MODE } from './decimal.js';
import { DoubleDeltaLayout } from './double-delta.js';
import { loadedHi, loadedLo, loadFloat } from './float-bits.js';
import { signedWidth, unsignedWidth, writeSigned, writeWords } from './fixed-width.js';
import { DOUBLE_DELTA_ID, writeHeader } from './header.js';
import { writeVarint, zigzag } from './varint.js';

/** Slopes beyond this are never tried: their zigzag varint would leave the safe integers. */
const MAX_SLOPE = 2 ** 51;
const UNFIT = 99;

export class DoubleDeltaEncoder {
  private layout = new DoubleDeltaLayout(new Uint8Array(64));
  /** layout.headerLength(), kept: it changes only when the chunk is (re)started */
  private headerBytes = 3;

  get count(): number {
    return this.layout.count;
  }

  get byteLength(): number {
    const l = this.layout;
    return l.count === 0 ? 3 : this.headerBytes + (l.count - 1) * l.recordBytes;
  }

  /** Adds a sample unless the chunk would then exceed `maxBytes`; false leaves the chunk as it was. */
  append(t: number, v: number, maxBytes: number): boolean {
    const l = this.layout;
    const i = l.count;
    if (i === 0) return this.start(t, v);
    const rt = residual(t, l.t0, i, l.slopeT);
    let rv = NaN;
    let xHi = 0;
    let xLo = 0;
    let valueFits: boolean;
    if (l.mode === XOR_MODE) {
      loadFloat(v);
      xHi = (loadedHi() ^ l.v0Hi) >>> 0;
      xLo = (loadedLo() ^ l.v0Lo) >>> 0;
      valueFits = unsignedWidth(xHi, xLo) <= l.vw;
    } else {
      const d = decimalDigits(v, l.mode);
      rv = Number.isNaN(d) ? NaN : residual(d, l.d0, i, l.slopeD);
      valueFits = !Number.isNaN(rv) && signedWidth(rv) <= l.vw;
    }
    if (!valueFits || Number.isNaN(rt) || signedWidth(rt) > l.tw) return this.refit(t, v, maxBytes);
    if (this.headerBytes + i * l.recordBytes > maxBytes) return false;
    const pos = (i - 1) * l.recordBytes;
    this.reserve(pos + l.recordBytes);
    writeSigned(l.buf, pos, rt, l.tw);
    if (l.mode === XOR_MODE) writeWords(l.buf, pos + l.tw, xHi, xLo, l.vw);
    else writeSigned(l.buf, pos + l.tw, rv, l.vw);
    l.count = i + 1;
    return true;
  }

  bytes(): Uint8Array {
    const l = this.layout;
    const out = new Uint8Array(this.byteLength);
    writeHeader(out, DOUBLE_DELTA_ID, l.count);
    if (l.count === 0) return out;
    let pos = 3;
    out[pos++] = l.mode;
    out[pos++] = (l.tw << 4) | l.vw;
    pos = writeVarint(out, pos, zigzag(l.t0));
    pos = writeVarint(out, pos, zigzag(l.slopeT));
    if (l.mode === XOR_MODE) {
      writeWords(out, pos, l.v0Hi, l.v0Lo, 8);
      pos += 8;
    } else {
      pos = writeVarint(out, pos, zigzag(l.d0));
      pos = writeVarint(out, pos, zigzag(l.slopeD));
    }
    out.set(l.buf.subarray(0, (l.count - 1) * l.recordBytes), pos);
    return out;
  }

  private start(t: number, v: number): boolean {
    const l = this.layout;
    const k = smallestDecimals(v);
    l.mode = k >= 0 ? k : XOR_MODE;
    l.t0 = t;
    l.slopeT = 0;
    l.tw = 0;
    l.vw = 0;
    l.slopeD = 0;
    l.d0 = k >= 0 ? decimalDigits(v, k) : 0;
    l.setFirstValueBits(v);
    l.count = 1;
    this.headerBytes = l.headerLength();
    return true;
  }

  /** Chooses value mode, slopes and widths again for every sample plus (t, v), and rewrites the records. */
  private refit(t: number, v: number, maxBytes: number): boolean {
    const l = this.layout;
    const n = l.count + 1;
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    for (let i = 0; i < n - 1; i++) {
      ts[i] = l.timeAt(i);
      vs[i] = l.valueAt(i);
    }
    ts[n - 1] = t;
    vs[n - 1] = v;

    let mode = l.mode;
    if (mode !== XOR_MODE && Number.isNaN(decimalDigits(v, mode))) {
      const k = smallestDecimals(v, mode + 1);
      mode = k >= 0 ? k : XOR_MODE;
    }
    const time = fitLine(ts, n, l.slopeT, l.tw);
    // more decimals can push an earlier value's d past 2^50: then only xor holds them all
    const ds = mode === XOR_MODE ? undefined : vs.map((x) => decimalDigits(x, mode));
    if (ds?.some(Number.isNaN)) mode = XOR_MODE;
    const value =
      mode === XOR_MODE || ds === undefined
        ? { slope: 0, width: xorWidth(vs, n, l.mode === XOR_MODE ? l.vw : 0), first: 0 }
        : { ...fitLine(ds, n, mode === l.mode ? l.slopeD : 0, mode === l.mode ? l.vw : 0), first: ds[0]! };
    if (time.width === UNFIT || value.width === UNFIT) throw new RangeError(`chunks: double-delta cannot hold sample t=${t} v=${v}`);

    const next = new DoubleDeltaLayout(new Uint8Array(Math.max(64, (n - 1) * (time.width + value.width) * 2)));
    next.mode = mode;
    next.t0 = ts[0]!;
    next.slopeT = time.slope;
    next.tw = time.width;
    next.d0 = value.first;
    next.slopeD = value.slope;
    next.vw = value.width;
    next.setFirstValueBits(vs[0]!);
    const headerBytes = next.headerLength();
    if (headerBytes + (n - 1) * next.recordBytes > maxBytes) return false;
    for (let i = 1; i < n; i++) {
      const pos = (i - 1) * next.recordBytes;
      writeSigned(next.buf, pos, ts[i]! - (next.t0 + i * next.slopeT), next.tw);
      if (mode === XOR_MODE) {
        loadFloat(vs[i]!);
        writeWords(next.buf, pos + next.tw, (loadedHi() ^ next.v0Hi) >>> 0, (loadedLo() ^ next.v0Lo) >>> 0, next.vw);
      } else {
        writeSigned(next.buf, pos + next.tw, decimalDigits(vs[i]!, mode) - (next.d0 + i * next.slopeD), next.vw);
      }
    }
    next.count = n;
    this.layout = next;
    this.headerBytes = headerBytes;
    return true;
  }

  private reserve(bytes: number): void {
    const l = this.layout;
    if (bytes <= l.buf.length) return;
    const grown = new Uint8Array(Math.max(bytes, l.buf.length * 2));
    grown.set(l.buf);
    l.buf = grown;
  }
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** `x - (x0 + i·slope)` for integers, or NaN when any step leaves the safe integers. */
function residual(x: number, x0: number, i: number, slope: number): number {
  const p = i * slope;
  const pred = x0 + p;
  const r = x - pred;
  return p <= MAX_SAFE && p >= -MAX_SAFE && pred <= MAX_SAFE && pred >= -MAX_SAFE && r <= MAX_SAFE && r >= -MAX_SAFE ? r : NaN;
}

/**
 * The slope (among the current one, the first step, the average step and 0)
 * whose residuals need the fewest bytes, and that width (at least `minWidth`).
 */
function fitLine(xs: ArrayLike<number>, n: number, current: number, minWidth: number): { slope: number; width: number } {
  const first = xs[1]! - xs[0]!;
  const average = Math.round((xs[n - 1]! - xs[0]!) / (n - 1));
  let best = { slope: current, width: UNFIT };
  for (const slope of [current, first, average, 0]) {
    if (Math.abs(slope) > MAX_SLOPE) continue;
    let width = minWidth;
    for (let i = 1; i < n && width < best.width; i++) {
      const r = residual(xs[i]!, xs[0]!, i, slope);
      width = Number.isNaN(r) ? UNFIT : Math.max(width, signedWidth(r));
    }
    if (width < best.width) best = { slope, width };
  }
  return best;
}

function xorWidth(vs: Float64Array, n: number, minWidth: number): number {
  loadFloat(vs[0]!);
  const hi0 = loadedHi();
  const lo0 = loadedLo();
  let width = minWidth;
  for (let i = 1; i < n; i++) {
    loadFloat(vs[i]!);
    width = Math.max(width, unsignedWidth((loadedHi() ^ hi0) >>> 0, (loadedLo() ^ lo0) >>> 0));
  }
  return width;
}
