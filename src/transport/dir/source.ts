import { FerryError } from '../../errors.js';
import type { Descriptor } from '../../oci/descriptor.js';
import type { Digest } from '../../oci/digest.js';
import { digestOf } from '../../oci/digest.js';
import type { RawManifest } from '../../oci/manifest.js';
import { manifestTooLarge, parseManifest } from '../../oci/manifest.js';
import { MAX_MANIFEST_BYTES } from '../../oci/limits.js';
import type { BlobStream, ImageSource, ReadOptions } from '../types.js';
import { DirectoryStore } from '../local/file-store.js';
import { MANIFEST_FILE, VERSION_FILE, blobFileName, checkVersion } from './layout.js';

/** Reads a `dir:` image; its one manifest is manifest.json, byte for byte. */
export class DirSource implements ImageSource {
  private constructor(
    private readonly store: DirectoryStore,
    private readonly manifest: RawManifest,
    readonly description: string,
  ) {}

  static async open(path: string, description: string, opts?: ReadOptions): Promise<DirSource> {
    const store = await DirectoryStore.open(path, description);
    const version = await store.readFile(VERSION_FILE, 1024, opts);
    if (version) checkVersion(version.toString('utf8'), description);
    const stored = await store.size(MANIFEST_FILE);
    if (stored !== undefined && stored > MAX_MANIFEST_BYTES) throw manifestTooLarge(`${MANIFEST_FILE} of ${description}`, stored);
    const bytes = await store.readFile(MANIFEST_FILE, MAX_MANIFEST_BYTES, opts);
    if (!bytes) throw new FerryError('ERR_LAYOUT', `${description}: not a dir: image (no manifest.json in "${path}")`);
    const manifest: RawManifest = { bytes, mediaType: parseManifest(bytes).mediaType, digest: digestOf(bytes) };
    return new DirSource(store, manifest, description);
  }

  async getManifest(ref: Digest | undefined): Promise<RawManifest> {
    if (ref === undefined) return this.manifest;
    // A digest in another algorithm may still name these bytes.
    if (ref === this.manifest.digest || digestOf(this.manifest.bytes, ref) === ref) return { ...this.manifest, digest: ref };
    throw new FerryError('ERR_NOT_FOUND', `${this.description}: manifest ${ref} not found (a dir: image holds only ${this.manifest.digest})`);
  }

  async getBlob(desc: Descriptor, opts?: ReadOptions & { offset?: number }): Promise<BlobStream> {
    const offset = opts?.offset ?? 0;
    const file = await this.store.openFile(blobFileName(desc.digest), offset, opts);
    if (!file) throw new FerryError('ERR_NOT_FOUND', `${this.description}: blob ${desc.digest} not found (no file ${blobFileName(desc.digest)})`);
    return { stream: file.stream, offset: Math.min(offset, file.size) };
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
