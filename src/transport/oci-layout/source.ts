import { DigestMismatchError, FerryError, SizeMismatchError } from '../../errors.js';
import type { Descriptor } from '../../oci/descriptor.js';
import type { Digest } from '../../oci/digest.js';
import { digestOf, parseDigest } from '../../oci/digest.js';
import type { RawManifest } from '../../oci/manifest.js';
import { manifestTooLarge, parseManifest } from '../../oci/manifest.js';
import { MAX_LAYOUT_INDEX_BYTES, MAX_MANIFEST_BYTES } from '../../oci/limits.js';
import type { BlobStream, ImageSource, ManifestHead, ReadOptions } from '../types.js';
import { DirectoryStore } from '../local/file-store.js';
import type { FileStore } from '../local/file-store.js';
import type { LayoutIndex } from './layout.js';
import { INDEX_FILE, LAYOUT_FILE, blobPath, checkLayoutFile, parseIndexJson, refNameOf, resolveRef, sharedBlobPath } from './layout.js';

/**
 * Reads an OCI image layout from any FileStore: a directory (`oci:`) or a tar archive
 * read in place (`oci-archive:`). index.json is read once at open; the ref is resolved
 * when the root manifest is asked for, so a layout with several images can still list
 * its tags.
 */
export class OciLayoutSource implements ImageSource {
  private constructor(
    private readonly store: FileStore,
    private readonly index: LayoutIndex,
    private readonly ref: string | undefined,
    readonly description: string,
    private readonly blobs: BlobFiles,
  ) {}

  static async open(store: FileStore, ref: string | undefined, description: string, opts?: ReadOptions, blobs?: BlobFiles): Promise<OciLayoutSource> {
    const layoutFile = await store.readFile(LAYOUT_FILE, 4096, opts);
    if (layoutFile) checkLayoutFile(layoutFile, description);
    const bytes = await store.readFile(INDEX_FILE, MAX_LAYOUT_INDEX_BYTES, opts);
    if (!bytes) {
      throw new FerryError('ERR_LAYOUT', `${description}: not an OCI image layout (no index.json in "${store.where}")`);
    }
    return new OciLayoutSource(store, parseIndexJson(bytes, description), ref, description, blobs ?? { store, path: blobPath });
  }

  /** The index.json entry the location names. */
  rootDescriptor(): Descriptor {
    return resolveRef(this.index, this.ref, this.description);
  }

  async getManifest(ref: Digest | undefined, opts?: ReadOptions): Promise<RawManifest> {
    if (ref === undefined) {
      const root = this.rootDescriptor();
      return this.readManifest(root.digest, root.mediaType, root.size, opts);
    }
    const digest = parseDigest(ref, 'manifest digest');
    const listed = this.index.manifests.find((m) => m.digest === digest);
    return this.readManifest(digest, listed?.mediaType, listed?.size, opts);
  }

  private async readManifest(digest: Digest, mediaType: string | undefined, size: number | undefined, opts?: ReadOptions): Promise<RawManifest> {
    const what = `manifest ${digest} in ${this.description}`;
    // the file's size (or index.json's word for it) is checked before a byte is read
    const stored = await this.blobs.store.size(this.blobs.path(digest));
    if (Math.max(size ?? 0, stored ?? 0) > MAX_MANIFEST_BYTES) throw manifestTooLarge(what, Math.max(size ?? 0, stored ?? 0));
    const bytes = await this.blobs.store.readFile(this.blobs.path(digest), MAX_MANIFEST_BYTES, opts);
    if (!bytes) throw new FerryError('ERR_NOT_FOUND', `${this.description}: manifest ${digest} not found (no ${this.blobFile(digest)})`);
    if (size !== undefined && bytes.byteLength !== size) throw new SizeMismatchError(what, size, bytes.byteLength);
    const actual = digestOf(bytes, digest);
    if (actual !== digest) throw new DigestMismatchError(what, digest, actual);
    // The body's own mediaType wins; index.json's entry only helps when the body has none.
    return { bytes, mediaType: parseManifest(bytes, mediaType).mediaType, digest };
  }

  async getBlob(desc: Descriptor, opts?: ReadOptions & { offset?: number }): Promise<BlobStream> {
    const offset = opts?.offset ?? 0;
    const file = await this.blobs.store.openFile(this.blobs.path(desc.digest), offset, opts);
    if (!file) throw new FerryError('ERR_NOT_FOUND', `${this.description}: blob ${desc.digest} not found (no ${this.blobFile(desc.digest)})`);
    return { stream: file.stream, offset: Math.min(offset, file.size) };
  }

  /** The missing file, as the user would look for it. */
  private blobFile(digest: Digest): string {
    return this.blobs.store === this.store ? this.blobs.path(digest) : `${this.blobs.store.where}/${this.blobs.path(digest)}`;
  }

  async listTags(): Promise<string[]> {
    const names = this.index.manifests.map(refNameOf).filter((n): n is string => n !== undefined);
    return [...new Set(names)];
  }

  /** A layout has no referrers API: its attachments are found by ref name (the tag schema, cosign tags). */
  async listReferrers(): Promise<'unsupported'> {
    return 'unsupported';
  }

  async getTaggedManifest(tag: string, opts?: ReadOptions): Promise<RawManifest | undefined> {
    const entry = this.taggedEntry(tag);
    return entry && this.readManifest(entry.digest, entry.mediaType, entry.size, opts);
  }

  async headTag(tag: string): Promise<ManifestHead | undefined> {
    const entry = this.taggedEntry(tag);
    return entry && { digest: entry.digest, mediaType: entry.mediaType, size: entry.size };
  }

  /** The entry a ref name points at; the last one wins, as for the location's own ref. */
  private taggedEntry(tag: string): Descriptor | undefined {
    const hits = this.index.manifests.filter((m) => refNameOf(m) === tag);
    return hits[hits.length - 1];
  }

  async close(): Promise<void> {
    await this.store.close();
    if (this.blobs.store !== this.store) await this.blobs.store.close();
  }
}

/** Where a layout's blobs are read from: its own blobs/ folder, or a shared blob directory. */
export interface BlobFiles {
  store: FileStore;
  path: (digest: Digest) => string;
}

export async function openOciLayoutSource(
  path: string,
  ref: string | undefined,
  description: string,
  opts?: ReadOptions & { sharedBlobDir?: string },
): Promise<OciLayoutSource> {
  const store = await DirectoryStore.open(path, description);
  const shared = opts?.sharedBlobDir;
  const blobs = shared === undefined ? undefined : { store: await DirectoryStore.open(shared, `${description} (shared blob directory)`), path: sharedBlobPath };
  return OciLayoutSource.open(store, ref, description, opts, blobs);
}
