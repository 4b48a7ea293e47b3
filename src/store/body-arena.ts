// Request bodies in one SharedArrayBuffer that the main thread and the
// trace ingest thread both see: a body is read (or copied) into a slot, the
// thread decodes it where it lies, the WAL writes it from there, and the
// slot is handed back once the record is durable. Why: a body of its own per
// request (~360 KB for 1000 loadgen spans), moved to the thread and lent back
// for the WAL, was new external memory in both isolates on every request;
// V8 answers that with collections ("external memory pressure" scavenges and
// mark-compacts on the main thread, docs/storage.md "Request bodies in a
// shared arena"). A slot is a view; nothing is allocated per request.
//
// Slots are taken in a ring, in request order, and mostly given back in that
// order (the WAL commits in order): the space behind the oldest slot still
// held is free. A body that does not fit (too large, or the ring full of
// slow requests) gets no slot: the caller keeps its own buffer, as before.

/** A body's place in the arena; `bytes` is valid until release(). */
export interface ArenaSlot {
  readonly bytes: Uint8Array;
  readonly offset: number;
  /** Gives the space back (once; later calls do nothing). */
  release(): void;
}

interface HeldSlot extends ArenaSlot {
  released: boolean;
}

export class BodyArena {
  readonly buffer: SharedArrayBuffer;
  private readonly size: number;
  /** slots held or released but not yet passed by the oldest held one, oldest first, from index `first` */
  private slots: HeldSlot[] = [];
  private first = 0;
  /** end of the newest slot */
  private head = 0;

  constructor(bytes: number) {
    this.buffer = new SharedArrayBuffer(bytes);
    this.size = bytes;
  }

  /** A slot of `length` bytes, or undefined when there is no room for it. */
  reserve(length: number): ArenaSlot | undefined {
    if (length <= 0 || length > this.size) return undefined;
    let at: number;
    if (this.first === this.slots.length) {
      at = 0;
    } else {
      const tail = this.slots[this.first]!.offset;
      if (this.head > tail) {
        // [head, size) then [0, tail) are free
        if (this.size - this.head >= length) at = this.head;
        else if (tail >= length) at = 0;
        else return undefined;
      } else {
        // wrapped: [head, tail) is free
        if (tail - this.head >= length) at = this.head;
        else return undefined;
      }
    }
    this.head = at + length;
    const slot: HeldSlot = {
      bytes: new Uint8Array(this.buffer, at, length),
      offset: at,
      released: false,
      release: () => this.release(slot),
    };
    this.slots.push(slot);
    return slot;
  }

  /** Bytes between the oldest held slot and the end of the newest (0 when none is held). */
  get heldBytes(): number {
    if (this.first === this.slots.length) return 0;
    const tail = this.slots[this.first]!.offset;
    return this.head > tail ? this.head - tail : this.size - tail + this.head;
  }

  private release(slot: HeldSlot): void {
    if (slot.released) return;
    slot.released = true;
    while (this.first < this.slots.length && this.slots[this.first]!.released) this.first++;
    if (this.first === this.slots.length) {
      this.slots = [];
      this.first = 0;
      this.head = 0;
    } else if (this.first > 64) {
      this.slots = this.slots.slice(this.first);
      this.first = 0;
    }
  }
}
