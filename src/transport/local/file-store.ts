import { open, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { FerryError } from '../../errors.js';
import { fileRange } from '../../stream/file-range.js';
import type { ReadOptions } from '../types.js';

/**
 * Read access to the files of an image location, addressed by relative POSIX paths
 * ("index.json", "blobs/sha256/…"). A directory and an indexed tar archive both provide
 * it, so the OCI layout reader is written once for `oci:` and `oci-archive:`.
 */
export interface FileStore {
  /** The path as the user wrote it, for messages. */
  readonly where: string;
  /** A whole small file, or undefined when it does not exist. Refuses files over `limit`. */
  readFile(rel: string, limit: number, opts?: ReadOptions): Promise<Buffer | undefined>;
  /** A stream of the file from `offset`, or undefined when it does not exist. */
  openFile(rel: string, offset: number, opts?: ReadOptions): Promise<{ stream: Readable; size: number } | undefined>;
  /** Size in bytes, or undefined when the file does not exist. */
  size(rel: string): Promise<number | undefined>;
  close(): Promise<void>;
}

/** Paths come from manifests and archives we did not write; none may climb out of the store. */
export function safeRelative(rel: string, where: string): string {
  const norm = posix.normalize(rel.replace(/^\.?\/+/, ''));
  if (norm === '..' || norm.startsWith('../') || posix.isAbsolute(norm) || norm === '.') {
    throw new FerryError('ERR_LAYOUT', `${where}: refusing path "${rel}" outside the image`);
  }
  return norm;
}

export function tooLarge(where: string, rel: string, size: number, limit: number): FerryError {
  return new FerryError('ERR_TOO_LARGE', `${where}: ${rel} is ${size} bytes, over the ${limit}-byte limit`);
}

/** A byte range of a file as a stream; an empty range is an empty stream (fs refuses end < start). */
export function rangeStream(file: string, start: number, length: number, signal?: AbortSignal): Readable {
  if (length <= 0) return Readable.from([]);
  return fileRange(file, start, length, signal);
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export class DirectoryStore implements FileStore {
  private constructor(
    readonly root: string,
    readonly where: string,
  ) {}

  /** Fails with ERR_NOT_FOUND when `root` is not an existing directory. */
  static async open(root: string, where: string): Promise<DirectoryStore> {
    const st = await stat(root).catch((e: unknown) => {
      if (isMissing(e)) throw new FerryError('ERR_NOT_FOUND', `${where}: no such directory "${root}"`);
      throw e;
    });
    if (!st.isDirectory()) throw new FerryError('ERR_LAYOUT', `${where}: "${root}" is not a directory`);
    return new DirectoryStore(root, where);
  }

  private path(rel: string): string {
    return join(this.root, safeRelative(rel, this.where));
  }

  async readFile(rel: string, limit: number, opts?: ReadOptions): Promise<Buffer | undefined> {
    let fh;
    try {
      fh = await open(this.path(rel), 'r');
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
    try {
      const { size } = await fh.stat();
      if (size > limit) throw tooLarge(this.where, rel, size, limit);
      return await fh.readFile({ signal: opts?.signal });
    } finally {
      await fh.close();
    }
  }

  async openFile(rel: string, offset: number, opts?: ReadOptions): Promise<{ stream: Readable; size: number } | undefined> {
    const size = await this.size(rel);
    if (size === undefined) return undefined;
    const start = Math.min(Math.max(offset, 0), size);
    return { stream: rangeStream(this.path(rel), start, size - start, opts?.signal), size };
  }

  async size(rel: string): Promise<number | undefined> {
    try {
      const st = await stat(this.path(rel));
      return st.isFile() ? st.size : undefined;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async close(): Promise<void> {}
}
