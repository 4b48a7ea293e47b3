// Snappy block format (not the framed/stream format): what Prometheus
// remote_write bodies are compressed with.
//
//   body     = varint(uncompressed length) element*
//   element  = tag byte, low 2 bits the kind:
//     00 literal   length-1 in the tag's upper 6 bits when < 60; 60..63 mean the
//                  length-1 follows in 1..4 little-endian bytes; then the bytes
//     01 copy      length 4..11 = 4 + tag bits 2..4, offset 0..2047 = tag bits
//                  5..7 << 8 | next byte
//     10 copy      length 1..64 = 1 + tag >> 2, offset = next 2 bytes LE
//     11 copy      length 1..64 = 1 + tag >> 2, offset = next 4 bytes LE
//   A copy repeats `length` bytes starting `offset` bytes back in the output
//   (the ranges may overlap: offset 1 repeats one byte). Offset 0 is invalid.
//
// Decompression trusts nothing: the declared length is checked against the
// caller's limit before anything is allocated, and every element against the
// input left and the output written so far.

import { DecodeError, TooLargeError } from '../../model/errors.js';

const LITERAL = 0;
const COPY_1 = 1;
const COPY_2 = 2;

/** The uncompressed length, as declared by the body's varint header. */
export function snappyUncompressedLength(input: Uint8Array): { length: number; headerBytes: number } {
  let length = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= input.length) throw new DecodeError(`snappy: truncated length header at offset ${i}`);
    const b = input[i]!;
    length += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) {
      if (length > 0xffffffff) throw new DecodeError('snappy: length header exceeds 32 bits at offset 0');
      return { length, headerBytes: i + 1 };
    }
  }
  throw new DecodeError('snappy: length header longer than 5 bytes at offset 0');
}

/**
 * Decompresses a snappy block. Throws TooLargeError when the declared length
 * exceeds `maxBytes`, DecodeError (naming the input offset) on any malformed
 * element or when the output does not come out at exactly the declared length.
 */
export function snappyUncompress(input: Uint8Array, maxBytes: number): Uint8Array {
  const { length, headerBytes } = snappyUncompressedLength(input);
  if (length > maxBytes) {
    throw new TooLargeError(`snappy: uncompressed length ${length} exceeds the limit of ${maxBytes} bytes`);
  }
  const out = new Uint8Array(length);
  const end = input.length;
  let ip = headerBytes;
  let op = 0;
  while (ip < end) {
    const at = ip;
    const tag = input[ip++]!;
    const kind = tag & 3;
    if (kind === LITERAL) {
      let n = tag >>> 2;
      if (n >= 60) {
        const extra = n - 59; // 1..4 length bytes
        if (end - ip < extra) fail(`truncated literal length`, at);
        n = input[ip]!;
        if (extra > 1) n |= input[ip + 1]! << 8;
        if (extra > 2) n |= input[ip + 2]! << 16;
        if (extra > 3) n = (n | (input[ip + 3]! << 24)) >>> 0;
        ip += extra;
      }
      n += 1;
      if (n > end - ip) fail(`literal of ${n} bytes runs past the end of the input`, at);
      if (n > length - op) fail(`literal of ${n} bytes overflows the declared length ${length}`, at);
      if (n <= 16) {
        for (let k = 0; k < n; k++) out[op + k] = input[ip + k]!;
      } else {
        out.set(input.subarray(ip, ip + n), op);
      }
      ip += n;
      op += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (kind === COPY_1) {
      if (ip >= end) fail('truncated copy', at);
      n = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | input[ip++]!;
    } else if (kind === COPY_2) {
      if (end - ip < 2) fail('truncated copy', at);
      n = 1 + (tag >>> 2);
      offset = input[ip]! | (input[ip + 1]! << 8);
      ip += 2;
    } else {
      if (end - ip < 4) fail('truncated copy', at);
      n = 1 + (tag >>> 2);
      offset = (input[ip]! | (input[ip + 1]! << 8) | (input[ip + 2]! << 16) | (input[ip + 3]! << 24)) >>> 0;
      ip += 4;
    }
    if (offset === 0) fail('copy with offset 0', at);
    if (offset > op) fail(`copy offset ${offset} reaches before the start of the output (${op} bytes written)`, at);
    if (n > length - op) fail(`copy of ${n} bytes overflows the declared length ${length}`, at);
    let from = op - offset;
    if (offset >= n && n > 16) {
      out.copyWithin(op, from, from + n);
      op += n;
    } else {
      // byte by byte: overlapping copies repeat the pattern, as the format means
      const stop = op + n;
      while (op < stop) out[op++] = out[from++]!;
    }
  }
  if (op !== length) throw new DecodeError(`snappy: input ends after ${op} of the declared ${length} bytes at offset ${end}`);
  return out;
}

function fail(message: string, offset: number): never {
  throw new DecodeError(`snappy: ${message} at offset ${offset}`);
}

// ---- compression: greedy, one hash table per 64 KiB block ----

/** Matches are searched within blocks of this size, so every offset fits in 2 bytes. */
const BLOCK_BYTES = 1 << 16;
const HASH_BITS = 14;
const MIN_MATCH = 4;

/** Worst-case compressed size of `n` bytes (snappy's own bound). */
export function snappyMaxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

/** Compresses `input` into a snappy block that any snappy decoder reads. */
export function snappyCompress(input: Uint8Array): Uint8Array {
  const n = input.length;
  const out = new Uint8Array(snappyMaxCompressedLength(n));
  let op = 0;
  let v = n;
  while (v >= 0x80) {
    out[op++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[op++] = v;
  const table = new Int32Array(1 << HASH_BITS);
  for (let start = 0; start < n; start += BLOCK_BYTES) {
    op = compressBlock(input, start, Math.min(start + BLOCK_BYTES, n), out, op, table);
  }
  return out.slice(0, op);
}

function load32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

function hash32(x: number): number {
  return Math.imul(x, 0x1e35a7bd) >>> (32 - HASH_BITS);
}

function compressBlock(src: Uint8Array, start: number, end: number, out: Uint8Array, op: number, table: Int32Array): number {
  table.fill(-1);
  let literalStart = start;
  let ip = start;
  const lastHashable = end - MIN_MATCH;
  while (ip <= lastHashable) {
    const word = load32(src, ip);
    const h = hash32(word);
    const candidate = table[h]!;
    table[h] = ip;
    if (candidate < 0 || load32(src, candidate) !== word) {
      // the longer the run without a match, the bigger the step: incompressible
      // input is skipped through quickly
      ip += 1 + ((ip - literalStart) >>> 5);
      continue;
    }
    op = emitLiteral(src, literalStart, ip, out, op);
    let len = MIN_MATCH;
    while (ip + len < end && src[candidate + len] === src[ip + len]) len++;
    op = emitCopy(ip - candidate, len, out, op);
    ip += len;
    literalStart = ip;
  }
  return emitLiteral(src, literalStart, end, out, op);
}

function emitLiteral(src: Uint8Array, start: number, end: number, out: Uint8Array, op: number): number {
  const n = end - start;
  if (n === 0) return op;
  const m = n - 1;
  if (m < 60) {
    out[op++] = m << 2;
  } else if (m < 0x100) {
    out[op++] = 60 << 2;
    out[op++] = m;
  } else if (m < 0x10000) {
    out[op++] = 61 << 2;
    out[op++] = m & 0xff;
    out[op++] = m >>> 8;
  } else if (m < 0x1000000) {
    out[op++] = 62 << 2;
    out[op++] = m & 0xff;
    out[op++] = (m >>> 8) & 0xff;
    out[op++] = m >>> 16;
  } else {
    out[op++] = 63 << 2;
    out[op++] = m & 0xff;
    out[op++] = (m >>> 8) & 0xff;
    out[op++] = (m >>> 16) & 0xff;
    out[op++] = m >>> 24;
  }
  out.set(src.subarray(start, end), op);
  return op + n;
}

/** Emits copies of `len` >= 4 bytes from `offset` < 65536 back. */
function emitCopy(offset: number, len: number, out: Uint8Array, op: number): number {
  // 64-byte pieces while at least 68 remain, so the last piece is never under 4
  while (len >= 68) {
    op = emitCopy2(offset, 64, out, op);
    len -= 64;
  }
  if (len > 64) {
    op = emitCopy2(offset, 60, out, op);
    len -= 60;
  }
  if (len < 12 && offset < 2048) {
    out[op++] = COPY_1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    out[op++] = offset & 0xff;
    return op;
  }
  return emitCopy2(offset, len, out, op);
}

function emitCopy2(offset: number, len: number, out: Uint8Array, op: number): number {
  out[op++] = COPY_2 | ((len - 1) << 2);
  out[op++] = offset & 0xff;
  out[op++] = offset >>> 8;
  return op;
}
