import { Transform, type TransformCallback } from 'node:stream';

/**
 * A running byte count reported at most every `intervalMs` (and once at the end), so a
 * progress sink is not called per 16 KiB chunk.
 */
export class ProgressCounter {
  private bytes = 0;
  private last = 0;
  constructor(
    private readonly report: (bytes: number) => void,
    private readonly intervalMs = 100,
  ) {}

  add(n: number): void {
    this.bytes += n;
    const now = Date.now();
    if (now - this.last >= this.intervalMs) {
      this.last = now;
      this.report(this.bytes);
    }
  }

  end(): void {
    this.report(this.bytes);
  }
}

/** A ProgressCounter as a pass-through stream. */
export class ProgressStream extends Transform {
  private readonly counter: ProgressCounter;
  constructor(report: (bytes: number) => void, intervalMs = 100) {
    super();
    this.counter = new ProgressCounter(report, intervalMs);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.counter.add(chunk.length);
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    this.counter.end();
    cb();
  }
}
