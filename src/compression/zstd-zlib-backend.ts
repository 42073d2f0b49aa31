import type { Duplex, TransformCallback } from 'node:stream';
import { FerryError } from '../errors.js';
import { threadpoolBlockCompressor } from './block-compressor.js';
import { label } from './compression-error.js';
import { WrappedTransform, ZLIB_DECODE_CHUNK } from './wrapped-transform.js';
import type { ZstdBackend } from './zstd-backend.js';
import { ZstdFrameSplitter } from './zstd-frames.js';
import { releaseChunk } from '../stream/read-buffers.js';

/** The part of node:zlib's zstd API (Node >= 22.15) ferry uses; @types/node 20 lacks it. */
interface ZstdOptions {
  params?: Record<number, number>;
  chunkSize?: number;
  pledgedSrcSize?: number;
}
interface ZlibZstd {
  createZstdCompress(options?: ZstdOptions): Duplex;
  createZstdDecompress(options?: ZstdOptions): Duplex;
  zstdCompress(buf: Buffer, options: ZstdOptions, cb: (err: Error | null, out: Buffer) => void): void;
}

const STREAM_CHUNK = 64 * 1024;
const BLOCK_CHUNK = 1024 * 1024;

/**
 * Feeds node:zlib's decoder one frame at a time (see ZstdFrameSplitter for the bug this
 * avoids) and fails on a stream that ends inside a frame, which zlib lets pass.
 */
class FrameWiseDecompress extends WrappedTransform {
  private readonly splitter = new ZstdFrameSplitter();

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let pieces: Buffer[];
    try {
      pieces = this.splitter.split(chunk);
    } catch (err) {
      cb(err as Error);
      return;
    }
    // the splitter keeps nothing of a chunk past this call (header fields are copied), so
    // once zlib has consumed the last piece a pooled read buffer's view is handed back
    if (pieces.length === 0) {
      releaseChunk(chunk);
      cb();
      return;
    }
    this.writeInner(pieces, cb, () => releaseChunk(chunk));
  }

  override _flush(cb: TransformCallback): void {
    if (!this.splitter.atFrameBoundary) {
      cb(new FerryError('ERR_COMPRESSION', `${this.what}: stream ends inside a zstd frame (truncated)`));
      return;
    }
    super._flush(cb);
  }
}

let cached: ZstdBackend | null | undefined;

/** The node:zlib zstd backend, or undefined on runtimes without it. */
export function loadZlibZstdBackend(): ZstdBackend | undefined {
  if (cached === undefined) cached = probe() ?? null;
  return cached ?? undefined;
}

/** Why node:zlib has no zstd here, or undefined when it has. */
export function zlibZstdLoadError(): string | undefined {
  return loadZlibZstdBackend() ? undefined : `node:zlib in Node ${process.versions.node} has no zstd (needs >= 22.15)`;
}

function probe(): ZstdBackend | undefined {
  // looked up here, not imported: the CLI bundle loads node:zlib on first use
  // (scripts/bundle.mjs), and a namespace import would load it at start-up
  const zlib = process.getBuiltinModule('node:zlib');
  const z = zlib as unknown as Partial<ZlibZstd>;
  const c = zlib.constants as unknown as Record<string, number | undefined>;
  const { createZstdCompress, createZstdDecompress, zstdCompress } = z;
  const levelParam = c['ZSTD_c_compressionLevel'];
  const checksumParam = c['ZSTD_c_checksumFlag'];
  if (!createZstdCompress || !createZstdDecompress || !zstdCompress) return undefined;
  if (levelParam === undefined || checksumParam === undefined) return undefined;
  const params = (level: number) => ({ [levelParam]: level, [checksumParam]: 1 });
  return {
    name: 'zlib',
    // libzstd's ZSTD_maxCLevel(); node:zlib does not expose it and clamps above it.
    maxLevel: 22,
    compressStream: (level) =>
      new WrappedTransform(
        createZstdCompress({ params: params(level), chunkSize: STREAM_CHUNK }),
        'zstd compression (zlib)',
      ),
    decompressStream: (what) =>
      new FrameWiseDecompress(createZstdDecompress({ chunkSize: ZLIB_DECODE_CHUNK }), label(what, 'zstd decompression (zlib)')),
    blockCompressor: (level, concurrency) =>
      threadpoolBlockCompressor((block, cb) =>
        // pledgedSrcSize writes the content size into the frame header and lets zstd
        // size its window to the block, as zstd-napi's one-shot compress does.
        zstdCompress(block, { params: params(level), chunkSize: BLOCK_CHUNK, pledgedSrcSize: block.length }, cb),
        concurrency,
      ),
  };
}
