import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DigestMismatchError, FerryError } from '../../errors.js';
import type { Descriptor } from '../../oci/descriptor.js';
import type { Digest } from '../../oci/digest.js';
import { digestOf } from '../../oci/digest.js';
import type { RawManifest } from '../../oci/manifest.js';
import type { ImageDestination, ManifestHead, PutBlobOptions, ReadOptions } from '../types.js';
import { PendingRefs, hasSubject } from './attachment-refs.js';
import { isAttachmentTag } from '../../oci/attachment-tag.js';
import { writeFileAtomic, writeUnknownBlob, writeVerifiedBlob } from '../local/blob-file.js';
import { TempFiles, removeOrphanTemps } from '../local/temp-files.js';
import { MAX_LAYOUT_INDEX_BYTES } from '../../oci/limits.js';
import { INDEX_LOCK_FILE, withIndexLock } from './index-lock.js';
import type { LayoutIndex } from './layout.js';
import {
  BLOBS_DIR,
  INDEX_FILE,
  LAYOUT_FILE,
  REF_NAME_ANNOTATION,
  blobPath,
  checkLayoutFile,
  sharedBlobPath,
  emptyIndex,
  encodeIndexJson,
  layoutFileBytes,
  parseIndexJson,
  refNameOf,
  withEntry,
} from './layout.js';

export interface OciLayoutDestinationOptions {
  /** The ref name index.json gives the root manifest (`oci:PATH:REF`). */
  ref?: string;
  description: string;
  /** More annotations for the index.json entry (docker-archive adds the full image name). */
  annotations?: Record<string, string>;
  /**
   * Store blobs (manifests included) in DIR/<algorithm>/<hex>, shared by several layouts,
   * instead of PATH/blobs/ (containers/image's OCISharedBlobDirPath). index.json and
   * oci-layout stay in PATH, whose blobs/ is created empty as skopeo does.
   */
  sharedBlobDir?: string;
}

function missing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ENOENT';
}

async function readOptional(file: string): Promise<Buffer | undefined> {
  return readFile(file).catch((e: unknown) => (missing(e) ? undefined : Promise.reject(e)));
}

/**
 * Writes into an OCI image layout directory, creating it when absent. Blobs and
 * manifests become visible only once verified (temp name in blobs/, then rename);
 * index.json changes only in commit(), in one rename, keeping every other entry.
 */
export class OciLayoutDestination implements ImageDestination {
  readonly supportsIndex = true;
  private readonly temps = new TempFiles();
  private tagged: { raw: RawManifest; tag: string } | undefined;
  private last: RawManifest | undefined;
  private prepared: Promise<void> | undefined;
  private committedRoot: Descriptor | undefined;
  private readonly attachmentRefs = new PendingRefs();

  private constructor(
    readonly path: string,
    private readonly opts: OciLayoutDestinationOptions,
    private readonly createdByUs: boolean,
  ) {}

  get description(): string {
    return this.opts.description;
  }

  /** Checks the target before any blob moves: an existing folder must be a sound layout or empty. */
  static async open(path: string, opts: OciLayoutDestinationOptions): Promise<OciLayoutDestination> {
    const where = opts.description;
    const st = await stat(path).catch((e: unknown) => (missing(e) ? undefined : Promise.reject(e)));
    if (!st) return new OciLayoutDestination(path, opts, true);
    if (!st.isDirectory()) throw new FerryError('ERR_LAYOUT', `${where}: "${path}" exists and is not a directory`);
    // Listed before the two files are read: another ferry creating this layout right now
    // may add them at any moment, and read first, a file missing then but listed after
    // looked like foreign content (it failed two concurrent copies into a new layout).
    const names = await readdir(path);
    const layoutFile = await readOptional(join(path, LAYOUT_FILE));
    if (layoutFile) checkLayoutFile(layoutFile, where);
    const index = await readOptional(join(path, INDEX_FILE));
    if (index) parseIndexJson(index, where);
    // another ferry creating this layout right now has made only these so far
    const settingUp = (name: string): boolean => name === BLOBS_DIR || name === INDEX_LOCK_FILE || name.startsWith('.ferry-');
    if (!layoutFile && !index && names.some((name) => !settingUp(name))) {
      throw new FerryError('ERR_LAYOUT', `${where}: "${path}" is not empty and not an OCI layout (no oci-layout or index.json); refusing to write into it`);
    }
    return new OciLayoutDestination(path, opts, false);
  }

  /** The index.json entry written by commit(), once committed. */
  get committed(): Descriptor | undefined {
    return this.committedRoot;
  }

  /** The folder blobs are written under; temp files go there too, so renames stay on one filesystem. */
  private get blobRoot(): string {
    return this.opts.sharedBlobDir ?? join(this.path, BLOBS_DIR);
  }

  private prepare(): Promise<void> {
    this.prepared ??= (async () => {
      await mkdir(join(this.path, BLOBS_DIR), { recursive: true });
      await mkdir(join(this.blobRoot, 'sha256'), { recursive: true });
      // what a killed copy left half-written goes now; it was never visible under a real name
      await Promise.all([removeOrphanTemps(this.path), removeOrphanTemps(join(this.path, BLOBS_DIR))]);
      const layoutFile = join(this.path, LAYOUT_FILE);
      if (!(await readOptional(layoutFile))) await writeFileAtomic(layoutFile, layoutFileBytes(), this.temps);
    })();
    return this.prepared;
  }

  private file(digest: Digest): string {
    return this.opts.sharedBlobDir === undefined ? join(this.path, blobPath(digest)) : join(this.opts.sharedBlobDir, sharedBlobPath(digest));
  }

  async hasBlob(desc: Descriptor): Promise<boolean> {
    const st = await stat(this.file(desc.digest)).catch((e: unknown) => (missing(e) ? undefined : Promise.reject(e)));
    return st !== undefined && st.isFile() && st.size === desc.size;
  }

  /**
   * True when the manifest is stored and index.json lists it (under any name): then its
   * blobs were complete when it was committed, and the caller only needs to move the ref.
   * A manifest blob left behind by an aborted copy does not count.
   */
  async hasManifest(digest: Digest): Promise<boolean> {
    const index = await this.readIndex();
    if (!index.manifests.some((m) => m.digest === digest)) return false;
    return stat(this.file(digest)).then(() => true, () => false);
  }

  async putBlob(desc: Descriptor, body: Readable, opts?: PutBlobOptions): Promise<void> {
    await this.prepare();
    await writeVerifiedBlob(this.file(desc.digest), this.blobRoot, this.temps, desc, body, opts);
  }

  async putBlobUnknown(body: Readable, result: () => { digest: Digest; size: number }, opts?: PutBlobOptions): Promise<void> {
    await this.prepare();
    await writeUnknownBlob((d) => this.file(d), this.blobRoot, this.temps, body, result, opts);
  }

  async putManifest(raw: RawManifest, tag: string | undefined): Promise<void> {
    const actual = digestOf(raw.bytes, raw.digest);
    if (actual !== raw.digest) throw new DigestMismatchError(`manifest for ${this.description}`, raw.digest, actual);
    await this.prepare();
    if (!(await this.hasBlob({ mediaType: raw.mediaType, digest: raw.digest, size: raw.bytes.byteLength }))) {
      await writeFileAtomic(this.file(raw.digest), raw.bytes, this.temps, this.blobRoot);
    }
    if (tag !== undefined && isAttachmentTag(tag)) return this.attachmentRefs.set(tag, raw);
    // Children come first and the root last; the root is the tagged one, or else the last
    // one that is not itself attached to another (a referrer, stored by digest).
    if (tag !== undefined) this.tagged = { raw, tag };
    if (tag !== undefined || !hasSubject(raw)) this.last = raw;
  }

  /** What a tag names: one stored since the last commit, else index.json's entry of that ref name. */
  private async taggedEntry(tag: string): Promise<{ desc: Descriptor; raw?: RawManifest } | undefined> {
    const pending = this.attachmentRefs.get(tag);
    if (pending) return { desc: { mediaType: pending.mediaType, digest: pending.digest, size: pending.bytes.byteLength }, raw: pending };
    const hits = (await this.readIndex()).manifests.filter((m) => refNameOf(m) === tag);
    const desc = hits[hits.length - 1];
    return desc ? { desc } : undefined;
  }

  async getTaggedManifest(tag: string): Promise<RawManifest | undefined> {
    const entry = await this.taggedEntry(tag);
    if (!entry) return undefined;
    if (entry.raw) return entry.raw;
    const bytes = await readOptional(this.file(entry.desc.digest));
    if (!bytes) throw new FerryError('ERR_LAYOUT', `${this.description}: index.json names ${tag} (${entry.desc.digest}) but its blob is missing`);
    const actual = digestOf(bytes, entry.desc.digest);
    if (actual !== entry.desc.digest) throw new DigestMismatchError(`manifest ${tag} in ${this.description}`, entry.desc.digest, actual);
    return { bytes, mediaType: entry.desc.mediaType, digest: actual };
  }

  async headTag(tag: string): Promise<ManifestHead | undefined> {
    const entry = await this.taggedEntry(tag);
    return entry ? { digest: entry.desc.digest, mediaType: entry.desc.mediaType, size: entry.desc.size } : undefined;
  }

  async listTags(): Promise<string[]> {
    const names = (await this.readIndex()).manifests.map(refNameOf).filter((n): n is string => n !== undefined);
    return [...new Set([...names, ...this.attachmentRefs.names()])];
  }

  private refName(tag: string | undefined): string | undefined {
    return this.opts.ref ?? tag;
  }

  private async readIndex(): Promise<LayoutIndex> {
    const bytes = await readOptional(join(this.path, INDEX_FILE));
    if (!bytes) return emptyIndex();
    if (bytes.byteLength > MAX_LAYOUT_INDEX_BYTES) throw new FerryError('ERR_TOO_LARGE', `${this.description}: index.json is over ${MAX_LAYOUT_INDEX_BYTES} bytes`);
    return parseIndexJson(bytes, this.description);
  }

  /** The root's index.json entry, until it has been committed. */
  private rootEntry(): Descriptor | undefined {
    const root = this.tagged?.raw ?? this.last;
    if (this.committedRoot || !root) return undefined;
    const ref = this.refName(this.tagged?.tag);
    const annotations = { ...this.opts.annotations, ...(ref !== undefined ? { [REF_NAME_ANNOTATION]: ref } : {}) };
    const entry: Descriptor = { mediaType: root.mediaType, digest: root.digest, size: root.bytes.byteLength };
    if (Object.keys(annotations).length) entry.annotations = annotations;
    return entry;
  }

  /** Writes the root's entry (once) and the attachment tags stored since the last commit. */
  async commit(opts: ReadOptions = {}): Promise<void> {
    const root = this.rootEntry();
    const entries = [...(root ? [root] : []), ...this.attachmentRefs.drain()];
    if (!entries.length) return;
    await this.prepare();
    // Re-read under the lock: another process may have tagged something since open, or
    // be rewriting index.json right now; its entries are kept.
    await withIndexLock(
      this.path,
      async () => {
        const index = entries.reduce(withEntry, await this.readIndex());
        await writeFileAtomic(join(this.path, INDEX_FILE), encodeIndexJson(index), this.temps);
      },
      opts,
    );
    if (root) this.committedRoot = root;
  }

  async abort(): Promise<void> {
    await this.temps.removeAll();
    if (!this.createdByUs || this.committedRoot || !this.prepared) return;
    // A layout this copy created goes again, unless another process has since committed
    // into it or is writing blobs into it (its temp files), as two copies into a new
    // layout do.
    await withIndexLock(this.path, async () => {
      if (await readOptional(join(this.path, INDEX_FILE))) return;
      const names = await readdir(join(this.path, BLOBS_DIR)).catch(() => [] as string[]);
      if (names.some((n) => n.startsWith('.ferry-'))) return;
      await rm(this.path, { recursive: true, force: true });
    }).catch(() => undefined);
  }
}
