import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { FerryError } from '../../errors.js';
import type { ReadOptions } from '../types.js';
import type { FileStore } from './file-store.js';
import { rangeStream, safeRelative, tooLarge } from './file-store.js';
import { BLOCK, isZeroBlock, paddedSize, parseHeader, parsePax } from './tar-header.js';
import type { TarEntryType } from './tar-header.js';

/**
 * A tar archive read in place. Opening scans only the headers (one 512-byte read per
 * entry, seeking over the data), and every later read is a byte range of the archive
 * file, so a multi-gigabyte archive is neither extracted nor read twice.
 *
 * The one exception is a compressed archive (`docker save | gzip`): a gzip stream cannot
 * be read at an offset, so it is inflated once into a temp file that close() removes.
 */

export interface TarEntry {
  name: string;
  type: TarEntryType;
  dataOffset: number;
  size: number;
  linkname: string;
}

const MAX_LINK_HOPS = 16;
const MAX_EXTENDED_HEADER = 1024 * 1024;

function normalizeName(name: string): string | undefined {
  const n = posix.normalize(name.replace(/^\.?\/+/, '')).replace(/\/+$/, '');
  if (n === '' || n === '.' || n === '..' || n.startsWith('../')) return undefined;
  return n;
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

async function scan(fh: FileHandle, where: string): Promise<Map<string, TarEntry>> {
  const entries = new Map<string, TarEntry>();
  const { size: fileSize } = await fh.stat();
  let pos = 0;
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  while (pos < fileSize) {
    // A tar may end without its two zero blocks, but never inside a header.
    if (pos + BLOCK > fileSize) throw new FerryError('ERR_LAYOUT', `${where}: truncated tar archive (partial header at byte ${pos})`);
    const block = await readAt(fh, pos, BLOCK);
    if (isZeroBlock(block)) break;
    const h = parseHeader(block, pos, where);
    const size = pax['size'] !== undefined ? Number(pax['size']) : h.size;
    const dataOffset = pos + BLOCK;
    if (dataOffset + size > fileSize) {
      throw new FerryError('ERR_LAYOUT', `${where}: truncated tar archive (entry "${h.name}" ends past the end of the file)`);
    }
    pos = dataOffset + paddedSize(size);
    if (h.type === 'pax' || h.type === 'gnu-long-name' || h.type === 'gnu-long-link') {
      if (size > MAX_EXTENDED_HEADER) throw new FerryError('ERR_LAYOUT', `${where}: oversized extended tar header at byte ${dataOffset - BLOCK}`);
      const data = await readAt(fh, dataOffset, size);
      if (h.type === 'pax') pax = parsePax(data);
      else if (h.type === 'gnu-long-name') longName = data.toString('utf8').replace(/\0+$/, '');
      else longLink = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (h.type === 'pax-global') continue;
    const name = normalizeName(pax['path'] ?? longName ?? h.name);
    const linkname = pax['linkpath'] ?? longLink ?? h.linkname;
    pax = {};
    longName = undefined;
    longLink = undefined;
    if (name !== undefined) entries.set(name, { name, type: h.type, dataOffset, size, linkname });
  }
  return entries;
}

type Compression = 'none' | 'gzip';

async function sniffCompression(fh: FileHandle, where: string): Promise<Compression> {
  const head = await readAt(fh, 0, 6);
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  const unsupported =
    (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd && 'zstd') ||
    (head.subarray(0, 3).toString('latin1') === 'BZh' && 'bzip2') ||
    (head[0] === 0xfd && head.subarray(1, 6).toString('latin1') === '7zXZ\0' && 'xz');
  if (unsupported) {
    throw new FerryError('ERR_UNSUPPORTED', `${where}: ${unsupported}-compressed archives are not supported; decompress it first`);
  }
  return 'none';
}

export interface TarStoreOptions extends ReadOptions {
  /** Where a compressed archive is inflated (default: the OS temp dir). */
  tmpDir?: string;
}

export class TarStore implements FileStore {
  private constructor(
    private readonly file: string,
    readonly where: string,
    private readonly entries: Map<string, TarEntry>,
    private readonly tempDir: string | undefined,
  ) {}

  static async open(archive: string, where: string, opts: TarStoreOptions = {}): Promise<TarStore> {
    let fh = await open(archive, 'r').catch((e: unknown) => {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new FerryError('ERR_NOT_FOUND', `${where}: no such archive "${archive}"`);
      if (code === 'EISDIR') throw new FerryError('ERR_LAYOUT', `${where}: "${archive}" is a directory, expected a tar archive`);
      throw e;
    });
    let file = archive;
    let tempDir: string | undefined;
    try {
      if ((await fh.stat()).isDirectory()) {
        throw new FerryError('ERR_LAYOUT', `${where}: "${archive}" is a directory, expected a tar archive`);
      }
      if ((await sniffCompression(fh, where)) === 'gzip') {
        await fh.close();
        tempDir = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'ferry-archive-'));
        file = join(tempDir, 'archive.tar');
        await pipeline(createReadStream(archive), createGunzip(), createWriteStream(file), { signal: opts.signal }).catch((e: unknown) => {
          throw new FerryError('ERR_LAYOUT', `${where}: cannot decompress archive: ${(e as Error).message}`, { cause: e });
        });
        fh = await open(file, 'r');
      }
      const entries = await scan(fh, where);
      return new TarStore(file, where, entries, tempDir);
    } catch (e) {
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
      throw e;
    } finally {
      await fh.close().catch(() => undefined);
    }
  }

  /** The regular-file entry at `rel`, following symlinks and hard links (docker save links shared layers). */
  entry(rel: string): TarEntry | undefined {
    let name: string | undefined = safeRelative(rel, this.where);
    for (let hop = 0; hop < MAX_LINK_HOPS && name !== undefined; hop++) {
      const e = this.entries.get(name);
      if (!e) return undefined;
      if (e.type === 'file') return e;
      if (e.type === 'symlink') {
        name = normalizeName(e.linkname.startsWith('/') ? e.linkname : posix.join(posix.dirname(e.name), e.linkname));
      } else if (e.type === 'hardlink') {
        name = normalizeName(e.linkname);
      } else {
        return undefined;
      }
    }
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

  async close(): Promise<void> {
    if (this.tempDir) await rm(this.tempDir, { recursive: true, force: true });
  }
}
