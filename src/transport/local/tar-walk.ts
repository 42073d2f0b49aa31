import type { FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { FerryError } from '../../errors.js';
import { BLOCK, isZeroBlock, paddedSize, parseHeader, parsePax } from './tar-header.js';
import type { TarEntryType } from './tar-header.js';

/**
 * One walk over the entries of a tar, shared by the two ways archives are read: a plain
 * tar file (headers read in place, data skipped by seeking) and a decompressed stream
 * (everything read in order). pax and GNU long-name headers are folded into the entry
 * they describe, so both readers see the same entries in the same order.
 */

/** Sequential input: the walk reads headers from it and skips what the caller left of each entry. */
export interface TarSource {
  /** Bytes consumed so far. */
  readonly position: number;
  /** Up to `n` bytes (fewer only at the end of the input). */
  read(n: number): Promise<Buffer>;
  /** Moves past `n` bytes; false when the input ended first. */
  skip(n: number): Promise<boolean>;
}

export interface WalkedEntry {
  name: string;
  type: TarEntryType;
  /** Where the entry's data starts in the (uncompressed) tar. */
  dataOffset: number;
  size: number;
  linkname: string;
}

const MAX_EXTENDED_HEADER = 1024 * 1024;

/** A relative POSIX name, or undefined for names that would leave the archive. */
export function normalizeName(name: string): string | undefined {
  const n = posix.normalize(name.replace(/^\.?\/+/, '')).replace(/\/+$/, '');
  if (n === '' || n === '.' || n === '..' || n.startsWith('../')) return undefined;
  return n;
}

function truncated(where: string, what: string): FerryError {
  return new FerryError('ERR_LAYOUT', `${where}: truncated tar archive (${what})`);
}

/**
 * Yields each entry with the source positioned at its data; the caller may read any
 * part of it before asking for the next entry. A tar may end without its two zero
 * blocks, but never inside a header or an entry.
 */
export async function* walkTar(src: TarSource, where: string): AsyncGenerator<WalkedEntry> {
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const at = src.position;
    const block = await src.read(BLOCK);
    if (block.length === 0) return;
    if (block.length < BLOCK) throw truncated(where, `partial header at byte ${at}`);
    if (isZeroBlock(block)) return;
    const h = parseHeader(block, at, where);
    const size = pax['size'] !== undefined ? Number(pax['size']) : h.size;
    const dataOffset = at + BLOCK;
    const end = dataOffset + paddedSize(size);
    const skipRest = async (name: string): Promise<void> => {
      if (!(await src.skip(end - src.position))) throw truncated(where, `entry "${name}" ends past the end of the file`);
    };
    if (h.type === 'pax' || h.type === 'gnu-long-name' || h.type === 'gnu-long-link') {
      if (size > MAX_EXTENDED_HEADER) throw new FerryError('ERR_LAYOUT', `${where}: oversized extended tar header at byte ${at}`);
      const data = await src.read(size);
      if (data.length < size) throw truncated(where, `extended header at byte ${at}`);
      await skipRest(h.name);
      if (h.type === 'pax') pax = parsePax(data);
      else if (h.type === 'gnu-long-name') longName = data.toString('utf8').replace(/\0+$/, '');
      else longLink = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (h.type === 'pax-global') {
      await skipRest(h.name);
      continue;
    }
    const rawName = pax['path'] ?? longName ?? h.name;
    const name = normalizeName(rawName);
    const linkname = pax['linkpath'] ?? longLink ?? h.linkname;
    pax = {};
    longName = undefined;
    longLink = undefined;
    if (name !== undefined) yield { name, type: h.type, dataOffset, size, linkname };
    await skipRest(rawName);
  }
}

/** A plain tar file: reads are positioned, skips cost nothing. */
export class FileTarSource implements TarSource {
  position = 0;

  constructor(
    private readonly fh: FileHandle,
    private readonly fileSize: number,
  ) {}

  async read(n: number): Promise<Buffer> {
    const length = Math.max(0, Math.min(n, this.fileSize - this.position));
    const buf = Buffer.alloc(length);
    const { bytesRead } = await this.fh.read(buf, 0, length, this.position);
    this.position += bytesRead;
    return buf.subarray(0, bytesRead);
  }

  async skip(n: number): Promise<boolean> {
    if (this.position + n > this.fileSize) {
      this.position = this.fileSize;
      return false;
    }
    this.position += n;
    return true;
  }
}
