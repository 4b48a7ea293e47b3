// Little-endian integers of 0..8 bytes for double-delta records: signed
// two's complement for residuals, unsigned for XOR words. A width of 0
// bytes stores nothing and reads as 0. Values are safe integers, kept as
// two 32-bit words (`hi`, `lo`) beyond 4 bytes.

import { POW2 } from './pow2.js';

const TWO_POW_32 = 2 ** 32;

/** Bytes needed to store `r` (a safe integer) signed: 0 for 0, else 1..8. */
export function signedWidth(r: number): number {
  if (r === 0) return 0;
  let limit = 128;
  for (let w = 1; w < 8; w++, limit *= 256) if (r >= -limit && r < limit) return w;
  return 8;
}

/** Bytes needed to store the unsigned 64-bit word pair (`hi`, `lo`): 0..8. */
export function unsignedWidth(hi: number, lo: number): number {
  return hi !== 0 ? 4 + bytesOf(hi) : bytesOf(lo);
}

function bytesOf(u: number): number {
  return u === 0 ? 0 : u < 0x100 ? 1 : u < 0x10000 ? 2 : u < 0x1000000 ? 3 : 4;
}

export function writeSigned(buf: Uint8Array, pos: number, value: number, width: number): void {
  const hi = Math.floor(value / TWO_POW_32);
  writeWords(buf, pos, hi >>> 0, value - hi * TWO_POW_32, width);
}

/** The low `width` bytes of the 64-bit word pair, low byte first. */
export function writeWords(buf: Uint8Array, pos: number, hi: number, lo: number, width: number): void {
  for (let b = 0; b < width; b++) buf[pos + b] = b < 4 ? (lo >>> (8 * b)) & 0xff : (hi >>> (8 * (b - 4))) & 0xff;
}

export function readSigned(buf: Uint8Array, pos: number, width: number): number {
  if (width <= 4) {
    const u = readUnsigned(buf, pos, width);
    const half = POW2[8 * width - 1]!;
    return u >= half ? u - 2 * half : u;
  }
  const hiU = readUnsigned(buf, pos + 4, width - 4);
  const half = POW2[8 * (width - 4) - 1]!;
  const hi = hiU >= half ? hiU - 2 * half : hiU;
  return hi * TWO_POW_32 + readUnsigned(buf, pos, 4);
}

/** `width` (0..4) bytes as an unsigned number. */
export function readUnsigned(buf: Uint8Array, pos: number, width: number): number {
  switch (width) {
    case 0:
      return 0;
    case 1:
      return buf[pos]!;
    case 2:
      return buf[pos]! | (buf[pos + 1]! << 8);
    case 3:
      return buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16);
    default:
      return (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16)) + buf[pos + 3]! * 0x1000000;
  }
}
