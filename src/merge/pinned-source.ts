import type { Digest } from '../oci/digest.js';
import type { RawManifest } from '../oci/manifest.js';
import { RegistrySource } from '../transport/registry/source.js';
import type { BlobStream, ImageSource, ReadOptions } from '../transport/types.js';
import type { Descriptor } from '../oci/descriptor.js';

/**
 * A registry source whose root is one manifest already read (an image, or a child of an
 * index). Still a RegistrySource, so a destination in the same registry mounts its blobs.
 */
class PinnedRegistrySource extends RegistrySource {
  constructor(
    inner: RegistrySource,
    private readonly root: RawManifest,
  ) {
    const ref = { registry: inner.ref.registry, repository: inner.ref.repository, digest: root.digest };
    super(ref, inner.client, `docker://${ref.registry}/${ref.repository}@${root.digest}`);
  }

  override getManifest(ref: Digest | undefined, opts: ReadOptions = {}): Promise<RawManifest> {
    return ref === undefined || ref === this.root.digest ? Promise.resolve(this.root) : super.getManifest(ref, opts);
  }
}

/** The same for local sources (oci:, oci-archive:, …): reads go to the source that is already open. */
class PinnedSource implements ImageSource {
  readonly description: string;

  constructor(
    private readonly inner: ImageSource,
    private readonly root: RawManifest,
  ) {
    this.description = `${inner.description}@${root.digest}`;
  }

  getManifest(ref: Digest | undefined, opts?: ReadOptions): Promise<RawManifest> {
    return ref === undefined || ref === this.root.digest ? Promise.resolve(this.root) : this.inner.getManifest(ref, opts);
  }

  getBlob(desc: Descriptor, opts?: ReadOptions & { offset?: number }): Promise<BlobStream> {
    return this.inner.getBlob(desc, opts);
  }

  async close(): Promise<void> {
    // the inner source is closed by whoever opened it
  }
}

/** A source whose root is `root`, for copying one child of a merge with the copy engine. */
export function pinnedSource(inner: ImageSource, root: RawManifest): ImageSource {
  return inner instanceof RegistrySource ? new PinnedRegistrySource(inner, root) : new PinnedSource(inner, root);
}
