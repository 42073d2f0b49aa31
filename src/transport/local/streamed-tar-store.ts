import { Readable } from 'node:stream';
import type { ArchiveCompression } from '../../compression/archive-compression.js';
import type { Digest } from '../../oci/digest.js';
import type { ReadOptions } from '../types.js';
import type { ArchiveStore } from './archive-store.js';
import { safeRelative, tooLarge } from './file-store.js';
import { decompressedOpener, indexCompressedTar, type IndexedEntry } from './tar-decompressed.js';
import { resolveEntry } from './tar-links.js';
import { PassScheduler } from './tar-passes.js';

/**
 * A compressed tar archive (gzip, zstd, bzip2, xz) read as a stream, never inflated to
 * memory or disk: opening runs the index pass (tar-decompressed.ts), which also keeps
 * the small files; a large file is read by a later decompression pass (tar-passes.ts).
 * Reading a compressed archive therefore costs at least two decompressions, the price
 * of not needing disk space for the whole image.
 */
export class StreamedTarStore implements ArchiveStore {
  private constructor(
    readonly where: string,
    private readonly entries: Map<string, IndexedEntry>,
    private readonly passes: PassScheduler,
  ) {}

  static async open(file: string, where: string, format: Exclude<ArchiveCompression, 'none'>, opts: ReadOptions = {}): Promise<StreamedTarStore> {
    const open = decompressedOpener(file, format, where);
    const entries = await indexCompressedTar(open, where, opts.signal);
    return new StreamedTarStore(where, entries, new PassScheduler(open, where));
  }

  private entry(rel: string): IndexedEntry | undefined {
    return resolveEntry(this.entries, safeRelative(rel, this.where));
  }

  async readFile(rel: string, limit: number, opts?: ReadOptions): Promise<Buffer | undefined> {
    const e = this.entry(rel);
    if (!e) return undefined;
    if (e.size > limit) throw tooLarge(this.where, rel, e.size, limit);
    if (e.bytes) return e.bytes;
    const parts: Buffer[] = [];
    for await (const chunk of await this.passes.read(e.ordinal, 0, opts?.signal)) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  }

  async readHead(rel: string, n: number): Promise<Buffer | undefined> {
    const e = this.entry(rel);
    if (!e) return undefined;
    // the index pass kept HEAD_BYTES; callers sniff magic bytes, which are shorter
    return e.head.subarray(0, n);
  }

  knownDigest(rel: string): Digest | undefined {
    return this.entry(rel)?.digest;
  }

  async openFile(rel: string, offset: number, opts?: ReadOptions): Promise<{ stream: Readable; size: number } | undefined> {
    const e = this.entry(rel);
    if (!e) return undefined;
    const skip = Math.min(Math.max(offset, 0), e.size);
    if (skip === e.size) return { stream: Readable.from([]), size: e.size };
    if (e.bytes) return { stream: Readable.from([e.bytes.subarray(skip)]), size: e.size };
    return { stream: await this.passes.read(e.ordinal, skip, opts?.signal), size: e.size };
  }

  async size(rel: string): Promise<number | undefined> {
    return this.entry(rel)?.size;
  }

  async close(): Promise<void> {
    this.passes.close();
  }
}
