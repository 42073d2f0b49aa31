import { availableParallelism } from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { DigestMismatchError } from '../errors.js';
import { nodeHashName, type Digest } from '../oci/digest.js';
import type { BlockCompressor } from './block-compressor.js';
import { workerBlockHasher, type BlockHasher } from './block-hasher.js';
import { getCodec, type CodecOptions, type CompressionName } from './codec.js';
import { compressionError } from './compression-error.js';
import { resolveLevel } from './level.js';
import { releaseChunk } from '../stream/read-buffers.js';

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
  /**
   * The digest the uncompressed input must have (a layer's diff_id). It is computed in a
   * worker thread, block by block; on a mismatch the stream fails before its end, so
   * nothing downstream can commit the output.
   */
  verifyInput?: { digest: Digest; what: string };
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
  const verify = options.verifyInput;
  return new ParallelCompressStream(codec.blockCompressor(resolved, workers), {
    blockSize,
    workers,
    what: `${format} compression (${codec.backend})`,
    verifyInput: verify && { ...verify, hasher: workerBlockHasher(nodeHashName(verify.digest)) },
  });
}

/**
 * Blocks held by all compressing streams of the process. Each stream may hold 2 x workers
 * blocks, enough to keep every core busy on its own; two layers recompressing at once
 * would hold twice that for the same cores, and it showed in peak RSS (zstd: 10 blocks of
 * 8 MiB). Past the shared limit a stream keeps one block in flight at least, so none
 * starves, and any block finishing anywhere lets a waiting stream go on.
 *
 * The limit is one block per core, and one more for blocks of 4 MiB or less (gzip), which
 * compress fast enough that a core would otherwise wait while the next block is filled.
 * For zstd's 8 MiB blocks it is left out: gzip → zstd registry copies, three runs of 6-8
 * rounds, peak RSS 197-201 → 177-181 MB for 0-5 % more wall time. For gzip's blocks,
 * leaving it out cost 6 % of wall time and saved no memory.
 */
class BlockBudget {
  held = 0;
  private readonly waiting = new Set<() => void>();
  constructor(private readonly cores: number) {}

  allows(ownHeld: number, blockSize: number): boolean {
    return ownHeld === 0 || this.held < this.cores + (blockSize <= SMALL_BLOCK ? 1 : 0);
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

/** Blocks this size or smaller may take one more place in the budget (see BlockBudget). */
const SMALL_BLOCK = 4 * MiB;
const budget = new BlockBudget(availableParallelism());

/**
 * Full-size blocks handed back by the compressors, for any stream of the process to fill
 * again. Per stream, a layer's last blocks became garbage at its end, and V8 frees such
 * memory lazily: peak RSS carried several dead 8 MiB blocks. Kept to the largest budget
 * (cores + 1): with fewer spares than that, zstd's peak RSS rose (more blocks allocated anew).
 */
const spareBlocks = new Map<number, Buffer[]>();

function takeBlock(size: number): Buffer {
  return spareBlocks.get(size)?.pop() ?? Buffer.allocUnsafeSlow(size);
}

function giveBlock(block: Buffer): void {
  let list = spareBlocks.get(block.length);
  if (!list) spareBlocks.set(block.length, (list = []));
  if (list.length < availableParallelism() + 1) list.push(block);
}

/** The ordering and memory machinery of parallelCompress, over any BlockCompressor. */
export class ParallelCompressStream extends Transform {
  private block: Buffer | undefined;
  private fill = 0;
  private started = false;
  private readonly order: Slot[] = [];
  private waitingWrite: TransformCallback | undefined;
  private waitingFlush: TransformCallback | undefined;

  private readonly blockSize: number;
  private readonly workers: number;
  private readonly what: string;
  private readonly verify: { digest: Digest; what: string; hasher: BlockHasher } | undefined;
  /** True once the input's digest was checked (or when there is none to check). */
  private inputVerified: boolean;

  constructor(
    private readonly compressor: BlockCompressor,
    options: { blockSize: number; workers: number; what: string; verifyInput?: { digest: Digest; what: string; hasher: BlockHasher } | undefined },
  ) {
    super();
    ({ blockSize: this.blockSize, workers: this.workers, what: this.what, verifyInput: this.verify } = options);
    this.inputVerified = this.verify === undefined;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let offset = 0;
    while (offset < chunk.length) {
      // Each block gets its own memory: a worker backend takes it over (transfer).
      this.block ??= takeBlock(this.blockSize);
      const n = chunk.copy(this.block, this.fill, offset);
      this.fill += n;
      offset += n;
      if (this.fill === this.blockSize) this.submit();
    }
    // copied into the block: a pooled read buffer the chunk is a view of can be read into again
    releaseChunk(chunk);
    if (this.hasRoom()) cb();
    else {
      this.waitingWrite = cb;
      budget.wait(this.wake);
    }
  }

  private readonly wake = (): void => this.emitReady();

  private hasRoom(): boolean {
    return this.order.length < 2 * this.workers && budget.allows(this.order.length, this.blockSize);
  }

  override _flush(cb: TransformCallback): void {
    // An empty input still becomes one (empty) member / frame: a valid compressed file.
    if (this.fill > 0 || !this.started) this.submit();
    this.waitingFlush = cb;
    if (this.verify) this.checkInput(this.verify);
    this.emitReady();
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    budget.stopWaiting(this.wake);
    budget.give(this.order.splice(0).length);
    this.compressor.close();
    this.verify?.hasher.close();
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
    // The hash sees each block before the compressor takes it; both keep input order.
    const hashed = this.verify ? this.verify.hasher.update(block) : Promise.resolve(block);
    hashed.then((b) => this.compressor.compress(b)).then(
      ({ output, reusable }) => {
        slot.out = output;
        if (reusable?.length === this.blockSize) giveBlock(reusable);
        this.emitReady();
      },
      (err: unknown) => {
        if (!this.destroyed) this.destroy(compressionError(err, this.what));
      },
    );
  }

  private checkInput(verify: { digest: Digest; what: string; hasher: BlockHasher }): void {
    verify.hasher.digest().then(
      (hex) => {
        const actual = `${verify.digest.slice(0, verify.digest.indexOf(':'))}:${hex}`;
        if (actual !== verify.digest) this.destroy(new DigestMismatchError(verify.what, verify.digest, actual));
        else {
          this.inputVerified = true;
          this.emitReady();
        }
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
    if (this.waitingFlush && this.order.length === 0 && this.inputVerified) {
      const cb = this.waitingFlush;
      this.waitingFlush = undefined;
      this.compressor.close();
      cb();
    }
  }
}
