import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { archiveDecoder, type ArchiveCompression } from '../../compression/archive-compression.js';
import { AbortedError } from '../../errors.js';
import type { Digest } from '../../oci/digest.js';
import { StreamTarSource } from './tar-stream-source.js';
import { walkTar, type WalkedEntry } from './tar-walk.js';

/** One read of a compressed archive from its first byte: the file through its decoder. */
export interface Decompressed {
  source: StreamTarSource;
  stop(): Promise<void>;
}

export type OpenDecompressed = () => Promise<Decompressed>;

export function decompressedOpener(file: string, format: Exclude<ArchiveCompression, 'none'>, where: string): OpenDecompressed {
  return async () => {
    const decoder = await archiveDecoder(format, where);
    // a read error of the file reaches the decoder, and through it the tar walk
    const out = pipeline(createReadStream(file, { highWaterMark: 1024 * 1024 }), decoder, () => undefined);
    const source = new StreamTarSource(out);
    return {
      source,
      stop: async () => {
        await source.close().catch(() => undefined);
        out.destroy();
      },
    };
  };
}

/** An entry of a compressed archive as the index pass saw it. */
export interface IndexedEntry extends WalkedEntry {
  /** Position in the archive, counted the same way by every pass. */
  ordinal: number;
  /** sha256 of the data (regular files only). */
  digest?: Digest;
  /** The first HEAD_BYTES of the data. */
  head: Buffer;
  /** The whole data, for small files (manifests, configs), so they never cost another pass. */
  bytes?: Buffer;
}

export const HEAD_BYTES = 16;
/** Files up to this size are kept from the index pass... */
const MAX_KEPT_FILE = 1024 * 1024;
/** ...while they fit in this much memory in all. */
const KEPT_BUDGET = 16 * 1024 * 1024;

/**
 * The index pass: one decompression of the whole archive that records every entry, its
 * position, size, sha256 and first bytes, and keeps small files. A docker archive names
 * its layers in manifest.json, which `docker save` writes after them, so nothing can be
 * served before this pass has seen everything.
 */
export async function indexCompressedTar(open: OpenDecompressed, where: string, signal?: AbortSignal): Promise<Map<string, IndexedEntry>> {
  const entries = new Map<string, IndexedEntry>();
  const stream = await open();
  const onAbort = (): void => void stream.stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  let kept = 0;
  let ordinal = 0;
  try {
    for await (const e of walkTar(stream.source, where)) {
      const entry: IndexedEntry = { ...e, ordinal: ordinal++, head: Buffer.alloc(0) };
      if (e.type === 'file') {
        const hash = createHash('sha256');
        const keep = e.size <= MAX_KEPT_FILE && kept + e.size <= KEPT_BUDGET;
        const parts: Buffer[] = [];
        let head = Buffer.alloc(0);
        for await (const chunk of stream.source.chunks(e.size)) {
          hash.update(chunk);
          if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
          if (keep) parts.push(chunk);
        }
        entry.digest = `sha256:${hash.digest('hex')}`;
        entry.head = head;
        if (keep) {
          entry.bytes = Buffer.concat(parts);
          kept += e.size;
        }
      }
      entries.set(e.name, entry);
    }
    // read to the end: only there can a decoder tell a complete file from a cut one
    for await (const _rest of stream.source.chunks(Number.POSITIVE_INFINITY));
  } catch (e) {
    if (signal?.aborted) throw new AbortedError();
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await stream.stop();
  }
  return entries;
}
