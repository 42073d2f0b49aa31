import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { BlockCompressor, CompressedBlock } from './block-compressor.js';
import { lendToOwner } from '../stream/read-buffers.js';
import { asBuffers, spawnNapiWorker, type NapiReply } from './zstd-napi-worker.js';

interface Job {
  readonly id: number;
  readonly level: number;
  readonly block: Buffer;
  readonly owner: object;
  resolve(result: CompressedBlock): void;
  reject(err: Error): void;
}

interface Slot {
  readonly worker: Worker;
  job: Job | undefined;
}

/**
 * One set of zstd worker threads for the whole process, one per core, each compressing
 * one block at a time into one zstd frame (content size in its header, checksum on).
 *
 * Shared because every worker is a V8 isolate (~10 MB of RSS at start) and two layers
 * recompressing at once, each with a pool per core, ran four of them on two cores. Blocks
 * from all streams queue here in arrival order; each stream still bounds its own blocks
 * (parallelCompress), so the queue stays short. Workers start on first use and hold the
 * process open only while they have a job.
 */
export class NapiWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  /**
   * Output buffers handed back by whoever wrote the output out (releaseChunk). Each block's
   * output used to be new memory, freed by GC: on Node 24 dead outputs held ~50 MB more
   * at peak than on Node 20 (gzip → zstd into a layout, peak RSS 234 against 165 MB).
   */
  private readonly spareOutputs: ArrayBuffer[] = [];
  private readonly keepOutput = (memory: ArrayBuffer): void => {
    if (this.spareOutputs.length <= this.size) this.spareOutputs.push(memory);
  };

  constructor(private readonly size: number) {}

  /** A BlockCompressor whose close() rejects only its own blocks. */
  client(level: number): BlockCompressor {
    const owner = {};
    let closed = false;
    return {
      compress: (block) => {
        if (closed) return Promise.reject(new Error('block compressor closed'));
        return new Promise((resolve, reject) => {
          this.queue.push({ id: this.nextId++, level, block, owner, resolve, reject });
          this.dispatch();
        });
      },
      close: () => {
        if (closed) return;
        closed = true;
        this.cancel(owner);
      },
    };
  }

  /** Queued blocks of `owner` are dropped; one already in a worker finishes unseen. */
  private cancel(owner: object): void {
    const err = new Error('block compressor closed');
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i]!.owner === owner) this.queue.splice(i, 1)[0]!.reject(err);
    }
    for (const slot of this.slots) if (slot.job?.owner === owner) slot.job.reject(err);
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => s.job === undefined) ?? this.spawn(this.queue[0]!.level);
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      // Only a buffer the block owns outright may move; a view into a larger one (the
      // short last block, Node's pool) is copied, since moving would detach the rest.
      const { block } = job;
      const owned = block.byteOffset === 0 && block.byteLength === block.buffer.byteLength;
      const data = owned ? new Uint8Array(block.buffer, 0, block.byteLength) : new Uint8Array(block);
      const out = this.spareOutputs.pop();
      slot.worker.postMessage({ op: 'block', id: job.id, level: job.level, data, ...(out ? { out } : {}) }, out ? [data.buffer as ArrayBuffer, out] : [data.buffer as ArrayBuffer]);
    }
  }

  private spawn(level: number): Slot | undefined {
    if (this.slots.length >= this.size) return undefined;
    const slot: Slot = { worker: spawnNapiWorker('blocks', level), job: undefined };
    slot.worker.unref();
    slot.worker.on('message', (m: NapiReply) => this.onReply(slot, m));
    slot.worker.on('error', (err) => this.retire(slot, err));
    slot.worker.on('exit', (code) => this.retire(slot, new Error(`zstd worker exited with code ${code}`)));
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
      // the output's memory comes back here once written out, for the next block's output
      const output = out.length === 1 ? lendToOwner(out[0]!, this.keepOutput) : Buffer.concat(out);
      const input = m.input;
      job.resolve({ output, reusable: input && Buffer.from(input.buffer, input.byteOffset, input.byteLength) });
    }
    this.dispatch();
  }

  /** A dead worker fails its own block only; the next block gets a fresh worker. */
  private retire(slot: Slot, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    slot.job?.reject(err);
    slot.job = undefined;
    void slot.worker.terminate();
    this.dispatch();
  }
}

let shared: NapiWorkerPool | undefined;

/** The process's pool, sized to the cores Node may use. */
export function sharedNapiPool(): NapiWorkerPool {
  shared ??= new NapiWorkerPool(availableParallelism());
  return shared;
}
