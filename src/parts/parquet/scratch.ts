// A typed array kept and grown for reuse, never shrunk. The flush worker
// decodes, scatters and encodes ~130 columns per flush through arrays that
// are garbage as soon as the column is written; fresh ones were ~2.5 GB of
// ArrayBuffers per million spans, and V8 starts a full GC after every 64 MB
// of them ("external memory pressure": ~44 a flush). A reused array costs
// neither the collection nor the fresh pages (docs/storage.md, session 12).

export class Scratch<A extends Uint8Array | Uint32Array | Int32Array> {
  private array: A;

  constructor(private readonly make: (length: number) => A) {
    this.array = make(0);
  }

  /** `length` elements, not cleared: valid until the next take. */
  take(length: number): A {
    if (this.array.length < length) this.array = this.make(Math.max(length, this.array.length * 2));
    return this.array.subarray(0, length) as A;
  }
}
