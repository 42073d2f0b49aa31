import { Worker } from 'node:worker_threads';

/**
 * Hashes a stream of blocks, in order, in a worker thread. parallelCompress uses it to
 * verify a layer's diff_id while compressing: that hash covers every uncompressed byte
 * (641 MB for the bench image against 191 MB of gzip), and on the main thread it competed
 * with decoding, HTTP and the other hashes (docs/decisions.md, "Recompression: the diff_id
 * hash in a worker").
 */
export interface BlockHasher {
  /**
   * Hashes `block` after every block given before. Takes the block's memory (it moves to
   * the worker and back) and resolves with a Buffer over the same bytes.
   */
  update(block: Buffer): Promise<Buffer>;
  /** The hex digest of all blocks; call after the last update. */
  digest(): Promise<string>;
  /** Forgets this hash; pending updates and digests reject. Safe to call twice. */
  close(): void;
}

type Reply =
  | { op: 'updated'; id: number; data: Uint8Array }
  | { op: 'digest'; id: number; hex: string }
  | { op: 'error'; id: number; message: string };

/** The worker's program, evaluated as CommonJS (tests run the TypeScript sources). */
const source = String.raw`
'use strict';
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  try {
    if (m.op === 'update') {
      let h = hashes.get(m.id);
      if (!h) hashes.set(m.id, (h = createHash(m.algorithm)));
      h.update(m.data);
      parentPort.postMessage({ op: 'updated', id: m.id, data: m.data }, [m.data.buffer]);
    } else if (m.op === 'digest') {
      const h = hashes.get(m.id) || createHash(m.algorithm);
      hashes.delete(m.id);
      parentPort.postMessage({ op: 'digest', id: m.id, hex: h.digest('hex') });
    } else if (m.op === 'drop') {
      hashes.delete(m.id);
    }
  } catch (err) {
    hashes.delete(m.id);
    parentPort.postMessage({ op: 'error', id: m.id, message: err && err.message ? err.message : String(err) });
  }
});
`;

interface Pending {
  resolve(value: never): void;
  reject(err: Error): void;
}

/**
 * One worker for the whole process: hashing runs at ~1 GB/s, faster than any compressor
 * feeding it, so one thread serves every layer. It holds the process open only while a
 * hash has work in flight.
 */
class HashWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  /** Per hash, its requests in the order sent; the worker answers each hash in order. */
  private readonly pending = new Map<number, Pending[]>();

  open(algorithm: string): BlockHasher {
    const id = this.nextId++;
    let closed = false;
    const request = <T>(message: object, transfer: ArrayBuffer[] = []): Promise<T> => {
      if (closed) return Promise.reject(new Error('block hasher closed'));
      return new Promise<T>((resolve, reject) => {
        const queue = this.pending.get(id) ?? [];
        if (queue.length === 0) this.pending.set(id, queue);
        queue.push({ resolve: resolve as (v: never) => void, reject });
        this.start().ref();
        this.start().postMessage({ ...message, id, algorithm }, transfer);
      });
    };
    return {
      update: async (block) => {
        // Only memory the block owns outright may move; a view into a larger buffer (a
        // short last block, Node's pool) is copied, since moving would detach the rest.
        const owned = block.byteOffset === 0 && block.byteLength === block.buffer.byteLength;
        const data = owned ? new Uint8Array(block.buffer, 0, block.byteLength) : new Uint8Array(block);
        const back = await request<Uint8Array>({ op: 'update', data }, [data.buffer as ArrayBuffer]);
        return Buffer.from(back.buffer, back.byteOffset, back.byteLength);
      },
      digest: () => request<string>({ op: 'digest' }),
      close: () => {
        if (closed) return;
        closed = true;
        this.fail(id, new Error('block hasher closed'));
        this.worker?.postMessage({ op: 'drop', id });
      },
    };
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(source, { eval: true });
    worker.unref();
    worker.on('message', (m: Reply) => this.onReply(m));
    const die = (err: Error): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const id of [...this.pending.keys()]) this.fail(id, err);
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`hash worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private onReply(m: Reply): void {
    const queue = this.pending.get(m.id);
    const next = queue?.shift();
    if (queue?.length === 0) this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (!next) return;
    if (m.op === 'error') next.reject(new Error(m.message));
    else next.resolve((m.op === 'updated' ? m.data : m.hex) as never);
  }

  private fail(id: number, err: Error): void {
    const queue = this.pending.get(id);
    this.pending.delete(id);
    for (const p of queue ?? []) p.reject(err);
    if (this.pending.size === 0) this.worker?.unref();
  }
}

let shared: HashWorker | undefined;

/** A hash of `algorithm` (a node:crypto name) computed in the process's hash worker. */
export function workerBlockHasher(algorithm: string): BlockHasher {
  shared ??= new HashWorker();
  return shared.open(algorithm);
}
