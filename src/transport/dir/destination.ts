import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DigestMismatchError, FerryError } from '../../errors.js';
import type { Descriptor } from '../../oci/descriptor.js';
import type { Digest } from '../../oci/digest.js';
import { digestOf } from '../../oci/digest.js';
import type { RawManifest } from '../../oci/manifest.js';
import { parseManifest } from '../../oci/manifest.js';
import type { ImageDestination, PutBlobOptions } from '../types.js';
import { writeFileAtomic, writeUnknownBlob, writeVerifiedBlob } from '../local/blob-file.js';
import { TempFiles } from '../local/temp-files.js';
import { DIR_VERSION, MANIFEST_FILE, VERSION_FILE, blobFileName, checkVersion, isBlobFileName } from './layout.js';

function missing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Writes a `dir:` image. Like skopeo it refuses a non-empty folder that is not a dir:
 * image, and replaces the image in one that is. Unlike skopeo it empties nothing up
 * front: blobs land under temp names and are renamed once verified, manifest.json is
 * replaced in commit(), and only then are blobs of the previous image removed, so an
 * aborted copy leaves the old image readable.
 */
export class DirDestination implements ImageDestination {
  readonly supportsIndex = false;
  private readonly temps = new TempFiles();
  private manifest: RawManifest | undefined;
  private committed = false;
  private prepared: Promise<void> | undefined;

  private constructor(
    readonly path: string,
    readonly description: string,
    private readonly createdByUs: boolean,
  ) {}

  static async open(path: string, description: string): Promise<DirDestination> {
    const st = await stat(path).catch((e: unknown) => (missing(e) ? undefined : Promise.reject(e)));
    if (!st) return new DirDestination(path, description, true);
    if (!st.isDirectory()) throw new FerryError('ERR_LAYOUT', `${description}: "${path}" exists and is not a directory`);
    const entries = await readdir(path);
    if (entries.length > 0) {
      const version = await readFile(join(path, VERSION_FILE), 'utf8').catch((e: unknown) => (missing(e) ? undefined : Promise.reject(e)));
      if (version === undefined) {
        throw new FerryError('ERR_LAYOUT', `${description}: "${path}" is not empty and has no version file; refusing to overwrite it`);
      }
      checkVersion(version, description);
    }
    return new DirDestination(path, description, false);
  }

  private prepare(): Promise<void> {
    this.prepared ??= mkdir(this.path, { recursive: true }).then(() => undefined);
    return this.prepared;
  }

  private file(digest: Digest): string {
    return join(this.path, blobFileName(digest));
  }

  async hasBlob(desc: Descriptor): Promise<boolean> {
    const st = await stat(this.file(desc.digest)).catch((e: unknown) => (missing(e) ? undefined : Promise.reject(e)));
    return st !== undefined && st.isFile() && st.size === desc.size;
  }

  /** True when manifest.json already holds exactly these bytes. */
  async hasManifest(digest: Digest): Promise<boolean> {
    const bytes = await readFile(join(this.path, MANIFEST_FILE)).catch((e: unknown) => (missing(e) ? undefined : Promise.reject(e)));
    return bytes !== undefined && digestOf(bytes, digest) === digest;
  }

  async putBlob(desc: Descriptor, body: Readable, opts?: PutBlobOptions): Promise<void> {
    await this.prepare();
    await writeVerifiedBlob(this.file(desc.digest), this.path, this.temps, desc, body, opts);
  }

  async putBlobUnknown(body: Readable, result: () => { digest: Digest; size: number }, opts?: PutBlobOptions): Promise<void> {
    await this.prepare();
    await writeUnknownBlob((d) => this.file(d), this.path, this.temps, body, result, opts);
  }

  /** Kept in memory until commit; a dir: image is one manifest, so an index is refused. */
  async putManifest(raw: RawManifest): Promise<void> {
    const actual = digestOf(raw.bytes, raw.digest);
    if (actual !== raw.digest) throw new DigestMismatchError(`manifest for ${this.description}`, raw.digest, actual);
    if (parseManifest(raw.bytes, raw.mediaType).kind === 'index') {
      throw new FerryError('ERR_UNSUPPORTED', `${this.description}: a dir: image cannot hold an index (${raw.digest}); choose one platform`);
    }
    this.manifest = raw;
  }

  async commit(): Promise<void> {
    if (this.committed || !this.manifest) return;
    await this.prepare();
    await writeFileAtomic(join(this.path, VERSION_FILE), Buffer.from(DIR_VERSION, 'utf8'), this.temps);
    await writeFileAtomic(join(this.path, MANIFEST_FILE), this.manifest.bytes, this.temps);
    this.committed = true;
    await this.removeStaleBlobs(this.manifest);
  }

  /** Blobs the new manifest does not name belong to the image it replaced. */
  private async removeStaleBlobs(raw: RawManifest): Promise<void> {
    const m = parseManifest(raw.bytes, raw.mediaType);
    if (m.kind !== 'image') return;
    const keep = new Set([m.config, ...m.layers].map((d) => blobFileName(d.digest)));
    for (const name of await readdir(this.path)) {
      if (isBlobFileName(name) && !keep.has(name)) await rm(join(this.path, name), { force: true });
    }
  }

  async abort(): Promise<void> {
    await this.temps.removeAll();
    if (this.createdByUs && !this.committed) await rm(this.path, { recursive: true, force: true });
  }
}
