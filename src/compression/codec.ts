import { PassThrough, type Duplex, type Transform } from 'node:stream';
import { MediaType } from '../oci/media-types.js';
import type { BlockCompressor } from './block-compressor.js';
import { createGzipCodec, selectGzipBackend, type GzipBackendName } from './gzip-codec.js';
import type { LevelRange } from './level.js';
import { selectZstdBackend, type ZstdBackendName } from './zstd-backend.js';
import { createZstdCodec } from './zstd-codec.js';

export type CompressionName = 'gzip' | 'zstd' | 'none';
export type { LevelRange } from './level.js';
export { resolveLevel } from './level.js';

/** Bytes at offset 0 that identify a format; where `mask` is given only its 1-bits count. */
export interface MagicPattern {
  readonly bytes: readonly number[];
  readonly mask?: readonly number[];
}

/** The layer media types that announce this compression. */
export interface LayerMediaTypes {
  readonly oci: string;
  readonly ociNondistributable: string;
  /** Docker schema 2 defines no zstd layer type, so a zstd layer needs an OCI manifest. */
  readonly docker: string | undefined;
}

/**
 * One compression format as data plus its stream factories. Every stream runs its CPU
 * work off the main thread and fails with FerryError ERR_COMPRESSION on bad input.
 */
export interface Codec {
  readonly name: CompressionName;
  /** Which implementation does the work ('zlib', 'napi', 'none'), for logs and benchmarks. */
  readonly backend: string;
  readonly magic: readonly MagicPattern[];
  readonly defaultLevel: number;
  readonly levels: LevelRange;
  readonly mediaTypes: LayerMediaTypes;
  /**
   * Decodes a whole stream, including several concatenated gzip members / zstd frames.
   * `what` names the data in error messages (e.g. "layer sha256:… of docker://…").
   */
  decompress(what?: string): Duplex;
  /** One gzip member / one zstd frame, on one core. Throws UsageError for a bad level. */
  compress(level?: number): Transform;
  /** Used by parallelCompress: each block becomes one independent member / frame. */
  blockCompressor(level: number | undefined, concurrency: number): BlockCompressor;
}

export const noneCodec: Codec = {
  name: 'none',
  backend: 'none',
  magic: [],
  defaultLevel: 0,
  levels: { min: 0, max: 0 },
  mediaTypes: {
    oci: MediaType.OciLayerTar,
    ociNondistributable: MediaType.OciLayerNondistTar,
    docker: 'application/vnd.docker.image.rootfs.diff.tar',
  },
  decompress: () => new PassThrough(),
  compress: () => new PassThrough(),
  blockCompressor: () => ({ compress: (block) => Promise.resolve({ output: block }), close() {} }),
};

export interface CodecOptions {
  /** 'auto' (default) or a backend name; defaults to env FERRY_ZSTD_BACKEND. */
  zstdBackend?: ZstdBackendName | 'auto' | undefined;
  /** 'auto' (default) or a backend name; defaults to env FERRY_GZIP_BACKEND. */
  gzipBackend?: GzipBackendName | 'auto' | undefined;
}

/** The codec for a format, with its backend chosen now (gzip-codec.ts, zstd-backend.ts). */
export function getCodec(name: CompressionName, options: CodecOptions = {}): Codec {
  switch (name) {
    case 'gzip':
      return createGzipCodec(selectGzipBackend(options.gzipBackend));
    case 'zstd':
      return createZstdCodec(selectZstdBackend(options.zstdBackend));
    case 'none':
      return noneCodec;
  }
}

export function isCompressionName(value: string): value is CompressionName {
  return value === 'gzip' || value === 'zstd' || value === 'none';
}


/** Static facts per format, for callers that must not pick a zstd backend (detection, planning). */
const layerTypes: Record<CompressionName, readonly string[]> = {
  gzip: [MediaType.OciLayerGzip, MediaType.OciLayerNondistGzip, MediaType.DockerLayerGzip, MediaType.DockerForeignLayerGzip],
  zstd: [MediaType.OciLayerZstd, MediaType.OciLayerNondistZstd],
  none: [MediaType.OciLayerTar, MediaType.OciLayerNondistTar, 'application/vnd.docker.image.rootfs.diff.tar'],
};

/** The compression a layer media type announces, or undefined for non-layer / unknown types. */
export function compressionOfMediaType(mediaType: string): CompressionName | undefined {
  for (const name of ['gzip', 'zstd', 'none'] as const) {
    if (layerTypes[name].includes(mediaType)) return name;
  }
  return undefined;
}
