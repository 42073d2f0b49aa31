import { MediaType } from '../oci/media-types.js';
import type { Codec, MagicPattern } from './codec.js';
import { resolveLevel } from './level.js';
import type { ZstdBackend } from './zstd-backend.js';

/**
 * RFC 8878: a frame starts 28 b5 2f fd; a skippable frame (zstd:chunked puts its table
 * of contents in one) starts 5X 2a 4d 18. Either can open a zstd stream.
 */
export const zstdMagic: readonly MagicPattern[] = [
  { bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { bytes: [0x50, 0x2a, 0x4d, 0x18], mask: [0xf0, 0xff, 0xff, 0xff] },
];

/** Levels 20-22 ("ultra") work with both backends but want up to 128 MiB of window per stream. */
const MAX_LEVEL = 22;

const codecs = new WeakMap<ZstdBackend, Codec>();

/** The zstd codec on a given backend; one record per backend. */
export function createZstdCodec(backend: ZstdBackend): Codec {
  const known = codecs.get(backend);
  if (known) return known;
  const codec: Codec = {
    name: 'zstd',
    backend: backend.name,
    magic: zstdMagic,
    // zstd's own default: ~2.5x gzip -6 speed at a better ratio (docs/decisions.md).
    defaultLevel: 3,
    levels: { min: 1, max: Math.min(MAX_LEVEL, backend.maxLevel) },
    mediaTypes: {
      oci: MediaType.OciLayerZstd,
      ociNondistributable: MediaType.OciLayerNondistZstd,
      docker: undefined,
    },
    decompress: (what) => backend.decompressStream(what),
    compress: (level) => backend.compressStream(resolveLevel(codec, level)),
    blockCompressor: (level, concurrency) =>
      backend.blockCompressor(resolveLevel(codec, level), concurrency),
  };
  codecs.set(backend, codec);
  return codec;
}
