import { Transform, type TransformCallback } from 'node:stream';

/**
 * Counts bytes and reports at most every `intervalMs` (and once at the end), so a
 * progress sink is not called per 16 KiB chunk.
 */
export class ProgressStream extends Transform {
  private bytes = 0;
  private last = 0;
  constructor(
    private readonly report: (bytes: number) => void,
    private readonly intervalMs = 100,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    const now = Date.now();
    if (now - this.last >= this.intervalMs) {
      this.last = now;
      this.report(this.bytes);
    }
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    this.report(this.bytes);
    cb();
  }
}
