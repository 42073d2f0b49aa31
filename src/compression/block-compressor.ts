/**
 * Compresses one whole block into one self-contained gzip member or zstd frame, off the
 * main thread. parallelCompress() runs several of these at once and concatenates the
 * results in input order.
 */
export interface BlockCompressor {
  /**
   * Takes ownership of `block`: a worker-based implementation transfers its memory, so
   * the caller must not touch the buffer afterwards; it gets the memory back as
   * `reusable` (allocate blocks with Buffer.allocUnsafeSlow, not from Node's pool).
   */
  compress(block: Buffer): Promise<CompressedBlock>;
  /** Frees workers and rejects blocks not yet started. Safe to call twice. */
  close(): void;
}

export interface CompressedBlock {
  output: Buffer;
  /**
   * The input block's memory, free for the next block. Recycling it keeps a long stream
   * at a fixed set of buffers instead of leaving one dead block per block for the GC.
   * Absent when `output` shares that memory.
   */
  reusable?: Buffer;
}

type ZlibOneShot = (
  block: Buffer,
  callback: (err: Error | null, out: Buffer) => void,
) => void;

/**
 * node:zlib's callback API runs in the libuv threadpool, so no worker threads are needed.
 * At most `concurrency` blocks are handed to the pool at once: more would only make the
 * oldest block, which the output is waiting for, share its core.
 */
export function threadpoolBlockCompressor(oneShot: ZlibOneShot, concurrency: number): BlockCompressor {
  let closed = false;
  let active = 0;
  const queue: (() => void)[] = [];
  const next = (): void => {
    active--;
    queue.shift()?.();
  };
  return {
    compress(block) {
      if (closed) return Promise.reject(new Error('block compressor closed'));
      return new Promise((resolve, reject) => {
        const run = (): void => {
          active++;
          if (closed) {
            next();
            reject(new Error('block compressor closed'));
            return;
          }
          oneShot(block, (err, out) => {
            next();
            if (err) reject(err);
            else resolve({ output: out, reusable: block });
          });
        };
        if (active < concurrency) run();
        else queue.push(run);
      });
    },
    close() {
      closed = true;
      // Queued blocks start only to see `closed` and reject.
      for (const run of queue.splice(0)) run();
    },
  };
}
