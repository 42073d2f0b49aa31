import { close, open, read } from 'node:fs';
import { addAbortSignal, Readable } from 'node:stream';
import { lendView, nextReadBuffer } from './read-buffers.js';

/**
 * Bytes [start, start + length) of a file as a stream, read into the reused buffers of
 * read-buffers.ts where fs.createReadStream takes a fresh buffer for every read: an
 * upload of a layout's blob hands each chunk back once written, as it does with a
 * registry download's (docs/benchmarks.md, "Socket reads into reused buffers"). Like
 * createReadStream, a file shorter than the range ends the stream early; the digest
 * and size checks downstream say so.
 */
export class FileRangeStream extends Readable {
  private fd: number | undefined;
  private buf: Buffer | undefined;

  constructor(
    private readonly file: string,
    private pos: number,
    private left: number,
  ) {
    super({ highWaterMark: 64 * 1024 });
  }

  override _construct(cb: (e?: Error | null) => void): void {
    open(this.file, 'r', (e, fd) => {
      if (e) return cb(e);
      this.fd = fd;
      cb();
    });
  }

  override _read(): void {
    if (this.left <= 0) {
      this.push(null);
      return;
    }
    const buf = (this.buf = nextReadBuffer(this.buf));
    read(this.fd!, buf, 0, Math.min(buf.length, this.left), this.pos, (e, n) => {
      if (e) return void this.destroy(e);
      if (n === 0) return void this.push(null);
      this.pos += n;
      this.left -= n;
      this.push(lendView(buf, 0, n));
    });
  }

  override _destroy(e: Error | null, cb: (e?: Error | null) => void): void {
    if (this.fd === undefined) return cb(e);
    const fd = this.fd;
    this.fd = undefined;
    close(fd, () => cb(e));
  }
}

/** A byte range of a file as a stream, ended early by `signal`. */
export function fileRange(file: string, start: number, length: number, signal?: AbortSignal): Readable {
  const stream = new FileRangeStream(file, start, length);
  return signal ? addAbortSignal(signal, stream) : stream;
}
