import { getCodec, type Codec, type CodecOptions } from '../../../src/compression/codec.js';
import { availableZstdBackends } from '../../../src/compression/zstd-backend.js';

export interface CodecCase {
  label: string;
  codec: Codec;
  /** The real CLI that must decode our output and whose output we must decode. */
  tool: 'gzip' | 'zstd';
  levels: number[];
}

/**
 * gzip on both backends (libdeflate is built by the test command; its absence fails here),
 * plus zstd on every backend this runtime has (napi on Node 20, both on >= 22.15).
 */
export function codecCases(): CodecCase[] {
  return [
    ...(['libdeflate', 'zlib'] as const).map((backend) => ({
      label: `gzip/${backend}`,
      codec: getCodec('gzip', { gzipBackend: backend }),
      tool: 'gzip' as const,
      levels: [1, 6, 9],
    })),
    ...availableZstdBackends().map((backend) => ({
      label: `zstd/${backend}`,
      codec: getCodec('zstd', { zstdBackend: backend }),
      tool: 'zstd' as const,
      levels: [1, 3, 19, 22],
    })),
  ];
}

/** The options that select this codec's backend again (for parallelCompress and friends). */
export function backendOptions(codec: Codec): CodecOptions {
  if (codec.name === 'gzip') return { gzipBackend: codec.backend as 'zlib' | 'libdeflate' };
  if (codec.name === 'zstd') return { zstdBackend: codec.backend as 'zlib' | 'napi' };
  return {};
}
