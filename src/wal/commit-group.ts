/**
 * Records that become durable together: written with one writev, synced with
 * one fdatasync. Every append in the group shares one `durable` promise, so a
 * group of thousands costs one promise, not thousands. A record is its
 * header and its payload as the caller gave it (not copied: the caller
 * leaves it alone until the record is durable).
 */
export class CommitGroup {
  readonly headers: Buffer[] = [];
  readonly payloads: Uint8Array[] = [];
  bytes = 0;
  readonly durable: Promise<void>;
  resolve!: () => void;
  reject!: (error: Error) => void;

  constructor(
    /** Seq of frames[0]; the rest follow consecutively. */
    readonly firstSeq: number,
  ) {
    this.durable = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A caller that drops `durable` must not crash the process with an
    // unhandled rejection; callers that await it still see the error.
    this.durable.catch(() => undefined);
  }

  add(header: Buffer, payload: Uint8Array): void {
    this.headers.push(header);
    this.payloads.push(payload);
    this.bytes += header.length + payload.length;
  }

  get records(): number {
    return this.headers.length;
  }

  /** Bytes of record `i`, header included. */
  recordBytes(i: number): number {
    return this.headers[i]!.length + this.payloads[i]!.length;
  }

  /** Records [from, to) as the buffers to write, in order. */
  buffers(from: number, to: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = from; i < to; i++) out.push(this.headers[i]!, this.payloads[i]!);
    return out;
  }
}
