import { Transform, type Duplex, type TransformCallback } from 'node:stream';
import { compressionError } from './compression-error.js';
import { lendFresh, releaseChunk } from '../stream/read-buffers.js';

/**
 * Decoded bytes per threadpool round trip for node:zlib's decoders (gunzip, and zstd on
 * node:zlib). Every decoded chunk costs a round trip plus a turn of everything after the
 * decoder (the diff_id's blocks, the tar walker, the stream stages between). Against 64
 * KiB, whole commands: a gzip -> zstd copy 6-7 % less CPU and 8-10 % less time on Node
 * 20, 22 and 24; `ferry layers` / `lint` of a 429 MB image 14 / 13 % less time on Node 20,
 * 16 / 21 % on Node 24; peak RSS within a few MB (docs/benchmarks.md, "Decoded chunks of
 * 256 KiB"). 128 KiB gained less on Node 20 and 22; 1 MiB nothing more, for ~7 MB more.
 */
export const ZLIB_DECODE_CHUNK = 256 * 1024;

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
      // a full output buffer is node:zlib's no more (it takes a new one): whoever writes
      // the chunk out can free it at once (lendFresh)
      if (!this.push(lendFresh(chunk))) inner.pause();
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
    // once zlib has consumed it, a chunk that is a view of a pooled read buffer (a socket
    // or file read) is handed back: the buffer is read into again instead of collected
    this.writeInner([chunk], cb, () => releaseChunk(chunk));
  }

  /**
   * Writes each piece as its own inner write (the zstd frame splitter relies on that);
   * `consumed` runs once zlib has processed the last piece.
   */
  protected writeInner(pieces: readonly Buffer[], cb: TransformCallback, consumed?: () => void): void {
    let ok = true;
    pieces.forEach((piece, i) => {
      ok = this.inner.write(piece, i === pieces.length - 1 ? consumed : undefined);
    });
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
