import type { Transform } from 'node:stream';
import { detectFormat } from './detect.js';
import { getCodec } from './codec.js';

/**
 * Compression of a whole archive file (`docker save | xz > a.tar.xz`). Archives meet
 * two formats layers never use (bzip2, xz), so this is its own small table; gzip and
 * zstd reuse the layer codecs and their backends.
 */
export type ArchiveCompression = 'none' | 'gzip' | 'zstd' | 'bzip2' | 'xz';

/** Bytes sniffArchiveCompression needs to see. */
export const ARCHIVE_MAGIC_BYTES = 6;

const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

export function sniffArchiveCompression(head: Uint8Array): ArchiveCompression {
  const layerFormat = detectFormat(head);
  if (layerFormat !== 'none') return layerFormat;
  // "BZh" then the block size digit 1-9
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68 && head[3] !== undefined && head[3] >= 0x31 && head[3] <= 0x39) return 'bzip2';
  if (XZ_MAGIC.every((b, i) => head[i] === b)) return 'xz';
  return 'none';
}

/** A decoder for the whole stream; its errors are ERR_COMPRESSION naming `what`. */
export async function archiveDecoder(format: Exclude<ArchiveCompression, 'none'>, what: string): Promise<Transform> {
  switch (format) {
    case 'gzip':
    case 'zstd':
      return getCodec(format).decompress(what) as Transform;
    // loaded on use: the WebAssembly module and the bzip2 tables cost start-up time
    case 'xz':
      return (await import('./xz-decoder.js')).createXzDecoder(what);
    case 'bzip2':
      return (await import('./bzip2-decoder.js')).createBzip2Decoder(what);
  }
}
