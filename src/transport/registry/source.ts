import type { RegistryClient } from '../../http/client.js';
import type { Descriptor } from '../../oci/descriptor.js';
import type { Digest } from '../../oci/digest.js';
import type { RawManifest } from '../../oci/manifest.js';
import type { DockerReference } from '../../reference/docker-reference.js';
import { manifestReference } from '../../reference/docker-reference.js';
import type { BlobStream, ImageSource, ManifestHead, ReadOptions, RepositoryIdentity } from '../types.js';
import { getBlob } from './blobs.js';
import { getManifest, headManifest, type RepoContext } from './manifests.js';
import { getTaggedManifest, headTag, listReferrers, type RegistryHostNotes } from './referrers.js';
import { listTags } from './tags.js';

export class RegistrySource implements ImageSource {
  readonly description: string;
  readonly ctx: RepoContext;

  constructor(
    readonly ref: DockerReference,
    readonly client: RegistryClient,
    description: string,
    /** Shared per host by the client pool (see RegistryHostNotes). */
    readonly notes: RegistryHostNotes = {},
  ) {
    this.description = description;
    this.ctx = { client, repository: ref.repository, location: description };
  }

  get identity(): RepositoryIdentity {
    return { registry: this.ref.registry, repository: this.ref.repository };
  }

  getManifest(ref: Digest | undefined, opts: ReadOptions = {}): Promise<RawManifest> {
    return getManifest(this.ctx, ref ?? manifestReference(this.ref), opts.signal);
  }

  /** The root manifest's digest and type from one HEAD request. */
  headManifest(opts: ReadOptions = {}): Promise<ManifestHead | undefined> {
    return headManifest(this.ctx, manifestReference(this.ref), opts.signal);
  }

  getBlob(desc: Descriptor, opts: ReadOptions & { offset?: number } = {}): Promise<BlobStream> {
    return getBlob(this.ctx, desc, opts.offset ?? 0, opts.signal);
  }

  listTags(opts: ReadOptions = {}): Promise<string[]> {
    return listTags(this.ctx, opts.signal);
  }

  listReferrers(subject: Digest, opts: ReadOptions & { artifactType?: string } = {}): Promise<Descriptor[] | 'unsupported'> {
    return listReferrers(this.ctx, this.notes, subject, opts);
  }

  getTaggedManifest(tag: string, opts: ReadOptions = {}): Promise<RawManifest | undefined> {
    return getTaggedManifest(this.ctx, tag, opts.signal);
  }

  headTag(tag: string, opts: ReadOptions = {}): Promise<ManifestHead | undefined> {
    return headTag(this.ctx, tag, opts.signal);
  }

  async close(): Promise<void> {
    // the client belongs to the pool that made it
  }
}
