import type { Worker } from 'node:worker_threads';
import type { BlockCompressor, CompressedBlock } from './block-compressor.js';
import { asBuffers, spawnNapiWorker, type NapiReply } from './zstd-napi-worker.js';

interface Job {
  readonly id: number;
  readonly block: Buffer;
  resolve(result: CompressedBlock): void;
  reject(err: Error): void;
}

interface Slot {
  readonly worker: Worker;
  job: Job | undefined;
}

/**
 * `size` worker threads, each compressing one block at a time into one zstd frame with
 * the content size in its header. Workers start on first use and hold the process open
 * only while they have a job.
 */
export class NapiBlockPool implements BlockCompressor {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly level: number,
    private readonly size: number,
  ) {}

  compress(block: Buffer): Promise<CompressedBlock> {
    if (this.closed) return Promise.reject(new Error('block compressor closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, block, resolve, reject });
      this.dispatch();
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const err = new Error('block compressor closed');
    for (const job of this.queue.splice(0)) job.reject(err);
    for (const slot of this.slots) {
      slot.job?.reject(err);
      void slot.worker.terminate();
    }
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => s.job === undefined) ?? this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      // Only a buffer the block owns outright may move; a view into a larger one (the
      // short last block, Node's pool) is copied, since moving would detach the rest.
      const { block } = job;
      const owned = block.byteOffset === 0 && block.byteLength === block.buffer.byteLength;
      const data = owned ? new Uint8Array(block.buffer, 0, block.byteLength) : new Uint8Array(block);
      slot.worker.postMessage({ op: 'block', id: job.id, data }, [data.buffer as ArrayBuffer]);
    }
  }

  private spawn(): Slot | undefined {
    if (this.slots.length >= this.size) return undefined;
    const slot: Slot = { worker: spawnNapiWorker('blocks', this.level), job: undefined };
    slot.worker.on('message', (m: NapiReply) => this.onReply(slot, m));
    slot.worker.on('error', (err) => this.fail(slot, err));
    slot.worker.on('exit', (code) => this.fail(slot, new Error(`zstd worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  private onReply(slot: Slot, m: NapiReply): void {
    const job = slot.job;
    if (!job || (m.op !== 'block' && m.op !== 'error')) return;
    slot.job = undefined;
    slot.worker.unref();
    if (m.op === 'error') job.reject(new Error(m.message));
    else {
      const out = asBuffers(m.chunks);
      const output = out.length === 1 ? out[0]! : Buffer.concat(out);
      const input = m.input;
      job.resolve({ output, reusable: input && Buffer.from(input.buffer, input.byteOffset, input.byteLength) });
    }
    this.dispatch();
  }

  /** A dead worker fails its job and everything after it: the pool is not worth resurrecting. */
  private fail(slot: Slot, err: Error): void {
    if (this.closed) return;
    slot.job?.reject(err);
    slot.job = undefined;
    this.close();
  }
}
