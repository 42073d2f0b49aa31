import { Transform, type Duplex, type TransformCallback } from 'node:stream';
import { compressionError } from './compression-error.js';

/**
 * Presents a node:zlib stream as a Transform whose errors are ERR_COMPRESSION.
 *
 * Errors cannot be rewritten once a library stream emits them, and pipeline() reports
 * the first stream error it sees, so the codec's stream must be one ferry owns. The
 * inner stream keeps doing the work in the libuv threadpool; backpressure is carried
 * both ways: our writes wait for the inner 'drain', and the inner readable is paused
 * while our readable buffer is full.
 */
export class WrappedTransform extends Transform {
  private flushCallback: TransformCallback | undefined;

  constructor(
    protected readonly inner: Duplex,
    protected readonly what: string,
  ) {
    super();
    inner.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) inner.pause();
    });
    inner.once('end', () => {
      const cb = this.flushCallback;
      this.flushCallback = undefined;
      cb?.();
    });
    // 'on', not 'once': a second error from a dying zlib handle must not become uncaught.
    inner.on('error', (err) => this.destroy(compressionError(err, what)));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.writeInner([chunk], cb);
  }

  /** Writes each piece as its own inner write (the zstd frame splitter relies on that). */
  protected writeInner(pieces: readonly Buffer[], cb: TransformCallback): void {
    let ok = true;
    for (const piece of pieces) ok = this.inner.write(piece);
    if (ok) cb();
    else this.inner.once('drain', () => cb());
  }

  override _flush(cb: TransformCallback): void {
    this.flushCallback = cb;
    this.inner.end();
  }

  override _read(size: number): void {
    this.inner.resume();
    super._read(size);
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.inner.destroy();
    cb(err);
  }
}
