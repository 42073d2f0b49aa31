import { getCodec, type Codec } from '../../../src/compression/codec.js';
import { availableZstdBackends } from '../../../src/compression/zstd-backend.js';

export interface CodecCase {
  label: string;
  codec: Codec;
  /** The real CLI that must decode our output and whose output we must decode. */
  tool: 'gzip' | 'zstd';
  levels: number[];
}

/** gzip, plus zstd on every backend this runtime has (napi on Node 20, both on >= 22.15). */
export function codecCases(): CodecCase[] {
  return [
    { label: 'gzip', codec: getCodec('gzip'), tool: 'gzip', levels: [1, 6, 9] },
    ...availableZstdBackends().map((backend) => ({
      label: `zstd/${backend}`,
      codec: getCodec('zstd', { zstdBackend: backend }),
      tool: 'zstd' as const,
      levels: [1, 3, 19, 22],
    })),
  ];
}
