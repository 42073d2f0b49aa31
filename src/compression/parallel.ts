import { availableParallelism } from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import type { BlockCompressor } from './block-compressor.js';
import { getCodec, type CodecOptions, type CompressionName } from './codec.js';
import { compressionError } from './compression-error.js';
import { resolveLevel } from './level.js';

const MiB = 1024 * 1024;

/**
 * Uncompressed bytes per member / frame when the caller does not say. Independent blocks
 * cannot refer back across a boundary, which costs gzip (32 KiB window) nothing but costs
 * zstd more the larger its window, i.e. the higher the level. Measured on a 388 MB tar,
 * output size vs one stream: gzip -6 at 4 MiB +0.03%; zstd -3 at 4/8/16 MiB +1.65/+0.38/
 * -0.33%, zstd -6 at 16 MiB +0.28%, zstd -9 at 16/32 MiB +1.51/+0.45% (zstd-napi; node:zlib
 * loses up to twice that, docs/decisions.md). Each step is the smallest block that keeps
 * the loss near 0.5%, since memory is (2 x workers + 1) blocks.
 *
 * The block size is part of the output's identity: the same input, backend, level and
 * block size give the same bytes (and digest) whatever the worker count or chunking, so
 * it must never depend on the machine.
 */
export function defaultBlockSize(format: CompressionName, level: number): number {
  if (format !== 'zstd') return 4 * MiB;
  if (level <= 3) return 8 * MiB;
  if (level <= 8) return 16 * MiB;
  return 32 * MiB;
}

export interface ParallelOptions extends CodecOptions {
  /** Uncompressed bytes per gzip member / zstd frame; default defaultBlockSize(). */
  blockSize?: number;
  /** Blocks compressed at once; default os.availableParallelism(). */
  workers?: number;
}

interface Slot {
  out: Buffer | undefined;
}

/**
 * Compresses on several cores: input is cut into blocks, up to `workers` blocks are
 * compressed at once, and the results are emitted in input order as concatenated gzip
 * members / zstd frames, which `gzip -d`, `zstd -d` and both formats' specs accept.
 *
 * Memory is bounded: at most 2 × workers blocks are held (being compressed or waiting
 * for an earlier one), plus the block being filled; beyond that, writes wait.
 */
export function parallelCompress(format: CompressionName, level?: number, options: ParallelOptions = {}): Transform {
  const codec = getCodec(format, options);
  const resolved = resolveLevel(codec, level);
  const workers = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
  const blockSize = Math.max(64 * 1024, Math.floor(options.blockSize ?? defaultBlockSize(format, resolved)));
  return new ParallelCompressStream(codec.blockCompressor(resolved, workers), {
    blockSize,
    workers,
    what: `${format} compression (${codec.backend})`,
  });
}

/**
 * Blocks held by all compressing streams of the process. Each stream may hold 2 x workers
 * blocks, enough to keep every core busy on its own; two layers recompressing at once
 * would hold twice that for the same cores, and it showed in peak RSS (zstd: 10 blocks of
 * 8 MiB). Past the shared limit a stream keeps one block in flight at least, so none
 * starves, and any block finishing anywhere lets a waiting stream go on.
 */
class BlockBudget {
  held = 0;
  private readonly waiting = new Set<() => void>();
  constructor(private readonly limit: number) {}

  allows(ownHeld: number): boolean {
    return ownHeld === 0 || this.held < this.limit;
  }
  take(): void {
    this.held++;
  }
  give(n: number): void {
    if (n === 0) return;
    this.held -= n;
    for (const wake of [...this.waiting]) wake();
  }
  wait(wake: () => void): void {
    this.waiting.add(wake);
  }
  stopWaiting(wake: () => void): void {
    this.waiting.delete(wake);
  }
}

const budget = new BlockBudget(availableParallelism() + 1);

/** The ordering and memory machinery of parallelCompress, over any BlockCompressor. */
export class ParallelCompressStream extends Transform {
  private block: Buffer | undefined;
  private fill = 0;
  private started = false;
  private readonly order: Slot[] = [];
  /** Full-size blocks handed back by the compressor, filled again before allocating. */
  private readonly spare: Buffer[] = [];
  private waitingWrite: TransformCallback | undefined;
  private waitingFlush: TransformCallback | undefined;

  private readonly blockSize: number;
  private readonly workers: number;
  private readonly what: string;

  constructor(
    private readonly compressor: BlockCompressor,
    options: { blockSize: number; workers: number; what: string },
  ) {
    super();
    ({ blockSize: this.blockSize, workers: this.workers, what: this.what } = options);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let offset = 0;
    while (offset < chunk.length) {
      // Each block gets its own memory: a worker backend takes it over (transfer).
      this.block ??= this.spare.pop() ?? Buffer.allocUnsafeSlow(this.blockSize);
      const n = chunk.copy(this.block, this.fill, offset);
      this.fill += n;
      offset += n;
      if (this.fill === this.blockSize) this.submit();
    }
    if (this.hasRoom()) cb();
    else {
      this.waitingWrite = cb;
      budget.wait(this.wake);
    }
  }

  private readonly wake = (): void => this.emitReady();

  private hasRoom(): boolean {
    return this.order.length < 2 * this.workers && budget.allows(this.order.length);
  }

  override _flush(cb: TransformCallback): void {
    // An empty input still becomes one (empty) member / frame: a valid compressed file.
    if (this.fill > 0 || !this.started) this.submit();
    this.waitingFlush = cb;
    this.emitReady();
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    budget.stopWaiting(this.wake);
    budget.give(this.order.splice(0).length);
    this.compressor.close();
    cb(err);
  }

  private submit(): void {
    const whole = this.block ?? Buffer.alloc(0);
    const block = this.fill === whole.length ? whole : whole.subarray(0, this.fill);
    this.block = undefined;
    this.fill = 0;
    this.started = true;
    const slot: Slot = { out: undefined };
    this.order.push(slot);
    budget.take();
    this.compressor.compress(block).then(
      ({ output, reusable }) => {
        slot.out = output;
        if (reusable?.length === this.blockSize) this.spare.push(reusable);
        this.emitReady();
      },
      (err: unknown) => {
        if (!this.destroyed) this.destroy(compressionError(err, this.what));
      },
    );
  }

  private emitReady(): void {
    if (this.destroyed) return;
    let emitted = 0;
    while (this.order[0]?.out) {
      this.push(this.order.shift()!.out);
      emitted++;
    }
    if (this.waitingWrite && this.hasRoom()) {
      const cb = this.waitingWrite;
      this.waitingWrite = undefined;
      budget.stopWaiting(this.wake);
      cb();
    }
    budget.give(emitted);
    if (this.waitingFlush && this.order.length === 0) {
      const cb = this.waitingFlush;
      this.waitingFlush = undefined;
      this.compressor.close();
      cb();
    }
  }
}
