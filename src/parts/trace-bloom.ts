// A bloom filter of the trace ids in one part, kept in a small immutable file
// beside it, so a trace lookup opens only the parts that may hold the trace.
// Trace ids are random already, so their own bytes serve as the hash
// (double hashing over two 32-bit words, Kirsch–Mitzenmacher).
//
// File: "MQBLOOM1" (8 bytes) | u32 bit count | u32 hash count | bits

import { readFile, writeFile, rename } from 'node:fs/promises';

const MAGIC = 'MQBLOOM1';
const BITS_PER_ID = 10; // ≈1% false positives with 7 hashes
const HASHES = 7;

export class TraceBloom {
  private constructor(private readonly bits: Uint8Array, private readonly bitCount: number, private readonly hashes: number) {}

  static build(ids: Uint8Array, count: number): TraceBloom {
    const bitCount = Math.max(64, count * BITS_PER_ID);
    const bloom = new TraceBloom(new Uint8Array(Math.ceil(bitCount / 8)), bitCount, HASHES);
    for (let i = 0; i < count; i++) bloom.add(ids, i * 16);
    return bloom;
  }

  private positions(id: Uint8Array, offset: number, visit: (bit: number) => boolean): boolean {
    const view = new DataView(id.buffer, id.byteOffset + offset, 16);
    const h1 = view.getUint32(0, true) ^ view.getUint32(8, true);
    const h2 = (view.getUint32(4, true) ^ view.getUint32(12, true)) | 1;
    for (let k = 0; k < this.hashes; k++) {
      const bit = (h1 + Math.imul(k, h2)) >>> 0;
      if (!visit(bit % this.bitCount)) return false;
    }
    return true;
  }

  private add(id: Uint8Array, offset: number): void {
    this.positions(id, offset, (b) => {
      this.bits[b >>> 3]! |= 1 << (b & 7);
      return true;
    });
  }

  mayContain(id: Uint8Array): boolean {
    return this.positions(id, 0, (b) => (this.bits[b >>> 3]! & (1 << (b & 7))) !== 0);
  }

  encode(): Uint8Array {
    const out = new Uint8Array(16 + this.bits.length);
    out.set(Buffer.from(MAGIC, 'latin1'), 0);
    const view = new DataView(out.buffer);
    view.setUint32(8, this.bitCount, true);
    view.setUint32(12, this.hashes, true);
    out.set(this.bits, 16);
    return out;
  }

  static decode(bytes: Uint8Array): TraceBloom {
    if (bytes.length < 16 || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== MAGIC) {
      throw new Error('bloom: not a marquetry trace bloom file');
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const bitCount = view.getUint32(8, true);
    const hashes = view.getUint32(12, true);
    return new TraceBloom(bytes.slice(16), bitCount, hashes);
  }

  static async read(path: string): Promise<TraceBloom> {
    return TraceBloom.decode(await readFile(path));
  }

  async write(path: string): Promise<void> {
    await writeFile(`${path}.tmp`, this.encode(), { flush: true });
    await rename(`${path}.tmp`, path);
  }
}
