import type { Readable } from 'node:stream';
import type { Descriptor } from '../../oci/descriptor.js';
import type { Digest } from '../../oci/digest.js';
import type { RawManifest } from '../../oci/manifest.js';
import type { ImageDestination, PutBlobOptions, ReadOptions } from '../types.js';
import type { StagedArchive } from './staged-archive.js';
import type { OciLayoutDestination } from '../oci-layout/destination.js';

/**
 * What the archive destinations (oci-archive:, docker-archive:) share: blobs and
 * manifests go into an OCI layout in a staging folder, and only commit() turns it into
 * the archive. Subclasses decide what a manifest may be and what commit writes.
 */
export abstract class StagedLayoutDestination implements ImageDestination {
  abstract readonly supportsIndex: boolean;

  protected constructor(
    readonly description: string,
    protected readonly staged: StagedArchive,
    protected readonly layout: OciLayoutDestination,
  ) {}

  /** A new archive holds nothing yet. */
  async hasManifest(): Promise<boolean> {
    return false;
  }

  async hasBlob(desc: Descriptor): Promise<boolean> {
    return this.layout.hasBlob(desc);
  }

  async putBlob(desc: Descriptor, body: Readable, opts?: PutBlobOptions): Promise<void> {
    await this.layout.putBlob(desc, body, opts);
  }

  async putBlobUnknown(body: Readable, result: () => { digest: Digest; size: number }, opts?: PutBlobOptions): Promise<void> {
    await this.layout.putBlobUnknown(body, result, opts);
  }

  abstract putManifest(raw: RawManifest, tag: string | undefined): Promise<void>;
  abstract commit(opts?: ReadOptions): Promise<void>;

  async abort(): Promise<void> {
    await this.layout.abort();
    await this.staged.discard();
  }
}
