import { open } from 'node:fs/promises';
import { FerryError } from '../../errors.js';
import { ARCHIVE_MAGIC_BYTES, sniffArchiveCompression } from '../../compression/archive-compression.js';
import type { Digest } from '../../oci/digest.js';
import type { ReadOptions } from '../types.js';
import type { FileStore } from './file-store.js';
import { TarStore } from './tar-store.js';

/**
 * The files of a tar archive (`oci-archive:`, `docker-archive:`), plain or compressed.
 * A plain tar is read in place (TarStore); a compressed one (`docker save | xz`) is
 * streamed through its decoder (StreamedTarStore), never inflated to disk.
 */
export interface ArchiveStore extends FileStore {
  /** The first `n` bytes of a file (fewer when it is shorter), e.g. to sniff its compression. */
  readHead(rel: string, n: number): Promise<Buffer | undefined>;
  /** The sha256 digest of a file when opening already computed it, so callers need not read it again. */
  knownDigest(rel: string): Digest | undefined;
}

export type ArchiveStoreOptions = ReadOptions;

export async function openArchiveStore(archive: string, where: string, opts: ArchiveStoreOptions = {}): Promise<ArchiveStore> {
  const fh = await open(archive, 'r').catch((e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new FerryError('ERR_NOT_FOUND', `${where}: no such archive "${archive}"`);
    if (code === 'EISDIR') throw new FerryError('ERR_LAYOUT', `${where}: "${archive}" is a directory, expected a tar archive`);
    throw e;
  });
  let format;
  try {
    if ((await fh.stat()).isDirectory()) throw new FerryError('ERR_LAYOUT', `${where}: "${archive}" is a directory, expected a tar archive`);
    const head = Buffer.alloc(ARCHIVE_MAGIC_BYTES);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    format = sniffArchiveCompression(head.subarray(0, bytesRead));
    if (format === 'none') return await TarStore.scan(archive, fh, where);
  } finally {
    await fh.close().catch(() => undefined);
  }
  // loaded on use: only compressed archives need the decoders and the pass machinery
  const { StreamedTarStore } = await import('./streamed-tar-store.js');
  return StreamedTarStore.open(archive, where, format, opts);
}
