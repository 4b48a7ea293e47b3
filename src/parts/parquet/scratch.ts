// A typed array kept and grown for reuse, never shrunk. The flush worker
// decodes, scatters and encodes ~130 columns per flush through arrays that
// are garbage as soon as the column is written; fresh ones were ~2.5 GB of
// ArrayBuffers per million spans, and V8 starts a full GC after every 64 MB
// of them ("external memory pressure": ~44 a flush). A reused array costs
// neither the collection nor the fresh pages (docs/storage.md, session 12).
// Between flushes they are let go (releaseScratch): kept, they were resident
// memory the bound counted while nothing used them (session 13).

export class Scratch<A extends Uint8Array | Uint32Array | Int32Array> {
  private array: A;

  constructor(private readonly make: (length: number) => A) {
    this.array = make(0);
    everyScratch.push(this);
  }

  /** Lets go of the kept array (the next take makes one anew). */
  release(): void {
    if (this.array.length > 0) this.array = this.make(0);
  }

  get keptBytes(): number {
    return this.array.byteLength;
  }

  /** `length` elements, not cleared: valid until the next take. */
  take(length: number): A {
    if (this.array.length < length) this.array = this.make(Math.max(length, this.array.length * 2));
    return this.array.subarray(0, length) as A;
  }
}

/** Every Scratch of this thread: all of them module-level, living as long as the thread. */
const everyScratch: Scratch<Uint8Array | Uint32Array | Int32Array>[] = [];

/**
 * Lets go of every Scratch's array; returns the bytes they held. The flush's
 * worker calls it after each job: an idle worker then holds none of them.
 */
export function releaseScratch(): number {
  let bytes = 0;
  for (const scratch of everyScratch) {
    bytes += scratch.keptBytes;
    scratch.release();
  }
  return bytes;
}

/**
 * Arrays taken one after another from a kept array until reset() frees them
 * all at once: the decoded chunks of one column, one per staging file, live
 * together and are garbage once the column is written. An array that does
 * not fit is made fresh; at reset() the kept array grows to what the arrays
 * taken since the last one needed (not beyond `mostKept` elements: those
 * are left fresh), so memory holds one column's worth, not each file's
 * largest.
 */
export class ScratchArena<A extends Uint8Array | Uint32Array> {
  private array: A;
  /** elements taken from `array` since reset() */
  private used = 0;
  /** elements the arrays taken since reset() would have needed in one array */
  private needed = 0;

  constructor(
    private readonly make: (length: number) => A,
    private readonly mostKept: number,
  ) {
    this.array = make(0);
  }

  /** `length` elements, not cleared, starting at a multiple of 8 bytes: valid until reset(). */
  take(length: number): A {
    // 8-byte starts: fixed-width values are read in 32-bit lanes (sorted-run.ts)
    this.needed = this.alignedTo8Bytes(this.needed) + length;
    const at = this.alignedTo8Bytes(this.used);
    if (at + length > this.array.length) return this.make(length);
    this.used = at + length;
    return this.array.subarray(at, at + length) as A;
  }

  /** Frees every array taken (callers read them no more); grows the kept array to what they needed, unless that is more than mostKept. */
  reset(): void {
    if (this.needed > this.array.length && this.needed <= this.mostKept) this.array = this.make(this.needed);
    this.used = 0;
    this.needed = 0;
  }

  private alignedTo8Bytes(elements: number): number {
    const per8Bytes = 8 / this.array.BYTES_PER_ELEMENT;
    return Math.ceil(elements / per8Bytes) * per8Bytes;
  }
}
