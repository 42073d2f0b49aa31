/**
 * Read buffers that are used again once the body chunks cut from them have been written
 * out. Node's default is a fresh 64 KiB buffer for every socket or file read, freed in
 * bulk by GC: a 200 MB blob copy then spends more CPU on the allocator, page faults and
 * GC than on reading (docs/benchmarks.md, "Socket reads into reused buffers").
 *
 * A reader lends views (body chunks) of a buffer; whoever is done with a chunk hands it
 * back with `releaseChunk`, and the buffer returns to the free list when every view of it
 * is back. The consumers that do: the upload pump and the layout writer once the write
 * is done, parallel compression once the chunk is copied into its block, the decoders
 * once they have consumed it. A chunk that goes to a consumer that never hands it back
 * (tar-stream, a concatenation) simply keeps its buffer, which GC frees as before:
 * releasing is an optimisation, never a requirement. Releasing a chunk that is still
 * referenced is the one thing that must not happen, so only the last holder of a chunk
 * releases it, and only chunks this module lent count.
 */

/**
 * 256 KiB: a loopback or LAN socket usually has that much waiting, so each read, each body
 * chunk through the stream stages and each write to the upload carries 4× Node's 64 KiB.
 * Per fresh registry → registry copy (bench/copy-cpu.mjs, 6 rounds): 64 KiB 0.88 CPU-s,
 * 128 KiB 0.75, 256 KiB 0.68, 512 KiB 0.68 (+11 MB RSS), 1 MiB 0.75 (+31 MB).
 */
export const READ_BUFFER_SIZE = 256 * 1024;
/** At most this many idle buffers are kept (4 MiB). */
const MAX_FREE = 16;

const free: Buffer[] = [];
/** Views lent and not yet handed back, per buffer. */
const outstanding = new WeakMap<ArrayBufferLike, number>();
/** The views themselves, so a view handed back twice counts once. */
const lent = new WeakSet<Buffer>();
/**
 * Buffer objects handed out by takeReadBuffer that have lent no view yet. Tracked per
 * object, not per memory: the free list wraps returned memory in a new Buffer, so a
 * reader still holding the old object never passes for its owner once the memory has
 * gone back to the pool and out to another reader.
 */
const unlent = new WeakSet<Buffer>();

/** A buffer to read into: an idle one, or a new one. */
export function takeReadBuffer(): Buffer {
  const buf = free.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER_SIZE);
  unlent.add(buf);
  return buf;
}

/**
 * The buffer a reader reads into next: the one it read into last when that lent no view
 * (it held a response head, a chunk-size line), else another from the pool. A buffer
 * that lent a view goes back to the pool when the views come back, never straight to
 * the reader that holds it, so no two readers ever share one.
 */
export function nextReadBuffer(last: Buffer | undefined): Buffer {
  if (last && unlent.has(last)) return last;
  return takeReadBuffer();
}

/** Whether `chunk` is a view this module lent and that has not been handed back. */
export function isLentChunk(chunk: Buffer): boolean {
  return lent.has(chunk);
}

/** Whether views of `buf` are still out. */
export function isLent(buf: Buffer): boolean {
  return outstanding.has(buf.buffer);
}

/** A view of `buf` [start, end) lent to a consumer, to be handed back with releaseChunk. */
export function lendView(buf: Buffer, start: number, end: number): Buffer {
  outstanding.set(buf.buffer, (outstanding.get(buf.buffer) ?? 0) + 1);
  unlent.delete(buf);
  const view = buf.subarray(start, end);
  lent.add(view);
  return view;
}

/** Owners of memory lent with lendToOwner, called when every view of it is back. */
const owners = new WeakMap<ArrayBufferLike, (memory: ArrayBuffer) => void>();

/**
 * Lends `buf` whole, like lendView, for memory that is not a read buffer: once the view
 * is handed back, `back` gets the memory to use again (a compressor's output buffer).
 */
export function lendToOwner(buf: Buffer, back: (memory: ArrayBuffer) => void): Buffer {
  owners.set(buf.buffer, back);
  return lendView(buf, 0, buf.length);
}

/** ArrayBuffer.prototype.transfer: Node >= 22 (V8 11.4); @types/node 20 lacks it. */
type Transferable = ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };

/** Whether lendFresh can free memory on this runtime (Node >= 22); on Node 20 it lends nothing. */
export const freesFreshMemory = typeof (ArrayBuffer.prototype as Transferable).transfer === 'function';

/** Below this, fresh memory is left to GC: the bookkeeping would cost more than it saves. */
const FRESH_MIN = 64 * 1024;

/** Fresh memory lent piece by piece; `filled` once a piece reached its end. */
const fresh = new WeakMap<ArrayBufferLike, { filled: boolean }>();

/**
 * Lends a piece of memory that its writer fills from the start and lets go of once full,
 * and that nobody else holds: node:zlib's output buffer (one piece when a write fills it,
 * two or more when the input runs out first), a native compressor's result. Once the
 * buffer is full and every piece is handed back, the memory is freed at once (detached
 * with `transfer(0)`). Left to GC, such memory is freed late on Node 24: a gzip -> zstd
 * copy held ~25 MB more RSS than on Node 22, all of it main-thread ArrayBuffers. Any other
 * chunk, and every chunk on Node 20 (no `transfer`), is returned as it is.
 */
export function lendFresh(chunk: Buffer): Buffer {
  const ab = chunk.buffer as Transferable;
  if (!freesFreshMemory || ab.byteLength < FRESH_MIN || lent.has(chunk)) return chunk;
  let state = fresh.get(ab);
  if (!state) {
    // only memory seen from its first byte, and not lent in any other way
    if (chunk.byteOffset !== 0 || outstanding.has(ab) || owners.has(ab)) return chunk;
    state = { filled: false };
    fresh.set(ab, state);
  } else if (state.filled) return chunk;
  if (chunk.byteOffset + chunk.byteLength === ab.byteLength) state.filled = true;
  return lendView(chunk, 0, chunk.length);
}

/**
 * Hands back a chunk whose bytes are no longer needed (written out). Anything else
 * (a chunk this module did not lend, one already handed back) is ignored.
 */
export function releaseChunk(chunk: Buffer): void {
  if (!lent.delete(chunk)) return;
  const ab = chunk.buffer;
  const n = outstanding.get(ab);
  if (n === undefined) return;
  if (n > 1) {
    outstanding.set(ab, n - 1);
    return;
  }
  outstanding.delete(ab);
  const state = fresh.get(ab);
  if (state) {
    // the writer may still fill the rest of it
    if (!state.filled) return;
    fresh.delete(ab);
    (ab as Transferable).transfer?.(0);
    return;
  }
  const owner = owners.get(ab);
  if (owner) {
    owners.delete(ab);
    owner(ab as ArrayBuffer);
    return;
  }
  if (free.length < MAX_FREE && ab.byteLength === READ_BUFFER_SIZE) free.push(Buffer.from(ab as ArrayBuffer, 0, READ_BUFFER_SIZE));
}

/** For tests: idle buffers held. */
export function idleReadBuffers(): number {
  return free.length;
}
