import { createRequire } from 'node:module';
import { Duplex } from 'node:stream';
import { FerryError } from '../errors.js';
import { lendView, nextReadBuffer, READ_BUFFER_SIZE, releaseChunk } from '../stream/read-buffers.js';
import { compressionError, label } from './compression-error.js';
import { napiBindingPath } from './zstd-napi-worker.js';

/**
 * Decoded bytes per output buffer: a pooled read buffer (src/stream/read-buffers.ts), pushed
 * as a lent view, never copied again. A consumer that copies it (parallel compression)
 * hands it back, so a zstd → gzip copy stops allocating (and collecting) one per 256 KiB.
 */
const OUT = READ_BUFFER_SIZE;
/**
 * Decoded bytes per turn of the event loop. libzstd decodes ~1 GB/s on one core here, so
 * a turn costs about a millisecond; then sockets, timers and hashing get their turn.
 */
const SLICE = 1024 * 1024;

interface DCtx {
  decompressStream(dst: Uint8Array, src: Uint8Array): [ret: number, produced: number, consumed: number];
}
interface Binding {
  DCtx: new () => DCtx;
}

let binding: Binding | undefined;

/**
 * zstd decoding on the calling thread, in slices of at most SLICE decoded bytes.
 *
 * Decoding in a worker thread cost more than decoding itself: for 641 MB of tar the
 * messages to and from the worker took ~0.7 CPU-s of the main thread, libzstd ~0.5 CPU-s
 * in the workers, plus ~10 MB of RSS per worker isolate. Compression stays in workers
 * (level 19 takes ~70 ms per 64 KiB); decoding is ~1 ms per slice.
 *
 * Backpressure holds both ways: the rest of an input chunk waits while our readable side
 * is full, so a frame of zeros (~30000:1) never becomes gigabytes in memory.
 */
export class NapiDecompressStream extends Duplex {
  private readonly dctx: DCtx;
  private readonly what: string;
  private pending: Buffer | undefined;
  /** The chunk `pending` is the rest of: handed back (a pooled read buffer's view) once decoded. */
  private input: Buffer | undefined;
  private pendingCallback: ((error?: Error | null) => void) | undefined;
  /** Inside a frame: the stream may not end here. */
  private inFrame = false;
  private scheduled = false;
  /** The buffer decoded into last; used again while it has lent nothing. */
  private out: Buffer | undefined;

  constructor(what?: string) {
    // A Duplex, not a Transform: Transform parks the write callback of a chunk finished
    // while the readable side is full until a _read that may already have happened, and
    // a decoder that finishes chunks asynchronously then stalls for good.
    super({ readableHighWaterMark: SLICE });
    this.what = label(what, 'zstd decompression (napi)');
    binding ??= createRequire(import.meta.url)(napiBindingPath()) as Binding;
    this.dctx = new binding.DCtx();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (error?: Error | null) => void): void {
    // An empty write says nothing; fed to libzstd at a frame boundary it would look mid-frame.
    if (chunk.length === 0) {
      cb();
      return;
    }
    this.pending = chunk;
    this.input = chunk;
    this.pendingCallback = cb;
    this.decode();
  }

  override _final(cb: (error?: Error | null) => void): void {
    if (this.inFrame) {
      cb(new FerryError('ERR_COMPRESSION', `${this.what}: stream ends inside a zstd frame (truncated)`));
      return;
    }
    this.push(null);
    cb();
  }

  override _read(): void {
    // Never decode inside _read: a flowing reader calls it again and again in one turn.
    if (this.pending) this.schedule();
  }

  /** Decodes `pending` until it is used up, a slice is done, or our reader is full. */
  private decode(): void {
    let produced = 0;
    let room = true;
    try {
      while (this.pending && room) {
        const dst = (this.out = nextReadBuffer(this.out));
        const [ret, written, consumed] = this.dctx.decompressStream(dst, this.pending);
        this.pending = this.pending.subarray(consumed);
        if (written > 0) room = this.push(lendView(dst, 0, written));
        produced += written;
        // A full dst may have more to come from inside the decoder, unless the frame ended
        // (ret 0): asked again, libzstd would answer for the next frame's header.
        if (this.pending.length === 0 && (written < OUT || ret === 0)) {
          this.inFrame = ret !== 0;
          this.pending = undefined;
          if (this.input) releaseChunk(this.input);
          this.input = undefined;
          const cb = this.pendingCallback;
          this.pendingCallback = undefined;
          cb?.();
          return;
        }
        if (produced >= SLICE) break;
      }
    } catch (err) {
      this.pending = undefined;
      this.destroy(compressionError(err, this.what));
      return;
    }
    // Not finished with this chunk: continue on a later turn, or when our reader asks.
    if (room) this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.pending && !this.destroyed) this.decode();
    });
  }
}
