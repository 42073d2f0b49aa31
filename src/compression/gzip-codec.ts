import { createGunzip, createGzip, gzip } from 'node:zlib';
import { FerryError, UsageError } from '../errors.js';
import { MediaType } from '../oci/media-types.js';
import { threadpoolBlockCompressor } from './block-compressor.js';
import type { Codec, MagicPattern } from './codec.js';
import { label } from './compression-error.js';
import { libdeflateLoadError, loadLibdeflate } from './gzip-libdeflate.js';
import { lendFresh } from '../stream/read-buffers.js';
import { resolveLevel } from './level.js';
import { WrappedTransform, ZLIB_DECODE_CHUNK } from './wrapped-transform.js';

/** RFC 1952 ID1 ID2. A tar header cannot start with these (its name field is text). */
export const gzipMagic: readonly MagicPattern[] = [{ bytes: [0x1f, 0x8b] }];

export type GzipBackendName = 'libdeflate' | 'zlib';

/** Names the gzip compressor: `libdeflate` or `zlib`; unset or `auto` picks libdeflate when it loads. */
export const GZIP_BACKEND_ENV = 'FERRY_GZIP_BACKEND';

/**
 * Output per threadpool round trip of the single-stream compressor (copies compress in
 * blocks). zlib's default 16 KiB costs far more round trips; decoders use
 * ZLIB_DECODE_CHUNK.
 */
const STREAM_CHUNK = 64 * 1024;
/** A whole block in one or two round trips. */
const BLOCK_CHUNK = 1024 * 1024;

/**
 * ferry's gzip levels are zlib's (1-9), and a level means the same output size whichever
 * backend runs: on libdeflate, level N runs
 * the fastest libdeflate level whose output is no larger than zlib -N's. Measured on
 * 64 MiB of tar (docs/decisions.md, "gzip: one level scale for both backends"): zlib -6 23.80 MB in 1.51 CPU-s,
 * libdeflate -3 23.75 MB in 0.59 CPU-s.
 */
const LIBDEFLATE_LEVEL: readonly number[] = [0, 1, 1, 1, 2, 3, 3, 3, 4, 4];

/** The level used when none is asked for; libdeflate runs its level 2 for it. */
export const GZIP_DEFAULT_LEVEL = 4;

/** The libdeflate level that does the work of ferry's (zlib's) gzip level. */
export function libdeflateLevel(level: number): number {
  const mapped = LIBDEFLATE_LEVEL[level];
  if (mapped === undefined || level < 1) throw new RangeError(`gzip level ${level} is outside 1-9`);
  return mapped;
}

const codecs = new Map<GzipBackendName, Codec>();

/**
 * gzip. Decoding is always node:zlib (a stream, in the libuv threadpool; it reads the
 * concatenated members parallelCompress writes). Block compression is libdeflate when
 * the prebuilt add-on loads, else node:zlib; both run in the threadpool and write mtime 0
 * and no name, so output is a pure function of input, backend and level.
 */
export function createGzipCodec(backend: GzipBackendName): Codec {
  const known = codecs.get(backend);
  if (known) return known;
  const libdeflate = backend === 'libdeflate' ? loadLibdeflate() : undefined;
  const codec: Codec = {
    name: 'gzip',
    backend,
    magic: gzipMagic,
    // zlib -4's size class: no larger than what skopeo (containers/image, pgzip) writes by
    // default, for ~15 % less CPU than zlib -6's class (docs/decisions.md, "gzip: the
    // default level").
    defaultLevel: GZIP_DEFAULT_LEVEL,
    levels: { min: 1, max: 9 },
    mediaTypes: {
      oci: MediaType.OciLayerGzip,
      ociNondistributable: MediaType.OciLayerNondistGzip,
      docker: MediaType.DockerLayerGzip,
    },
    decompress(what) {
      return new WrappedTransform(createGunzip({ chunkSize: ZLIB_DECODE_CHUNK }), label(what, 'gzip decompression'));
    },
    // The single-stream form; copies use blockCompressor.
    compress(level) {
      const options = { level: resolveLevel(codec, level), chunkSize: STREAM_CHUNK };
      return new WrappedTransform(createGzip(options), 'gzip compression');
    },
    blockCompressor(level, concurrency) {
      const resolved = resolveLevel(codec, level);
      if (libdeflate) {
        const native = libdeflateLevel(resolved);
        return threadpoolBlockCompressor((block, cb) => {
          libdeflate.gzip(block, native).then((out) => cb(null, lendFresh(out)), (err: Error) => cb(err, Buffer.alloc(0)));
        }, concurrency);
      }
      const options = { level: resolved, chunkSize: BLOCK_CHUNK };
      return threadpoolBlockCompressor((block, cb) => gzip(block, options, cb), concurrency);
    },
  };
  codecs.set(backend, codec);
  return codec;
}

/**
 * The gzip backend to use. `requested` defaults to env FERRY_GZIP_BACKEND; asking for
 * libdeflate when the add-on does not load is an error, not a silent fallback, so CI
 * really tests it.
 */
export function selectGzipBackend(requested: string | undefined = process.env[GZIP_BACKEND_ENV]): GzipBackendName {
  const wanted = requested === undefined || requested === '' ? 'auto' : requested;
  if (wanted === 'auto') return loadLibdeflate() ? 'libdeflate' : 'zlib';
  if (wanted === 'zlib') return 'zlib';
  if (wanted !== 'libdeflate') throw new UsageError(`${GZIP_BACKEND_ENV} must be libdeflate, zlib or auto, got "${wanted}"`);
  if (!loadLibdeflate()) {
    throw new FerryError('ERR_UNSUPPORTED', `gzip backend "libdeflate" is not available: ${libdeflateLoadError()}`);
  }
  return 'libdeflate';
}
