import type { RawManifest } from '../../oci/manifest.js';
import type { ManifestHead, ReadOptions } from '../types.js';
import { StagedLayoutDestination } from '../local/staged-layout-destination.js';
import { StagedArchive } from '../local/staged-archive.js';
import { OciLayoutDestination } from '../oci-layout/destination.js';

/**
 * Writes an `oci-archive:`: the image is built as an OCI layout in a staging folder
 * (blobs arrive in parallel, which a tar stream cannot take), and commit() streams that
 * folder into a tar under a temp name next to the target, then renames it over the
 * target. Like skopeo, the archive then holds just this image: an existing archive is
 * replaced, not merged into (it stays untouched if the copy fails).
 */
export class OciArchiveDestination extends StagedLayoutDestination {
  readonly supportsIndex = true;

  private constructor(description: string, staged: StagedArchive, layout: OciLayoutDestination) {
    super(description, staged, layout);
  }

  static async open(path: string, ref: string | undefined, description: string, opts: { tmpDir?: string } = {}): Promise<OciArchiveDestination> {
    const staged = await StagedArchive.create(path, description, opts.tmpDir);
    const layout = await OciLayoutDestination.open(staged.dir, { description, ...(ref !== undefined ? { ref } : {}) });
    return new OciArchiveDestination(description, staged, layout);
  }

  async putManifest(raw: RawManifest, tag: string | undefined): Promise<void> {
    await this.layout.putManifest(raw, tag);
  }

  /** Attachment tags (referrers index, cosign tags) live in the staged layout's index.json. */
  getTaggedManifest(tag: string): Promise<RawManifest | undefined> {
    return this.layout.getTaggedManifest(tag);
  }

  headTag(tag: string): Promise<ManifestHead | undefined> {
    return this.layout.headTag(tag);
  }

  listTags(): Promise<string[]> {
    return this.layout.listTags();
  }

  async commit(opts?: ReadOptions): Promise<void> {
    await this.layout.commit();
    // No manifest was stored: there is no image to archive, and no archive to replace.
    if (!this.layout.committed) return;
    await this.staged.finish([], opts);
  }
}
