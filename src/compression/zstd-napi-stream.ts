import { Transform, type TransformCallback } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { FerryError } from '../errors.js';
import { compressionError, label } from './compression-error.js';
import { asBuffers, spawnNapiWorker, type NapiReply, type NapiRequest } from './zstd-napi-worker.js';

/**
 * Small writes are gathered into batches before crossing to the worker: each message
 * costs a copy and a wake-up. Compressing 128 MB took ~10% more CPU with 64 KiB batches
 * than with 256 KiB; 1 MiB was within the noise of 256 KiB.
 */
const BATCH = 256 * 1024;
/** Two batches in flight keep the worker busy while the main thread gathers the next. */
const IN_FLIGHT = 2;

/**
 * One zstd frame for a whole stream, compressed in a dedicated worker thread (the
 * single-core form; parallelCompress is what copies use). Memory is bounded: at most
 * IN_FLIGHT batches are with the worker, and input stops being accepted while our
 * readable side is full (Transform's own backpressure).
 */
export class NapiWorkerStream extends Transform {
  private readonly worker: Worker;
  private readonly what: string;
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private inFlight = 0;
  private resumeWrite: TransformCallback | undefined;
  private finish: TransformCallback | undefined;
  private finished = false;

  constructor(level: number) {
    super();
    this.what = 'zstd compression (napi)';
    this.worker = spawnNapiWorker('compress', level);
    // An idle worker must not keep the process alive; it is ref'd while it holds work.
    this.worker.unref();
    this.worker.on('message', (m: NapiReply) => this.onReply(m));
    this.worker.on('error', (err) => this.destroy(compressionError(err, this.what)));
    this.worker.on('exit', (code) => {
      if (!this.finished && !this.destroyed) {
        this.destroy(new FerryError('ERR_COMPRESSION', `${this.what}: worker exited with code ${code}`));
      }
    });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.batchBytes < BATCH) {
      cb();
      return;
    }
    this.sendBatch();
    if (this.inFlight < IN_FLIGHT) cb();
    else this.resumeWrite = cb;
  }

  override _flush(cb: TransformCallback): void {
    if (this.batchBytes > 0) this.sendBatch();
    this.finish = cb;
    this.post({ op: 'end' });
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.finished = true;
    void this.worker.terminate();
    cb(err);
  }

  private sendBatch(): void {
    // A fresh ArrayBuffer: stream chunks may be views into a shared pool, which cannot move.
    const data = new Uint8Array(this.batchBytes);
    let offset = 0;
    for (const piece of this.batch) {
      data.set(piece, offset);
      offset += piece.length;
    }
    this.batch = [];
    this.batchBytes = 0;
    this.inFlight++;
    this.post({ op: 'data', data }, [data.buffer]);
  }

  private post(message: NapiRequest, transfer: ArrayBuffer[] = []): void {
    this.worker.ref();
    this.worker.postMessage(message, transfer);
  }

  private onReply(m: NapiReply): void {
    if (this.destroyed) return;
    if (m.op === 'error') {
      this.destroy(new FerryError('ERR_COMPRESSION', `${this.what}: ${m.message}`));
      return;
    }
    for (const out of asBuffers(m.chunks)) this.push(out);
    if (m.op === 'ack') {
      this.inFlight--;
      if (this.inFlight === 0 && !this.finish) this.worker.unref();
      const resume = this.resumeWrite;
      this.resumeWrite = undefined;
      resume?.();
    } else if (m.op === 'done') {
      this.finished = true;
      void this.worker.terminate();
      this.finish?.();
    }
  }
}
