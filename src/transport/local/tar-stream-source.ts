import type { Readable } from 'node:stream';
import type { TarSource } from './tar-walk.js';

/**
 * A TarSource over a stream (a decompressor's output). Entry data is handed on chunk by
 * chunk as it arrives, never gathered, so an entry of any size costs one chunk of memory.
 */
export class StreamTarSource implements TarSource {
  position = 0;
  private buf: Buffer = Buffer.alloc(0);
  private readonly it: AsyncIterator<Buffer>;
  private ended = false;

  constructor(stream: Readable) {
    this.it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.it.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.buf = this.buf.length ? Buffer.concat([this.buf, next.value]) : next.value;
    return true;
  }

  /** For headers and other small reads only: gathers `n` bytes in one buffer. */
  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n && (await this.fill()));
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(out.length);
    this.position += out.length;
    return out;
  }

  /** The next `n` bytes as they arrive; stops early only when the input ends. */
  async *chunks(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0 && !(await this.fill())) return;
      const piece = this.buf.subarray(0, Math.min(left, this.buf.length));
      this.buf = this.buf.subarray(piece.length);
      this.position += piece.length;
      left -= piece.length;
      yield piece;
    }
  }

  async skip(n: number): Promise<boolean> {
    const target = this.position + n;
    for await (const _piece of this.chunks(n));
    return this.position === target;
  }

  /** Stops the stream underneath (a pass no longer needed). */
  async close(): Promise<void> {
    this.ended = true;
    await this.it.return?.();
  }
}
