import zlib from 'node:zlib';
import { MediaType } from '../oci/media-types.js';
import { threadpoolBlockCompressor } from './block-compressor.js';
import type { Codec, MagicPattern } from './codec.js';
import { label } from './compression-error.js';
import { resolveLevel } from './level.js';
import { WrappedTransform } from './wrapped-transform.js';

/** RFC 1952 ID1 ID2. A tar header cannot start with these (its name field is text). */
export const gzipMagic: readonly MagicPattern[] = [{ bytes: [0x1f, 0x8b] }];

/**
 * Output per threadpool round trip. zlib's default 16 KiB made gunzip of a 128 MB layer
 * cost 0.56-0.90 CPU-s against 0.39-0.45 at 64 KiB; 256 KiB gained little more.
 */
const STREAM_CHUNK = 64 * 1024;
/** A whole block in one or two round trips. */
const BLOCK_CHUNK = 1024 * 1024;

/**
 * gzip via node:zlib, whose streams and callback functions run in the libuv threadpool.
 * Gunzip decodes concatenated members (RFC 1952 §2.2), which parallelCompress emits.
 * The header carries mtime 0 and no name, so output is a pure function of input and level.
 */
export const gzipCodec: Codec = {
  name: 'gzip',
  backend: 'zlib',
  magic: gzipMagic,
  // Level 6 is zlib's and Go's default: see docs/decisions.md for the measured trade-off.
  defaultLevel: 6,
  levels: { min: 1, max: 9 },
  mediaTypes: {
    oci: MediaType.OciLayerGzip,
    ociNondistributable: MediaType.OciLayerNondistGzip,
    docker: MediaType.DockerLayerGzip,
  },
  decompress(what) {
    return new WrappedTransform(zlib.createGunzip({ chunkSize: STREAM_CHUNK }), label(what, 'gzip decompression'));
  },
  compress(level) {
    const options = { level: resolveLevel(gzipCodec, level), chunkSize: STREAM_CHUNK };
    return new WrappedTransform(zlib.createGzip(options), 'gzip compression');
  },
  blockCompressor(level, concurrency) {
    const options = { level: resolveLevel(gzipCodec, level), chunkSize: BLOCK_CHUNK };
    return threadpoolBlockCompressor((block, cb) => zlib.gzip(block, options, cb), concurrency);
  },
};
