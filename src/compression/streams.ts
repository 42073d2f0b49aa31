import type { Duplex, Transform } from 'node:stream';
import { getCodec, type CompressionName } from './codec.js';
import { parallelCompress, type ParallelOptions } from './parallel.js';

/**
 * The two calls the copy engine makes. Compression is always the multi-core block form:
 * for one layer it is what keeps both cores busy, and with workers: 1 it still keeps the
 * work off the main thread.
 */
export function decompressStream(format: CompressionName, what?: string): Duplex {
  return getCodec(format).decompress(what);
}

export function compressStream(format: CompressionName, level?: number, options?: ParallelOptions): Transform {
  return parallelCompress(format, level, options);
}
