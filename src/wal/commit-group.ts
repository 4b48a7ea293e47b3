/**
 * Records that become durable together: written with one writev, synced with
 * one fdatasync. Every append in the group shares one `durable` promise, so a
 * group of thousands costs one promise, not thousands.
 */
export class CommitGroup {
  readonly frames: Buffer[] = [];
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

  add(frame: Buffer): void {
    this.frames.push(frame);
    this.bytes += frame.length;
  }
}
