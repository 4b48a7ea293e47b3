// Little-endian and varint reads of page bytes, shared by the readers of
// our Parquet pages (staging chunks, the page reader, the merge's shift).

export function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** An unsigned LEB128 varint at bytes[state.pos…] (up to 64 bits), state.pos moved past it. */
export function readVarint(bytes: Uint8Array, state: { pos: number }): bigint {
  let out = 0n;
  for (let shift = 0n; ; shift += 7n) {
    if (state.pos >= bytes.length) throw new Error('parquet: a varint runs past the end of its page');
    const b = bytes[state.pos++]!;
    out |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return out;
  }
}

/** A zigzag-encoded value back to its signed value. */
export const unzigzag = (v: bigint): bigint => (v >> 1n) ^ -(v & 1n);
