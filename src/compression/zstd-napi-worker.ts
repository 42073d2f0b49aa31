import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export type NapiWorkerMode = 'compress' | 'blocks';

/** Messages to the worker. `data` buffers are transferred, never shared. */
export type NapiRequest =
  | { op: 'data'; data: Uint8Array }
  | { op: 'end' }
  | { op: 'block'; id: number; level: number; data: Uint8Array; out?: ArrayBuffer };

/** Messages from the worker; `chunks` are output in order, transferred. `ack` ends a `data` batch. */
export type NapiReply =
  | { op: 'ack'; chunks: Uint8Array[] }
  | { op: 'done'; chunks: Uint8Array[] }
  | { op: 'block'; id: number; chunks: Uint8Array[]; input?: Uint8Array }
  | { op: 'error'; id?: number; message: string };

/**
 * The worker's program, as CommonJS source evaluated by `new Worker(…, { eval: true })`.
 *
 * zstd-napi's own streams call libzstd synchronously on the calling thread: at level 19
 * that stalled the event loop for ~60-80 ms per 64 KiB chunk, and even at level 3 it takes
 * the main thread's core away from hashing and HTTP. A worker file would have to exist as
 * .js next to this module, which is not true when tests run the TypeScript sources, so the
 * program travels as text and loads the add-on by absolute path.
 */
const source = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const b = require(workerData.binding);
const OUT = 256 * 1024;
let scratch = Buffer.allocUnsafeSlow(OUT);
const cctx = new b.CCtx();
let level = workerData.level;
cctx.setParameter(b.CParameter.compressionLevel, level);
cctx.setParameter(b.CParameter.checksumFlag, 1);
// Copies output into its own ArrayBuffer so it can be transferred (pooled ones cannot).
function exact(buf, n) {
  const out = new Uint8Array(n);
  out.set(buf.subarray(0, n));
  return out;
}
function room(n) {
  if (scratch.length < n) scratch = Buffer.allocUnsafeSlow(n);
  return scratch;
}
function compress(src, end) {
  const chunks = [];
  const directive = end ? b.EndDirective.end : b.EndDirective.continue;
  for (;;) {
    const dst = room(Math.max(OUT, b.compressBound(src.length)));
    const [ret, produced, consumed] = cctx.compressStream2(dst, src, directive);
    if (produced > 0) chunks.push(exact(dst, produced));
    src = src.subarray(consumed);
    if (src.length === 0 && (!end || ret === 0)) return chunks;
  }
}
function reply(msg) {
  const transfer = (msg.chunks || []).map((c) => c.buffer);
  if (msg.input) transfer.push(msg.input.buffer);
  parentPort.postMessage(msg, transfer);
}
parentPort.on('message', (m) => {
  try {
    const data = m.data && Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
    if (m.op === 'block') {
      // A pooled worker serves every stream, whatever level each asked for.
      if (m.level !== level) cctx.setParameter(b.CParameter.compressionLevel, (level = m.level));
      // Compressed straight into memory that moves to the main thread whole: an output
      // buffer it sent back for reuse, else a new one (no copy either way).
      const bound = b.compressBound(data.length);
      const out = m.out && m.out.byteLength >= bound ? m.out : new ArrayBuffer(bound);
      const chunks = [new Uint8Array(out, 0, cctx.compress2(Buffer.from(out), data))];
      // The input goes back for reuse as the next block.
      reply({ op: 'block', id: m.id, chunks, input: m.data });
    } else if (m.op === 'data') {
      reply({ op: 'ack', chunks: compress(data, false) });
    } else if (m.op === 'end') {
      reply({ op: 'done', chunks: compress(Buffer.alloc(0), true) });
    }
  } catch (err) {
    parentPort.postMessage({ op: 'error', id: m.id, message: err && err.message ? err.message : String(err) });
  }
});
`;

let bindingPath: string | undefined;

/** Path of zstd-napi's native binding module; throws when the package is not installed. */
export function napiBindingPath(): string {
  bindingPath ??= createRequire(import.meta.url).resolve('zstd-napi/binding');
  return bindingPath;
}

export function spawnNapiWorker(mode: NapiWorkerMode, level: number): Worker {
  return new Worker(source, { eval: true, workerData: { binding: napiBindingPath(), mode, level } });
}

/** Wraps transferred output as Buffers without copying. */
export function asBuffers(chunks: readonly Uint8Array[]): Buffer[] {
  return chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength));
}
