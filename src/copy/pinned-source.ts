import type { Digest } from '../oci/digest.js';
import type { RawManifest } from '../oci/manifest.js';
import type { BlobStream, ImageSource, ManifestHead, ReadOptions, RepositoryIdentity } from '../transport/types.js';
import type { Descriptor } from '../oci/descriptor.js';

/**
 * A source whose root is one manifest already read (an image, or a child of an index);
 * every other read goes to the source that is already open. It keeps the inner source's
 * repository identity, so a destination in the same registry still mounts its blobs.
 */
class PinnedSource implements ImageSource {
  readonly description: string;
  readonly identity: RepositoryIdentity | undefined;

  constructor(
    private readonly inner: ImageSource,
    private readonly root: RawManifest,
  ) {
    const id = inner.identity;
    this.identity = id;
    this.description = id ? `docker://${id.registry}/${id.repository}@${root.digest}` : `${inner.description}@${root.digest}`;
  }

  getManifest(ref: Digest | undefined, opts?: ReadOptions): Promise<RawManifest> {
    return ref === undefined || ref === this.root.digest ? Promise.resolve(this.root) : this.inner.getManifest(ref, opts);
  }

  getBlob(desc: Descriptor, opts?: ReadOptions & { offset?: number }): Promise<BlobStream> {
    return this.inner.getBlob(desc, opts);
  }

  // the same repository's tags and referrers: what is attached to the pinned manifest is found there
  async listTags(opts?: ReadOptions): Promise<string[]> {
    return (await this.inner.listTags?.(opts)) ?? [];
  }

  async listReferrers(subject: Digest, opts?: ReadOptions & { artifactType?: string }): Promise<Descriptor[] | 'unsupported'> {
    return this.inner.listReferrers ? this.inner.listReferrers(subject, opts) : 'unsupported';
  }

  async getTaggedManifest(tag: string, opts?: ReadOptions): Promise<RawManifest | undefined> {
    return this.inner.getTaggedManifest?.(tag, opts);
  }

  async headTag(tag: string, opts?: ReadOptions): Promise<ManifestHead | undefined> {
    return this.inner.headTag?.(tag, opts);
  }

  async close(): Promise<void> {
    // the inner source is closed by whoever opened it
  }
}

/** A source whose root is `root`, for copying one manifest of an already open source with the copy engine (a child of a merge, an attachment). */
export function pinnedSource(inner: ImageSource, root: RawManifest): ImageSource {
  return new PinnedSource(inner, root);
}
