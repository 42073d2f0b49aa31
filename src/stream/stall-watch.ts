import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes an upload body through and fails it when the reader (the HTTP client writing
 * to the destination) has left data waiting, untaken, for `stallMs`: the destination
 * stopped reading. Time spent waiting for the source does not count, since nothing is
 * waiting then; a stalled source is the download side's own timeout to catch.
 */
export class StallWatch extends Transform {
  private received = 0;
  private lastTaken = 0;
  private lastMove = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly stallMs: number,
    private readonly onStall: () => Error,
  ) {
    super();
    this.timer = setInterval(() => this.check(), Math.max(50, Math.min(1000, stallMs / 4)));
    this.timer.unref();
    this.once('end', () => clearInterval(this.timer));
    this.once('close', () => clearInterval(this.timer));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.received += chunk.length;
    cb(null, chunk);
  }

  private check(): void {
    const waiting = this.readableLength + this.writableLength;
    const taken = this.received - this.readableLength;
    const now = Date.now();
    if (taken !== this.lastTaken || waiting === 0) {
      this.lastTaken = taken;
      this.lastMove = now;
      return;
    }
    if (now - this.lastMove >= this.stallMs) this.destroy(this.onStall());
  }
}
