import { close, fsync, open, write, writev } from 'node:fs';
import { Writable } from 'node:stream';
import { releaseChunk } from './read-buffers.js';

/**
 * A new file (`wx`: never an existing one) written from a stream and synced to disk
 * before it counts as finished, as `fs.createWriteStream(path, { flags: 'wx', flush: true })`
 * writes it, except that each chunk is handed back to the read-buffer pool once written
 * (src/stream/read-buffers.ts): a blob downloaded into a layout then reads through a few
 * reused buffers instead of a fresh one per socket read.
 */
export class FileSink extends Writable {
  private fd: number | undefined;

  constructor(private readonly path: string) {
    super({ highWaterMark: 64 * 1024 });
  }

  override _construct(cb: (e?: Error | null) => void): void {
    open(this.path, 'wx', (e, fd) => {
      if (e) return cb(e);
      this.fd = fd;
      cb();
    });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    writeAll(this.fd!, chunk, 0, (e) => {
      if (!e) releaseChunk(chunk);
      cb(e);
    });
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (e?: Error | null) => void): void {
    const buffers = chunks.map((c) => c.chunk);
    const total = buffers.reduce((n, b) => n + b.length, 0);
    writev(this.fd!, buffers, (e, written) => {
      if (e) return cb(e);
      if (written === total) {
        for (const b of buffers) releaseChunk(b);
        return cb();
      }
      // a short write (rare for files): write the rest chunk by chunk
      this.writeRest(buffers, written, cb);
    });
  }

  private writeRest(buffers: Buffer[], skip: number, cb: (e?: Error | null) => void): void {
    const next = (i: number, offset: number): void => {
      if (i === buffers.length) {
        for (const b of buffers) releaseChunk(b);
        return cb();
      }
      const b = buffers[i]!;
      if (offset >= b.length) return next(i + 1, offset - b.length);
      writeAll(this.fd!, b, offset, (e) => (e ? cb(e) : next(i + 1, 0)));
    };
    next(0, skip);
  }

  override _final(cb: (e?: Error | null) => void): void {
    fsync(this.fd!, (e) => cb(e));
  }

  /**
   * Resolves once the sink has closed. A pipeline that fails early (its source breaks at
   * once) can settle while the file's open is still pending; a caller that removes the
   * file then would see it created a moment later and left behind. Destroys the sink if
   * nothing has.
   */
  settled(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const closing = new Promise<void>((resolve) => this.once('close', () => resolve()));
    if (!this.destroyed) this.destroy();
    return closing;
  }

  override _destroy(e: Error | null, cb: (e?: Error | null) => void): void {
    if (this.fd === undefined) return cb(e);
    const fd = this.fd;
    this.fd = undefined;
    close(fd, (closeError) => cb(e ?? closeError));
  }
}

function writeAll(fd: number, buf: Buffer, offset: number, cb: (e: Error | null) => void): void {
  write(fd, buf, offset, buf.length - offset, null, (e, n) => {
    if (e) return cb(e);
    if (offset + n < buf.length) return writeAll(fd, buf, offset + n, cb);
    cb(null);
  });
}
