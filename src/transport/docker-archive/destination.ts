import { FerryError } from '../../errors.js';
import type { ImageManifest, RawManifest } from '../../oci/manifest.js';
import { parseManifest } from '../../oci/manifest.js';
import { formatDockerReference } from '../../reference/docker-reference.js';
import type { ReadOptions } from '../types.js';
import { StagedLayoutDestination } from '../local/staged-layout-destination.js';
import { StagedArchive } from '../local/staged-archive.js';
import { OciLayoutDestination } from '../oci-layout/destination.js';
import { blobPath } from '../oci-layout/layout.js';
import { ARCHIVE_MANIFEST, additionalTag, destinationTag, encodeArchiveManifest, familiarName } from './manifest-json.js';

/** The annotation containerd (and docker 25+ load) reads the full image name from. */
const CONTAINERD_IMAGE_NAME = 'io.containerd.image.name';

/**
 * Writes a `docker load`-able archive holding one image, in the layout docker 25+
 * `docker save` writes: an OCI layout (blobs/sha256/…, index.json, oci-layout) plus a
 * manifest.json whose Config and Layers point at those blob files. Older docker, podman
 * and skopeo read manifest.json and follow the paths; OCI tools read index.json.
 *
 * Blobs are stored exactly as given: gzip layers stay gzip (docker load inflates them),
 * so digests in the manifest stay valid. An existing archive at the path is replaced
 * atomically on commit, as `docker save -o` would.
 */
export class DockerArchiveDestination extends StagedLayoutDestination {
  readonly supportsIndex = false;
  private image: ImageManifest | undefined;

  private constructor(
    description: string,
    staged: StagedArchive,
    layout: OciLayoutDestination,
    private readonly repoTags: string[],
  ) {
    super(description, staged, layout);
  }

  /** `additionalTags` become more RepoTags of the image (skopeo's --additional-tag); each must name a tag. */
  static async open(
    path: string,
    ref: string | undefined,
    description: string,
    opts: { tmpDir?: string; additionalTags?: string[] } = {},
  ): Promise<DockerArchiveDestination> {
    const name = ref === undefined ? undefined : destinationTag(ref, description);
    const extra = (opts.additionalTags ?? []).map((t) => additionalTag(t, description));
    const repoTags = [...new Set([...(name ? [name] : []), ...extra].map(familiarName))];
    const staged = await StagedArchive.create(path, description, opts.tmpDir);
    const layout = await OciLayoutDestination.open(staged.dir, {
      description,
      ...(name ? { ref: name.tag ?? 'latest', annotations: { [CONTAINERD_IMAGE_NAME]: formatDockerReference(name) } } : {}),
    });
    return new DockerArchiveDestination(description, staged, layout, repoTags);
  }

  /** Docker v2 schema 2 or OCI image manifests only: manifest.json has no place for an index. */
  async putManifest(raw: RawManifest, tag: string | undefined): Promise<void> {
    const m = parseManifest(raw.bytes, raw.mediaType);
    if (m.kind !== 'image') {
      const what = m.kind === 'index' ? 'an index' : 'a Docker schema 1 manifest';
      throw new FerryError('ERR_UNSUPPORTED', `${this.description}: a docker archive cannot hold ${what} (${raw.digest}); choose one platform`);
    }
    await this.layout.putManifest(raw, tag);
    this.image = m;
  }

  async commit(opts?: ReadOptions): Promise<void> {
    const image = this.image;
    if (!image) return;
    for (const d of [image.config, ...image.layers]) {
      if (!(await this.layout.hasBlob(d))) {
        throw new FerryError('ERR_LAYOUT', `${this.description}: blob ${d.digest} was never stored; refusing to write an archive without it`);
      }
    }
    await this.layout.commit();
    const item = { Config: blobPath(image.config.digest), RepoTags: this.repoTags, Layers: image.layers.map((l) => blobPath(l.digest)) };
    await this.staged.finish([{ name: ARCHIVE_MANIFEST, bytes: encodeArchiveManifest([item]) }], opts);
  }
}
