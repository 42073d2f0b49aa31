import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Digest } from '../../oci/digest.js';
import type { ReadOptions } from '../types.js';
import type { ArchiveStore } from './archive-store.js';
import { rangeStream, safeRelative, tooLarge } from './file-store.js';
import { resolveEntry } from './tar-links.js';
import { FileTarSource, walkTar } from './tar-walk.js';
import type { WalkedEntry } from './tar-walk.js';

/**
 * A plain tar archive read in place. Opening scans only the headers (one 512-byte read
 * per entry, seeking over the data), and every later read is a byte range of the archive
 * file, so a multi-gigabyte archive is neither extracted nor read twice. Compressed
 * archives are read by StreamedTarStore instead (see archive-store.ts).
 */

export type TarEntry = WalkedEntry;

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

async function scan(fh: FileHandle, where: string): Promise<Map<string, TarEntry>> {
  const entries = new Map<string, TarEntry>();
  const { size } = await fh.stat();
  for await (const e of walkTar(new FileTarSource(fh, size), where)) entries.set(e.name, e);
  return entries;
}

export class TarStore implements ArchiveStore {
  private constructor(
    private readonly file: string,
    readonly where: string,
    private readonly entries: Map<string, TarEntry>,
  ) {}

  /** Indexes the plain tar open at `fh` (the caller closes it). */
  static async scan(file: string, fh: FileHandle, where: string): Promise<TarStore> {
    return new TarStore(file, where, await scan(fh, where));
  }

  /** The regular-file entry at `rel`, following symlinks and hard links (docker save links shared layers). */
  entry(rel: string): TarEntry | undefined {
    return resolveEntry(this.entries, safeRelative(rel, this.where));
  }

  /** Plain archives are not hashed while indexed; callers hash what they need. */
  knownDigest(): Digest | undefined {
    return undefined;
  }

  /** Names of all entries, in archive order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  async readFile(rel: string, limit: number): Promise<Buffer | undefined> {
    const e = this.entry(rel);
    if (!e) return undefined;
    if (e.size > limit) throw tooLarge(this.where, rel, e.size, limit);
    const fh = await open(this.file, 'r');
    try {
      return await readAt(fh, e.dataOffset, e.size);
    } finally {
      await fh.close();
    }
  }

  /** The first `n` bytes of an entry (fewer when it is shorter), e.g. to sniff compression. */
  async readHead(rel: string, n: number): Promise<Buffer | undefined> {
    const e = this.entry(rel);
    if (!e) return undefined;
    const fh = await open(this.file, 'r');
    try {
      return await readAt(fh, e.dataOffset, Math.min(n, e.size));
    } finally {
      await fh.close();
    }
  }

  async openFile(rel: string, offset: number, opts?: ReadOptions): Promise<{ stream: Readable; size: number } | undefined> {
    const e = this.entry(rel);
    if (!e) return undefined;
    const skip = Math.min(Math.max(offset, 0), e.size);
    return { stream: rangeStream(this.file, e.dataOffset + skip, e.size - skip, opts?.signal), size: e.size };
  }

  async size(rel: string): Promise<number | undefined> {
    return this.entry(rel)?.size;
  }

  async close(): Promise<void> {}
}
