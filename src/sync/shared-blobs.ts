import type { Readable } from 'node:stream';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import type { RawManifest } from '../oci/manifest.js';
import type { ImageDestination, ImageSource, ManifestHead, MountAnswer, PutBlobOptions, PutManifestAnswer, ReadOptions, RepositoryIdentity } from '../transport/types.js';

/**
 * Blobs being brought into a destination repository by one image, which the others
 * wait for instead of uploading the same bytes again (images of one repository share
 * base layers, and they now run in parallel).
 */
export class InFlightBlobs {
  private readonly claims = new Map<string, Promise<boolean>>();
  /** Blobs an image of this sync put there: the others neither ask nor write them again. */
  private readonly present = new Set<string>();

  /** The claim another image holds on this blob, if any (settled true once it is there). */
  pending(key: string): Promise<boolean> | undefined {
    return this.present.has(key) ? Promise.resolve(true) : this.claims.get(key);
  }

  /** Takes the claim; `settle(true)` once the blob is there, `settle(false)` if it is not. */
  claim(key: string): (present: boolean) => void {
    let settle!: (present: boolean) => void;
    const p = new Promise<boolean>((resolve) => (settle = resolve));
    this.claims.set(key, p);
    return (present) => {
      if (this.claims.get(key) === p) this.claims.delete(key);
      if (present) this.present.add(key);
      settle(present);
    };
  }
}

/** An ImageDestination whose blob writes are shared with the other images of a sync. */
export class SharedBlobDestination implements ImageDestination {
  private readonly held = new Map<Digest, (present: boolean) => void>();

  constructor(
    private readonly inner: ImageDestination,
    private readonly inFlight: InFlightBlobs,
    private readonly repoKey: string,
  ) {}

  get description(): string {
    return this.inner.description;
  }
  get supportsIndex(): boolean {
    return this.inner.supportsIndex;
  }
  /** The wrapped registry repository: the blob-location cache mounts by it. */
  get identity(): RepositoryIdentity | undefined {
    return this.inner.identity;
  }

  hasManifest(digest: Digest, opts?: ReadOptions): Promise<boolean> {
    return this.inner.hasManifest(digest, opts);
  }

  taggedDigest(opts?: ReadOptions): Promise<Digest | undefined> {
    return this.inner.taggedDigest ? this.inner.taggedDigest(opts) : Promise.resolve(undefined);
  }

  async hasBlob(desc: Descriptor, opts?: ReadOptions): Promise<boolean> {
    if (this.held.has(desc.digest)) {
      // asked again by this image (the ladder's second look): never wait on its own claim
      const present = await this.inner.hasBlob(desc, opts);
      if (present) this.release(desc.digest, true);
      return present;
    }
    const key = `${this.repoKey}\u0000${desc.digest}`;
    for (;;) {
      const other = this.inFlight.pending(key);
      if (!other) break;
      if (await other) return true;
    }
    const settle = this.inFlight.claim(key);
    try {
      const present = await this.inner.hasBlob(desc, opts);
      if (present) settle(true);
      else this.held.set(desc.digest, settle);
      return present;
    } catch (e) {
      settle(false);
      throw e;
    }
  }

  private release(digest: Digest, present: boolean): void {
    this.held.get(digest)?.(present);
    this.held.delete(digest);
  }

  async mountBlob(desc: Descriptor, source: ImageSource, opts?: ReadOptions): Promise<boolean> {
    if (!this.inner.mountBlob) return false;
    const mounted = await this.inner.mountBlob(desc, source, opts).catch((e: unknown) => {
      this.release(desc.digest, false);
      throw e;
    });
    if (mounted) this.release(desc.digest, true);
    return mounted;
  }

  /**
   * A cache-suggested mount claims the blob like hasBlob does: distribution rewrites the
   * repository's link file on every mount or upload, not atomically, and a manifest PUT of
   * another image that reads the link in that instant fails with DIGEST_INVALID. So a blob
   * another image of this sync brings (or brought) is waited for, never mounted twice.
   */
  async mountFromRepository(desc: Descriptor, repository: string, opts?: ReadOptions): Promise<MountAnswer> {
    if (!this.inner.mountFromRepository) return 'refused';
    if (this.held.has(desc.digest)) {
      // this image claimed it already (its HEAD found nothing): settle that claim
      const answer = await this.inner.mountFromRepository(desc, repository, opts).catch((e: unknown) => {
        this.release(desc.digest, false);
        throw e;
      });
      if (answer === 'mounted') this.release(desc.digest, true);
      return answer;
    }
    const key = `${this.repoKey}\u0000${desc.digest}`;
    for (;;) {
      const other = this.inFlight.pending(key);
      if (!other) break;
      if (await other) return 'mounted';
    }
    const settle = this.inFlight.claim(key);
    try {
      const answer = await this.inner.mountFromRepository(desc, repository, opts);
      // absent: the upload this 202 opened follows, and settles the claim; refused: let go
      if (answer === 'absent') this.held.set(desc.digest, settle);
      else settle(answer === 'mounted');
      return answer;
    } catch (e) {
      settle(false);
      throw e;
    }
  }

  async putBlob(desc: Descriptor, body: Readable, opts?: PutBlobOptions): Promise<void> {
    try {
      await this.inner.putBlob(desc, body, opts);
      this.release(desc.digest, true);
    } catch (e) {
      this.release(desc.digest, false);
      throw e;
    }
  }

  putManifest(raw: RawManifest, tag: string | undefined, opts?: ReadOptions): Promise<PutManifestAnswer | void> {
    return this.inner.putManifest(raw, tag, opts);
  }

  // attachments (signatures, SBOMs) read the destination's tags through the wrapper too
  async getTaggedManifest(tag: string, opts?: ReadOptions): Promise<RawManifest | undefined> {
    return this.inner.getTaggedManifest?.(tag, opts);
  }

  async headTag(tag: string, opts?: ReadOptions): Promise<ManifestHead | undefined> {
    return this.inner.headTag?.(tag, opts);
  }

  async listReferrers(subject: Digest, opts?: ReadOptions & { artifactType?: string }): Promise<Descriptor[] | 'unsupported'> {
    return this.inner.listReferrers ? this.inner.listReferrers(subject, opts) : 'unsupported';
  }

  commit(opts?: ReadOptions): Promise<void> {
    this.releaseAll();
    return this.inner.commit(opts);
  }

  async abort(): Promise<void> {
    this.releaseAll();
    await this.inner.abort();
  }

  /** Claims the copy did not settle (a blob it ended up not writing) must not keep others waiting. */
  releaseAll(): void {
    for (const digest of [...this.held.keys()]) this.release(digest, false);
  }
}
