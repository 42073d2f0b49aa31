import { createHash } from 'node:crypto';
import { FerryError } from '../../errors.js';
import type { Descriptor } from '../../oci/descriptor.js';
import type { Digest } from '../../oci/digest.js';
import { digestOf, isDigest, parseDigest } from '../../oci/digest.js';
import type { RawManifest } from '../../oci/manifest.js';
import { MediaType } from '../../oci/media-types.js';
import type { BlobStream, ImageSource, ReadOptions } from '../types.js';
import { openArchiveStore } from '../local/archive-store.js';
import type { ArchiveStore, ArchiveStoreOptions } from '../local/archive-store.js';
import type { ArchiveItem } from './manifest-json.js';
import { ARCHIVE_MANIFEST, MAX_ARCHIVE_MANIFEST_BYTES, parseArchiveManifest, selectItem } from './manifest-json.js';
import { layerMediaType } from './layer-type.js';

import { MAX_CONFIG_BYTES } from '../../oci/limits.js';

/**
 * Reads one image of a `docker save` archive, plain or compressed (archive-store.ts). An archive
 * has no registry manifest, so one is made up: Docker v2 schema 2, config as stored,
 * and one layer descriptor per layer file describing the file exactly as stored (its
 * digest and size; media type from its first bytes: usually plain tar, sometimes gzip).
 * That manifest is generated once and then served byte-identical.
 */
export class DockerArchiveSource implements ImageSource {
  private manifest: Promise<RawManifest> | undefined;
  /** digest → path in the archive, for getBlob. */
  private readonly files = new Map<Digest, string>();

  private constructor(
    private readonly store: ArchiveStore,
    private readonly item: ArchiveItem,
    readonly description: string,
  ) {}

  static async open(path: string, ref: string | undefined, description: string, opts?: ArchiveStoreOptions): Promise<DockerArchiveSource> {
    const store = await openArchiveStore(path, description, opts);
    try {
      const bytes = await store.readFile(ARCHIVE_MANIFEST, MAX_ARCHIVE_MANIFEST_BYTES);
      if (!bytes) throw new FerryError('ERR_LAYOUT', `${description}: not a docker archive (no manifest.json)`);
      const item = selectItem(parseArchiveManifest(bytes, description), ref, description);
      return new DockerArchiveSource(store, item, description);
    } catch (e) {
      await store.close();
      throw e;
    }
  }

  /** The RepoTags of the selected image. */
  get repoTags(): string[] {
    return [...this.item.RepoTags];
  }

  private async describeLayer(path: string, opts?: ReadOptions): Promise<Descriptor> {
    const size = await this.store.size(path);
    const head = await this.store.readHead(path, 6);
    if (size === undefined || !head) throw new FerryError('ERR_LAYOUT', `${this.description}: manifest.json names "${path}", which is not in the archive`);
    // Docker 25+ stores blobs content-addressed; the name is the digest, and the copy
    // pipeline verifies it on read. Legacy "<id>/layer.tar" files must be hashed, unless
    // the store hashed them while opening (a compressed archive).
    const named = /^blobs\/(sha256|sha512)\/([a-f0-9]+)$/.exec(path);
    let digest: Digest;
    const known = this.store.knownDigest(path);
    if (named && isDigest(`${named[1]}:${named[2]}`)) {
      digest = `${named[1]}:${named[2]}` as Digest;
    } else if (known) {
      digest = known;
    } else {
      const hash = createHash('sha256');
      const file = await this.store.openFile(path, 0, opts);
      for await (const chunk of file!.stream) hash.update(chunk as Buffer);
      digest = `sha256:${hash.digest('hex')}`;
    }
    this.files.set(digest, path);
    return { mediaType: layerMediaType(head, `${this.description} layer ${path}`), digest, size };
  }

  private build(opts?: ReadOptions): Promise<RawManifest> {
    this.manifest ??= (async () => {
      const configBytes = await this.store.readFile(this.item.Config, MAX_CONFIG_BYTES);
      if (!configBytes) throw new FerryError('ERR_LAYOUT', `${this.description}: config "${this.item.Config}" is not in the archive`);
      const config: Descriptor = { mediaType: MediaType.DockerConfig, digest: digestOf(configBytes), size: configBytes.byteLength };
      this.files.set(config.digest, this.item.Config);
      const layers: Descriptor[] = [];
      for (const path of this.item.Layers) layers.push(await this.describeLayer(path, opts));
      const doc = { schemaVersion: 2, mediaType: MediaType.DockerManifest, config, layers };
      const bytes = Buffer.from(JSON.stringify(doc), 'utf8');
      return { bytes, mediaType: MediaType.DockerManifest, digest: digestOf(bytes) };
    })();
    this.manifest.catch(() => {
      this.manifest = undefined;
    });
    return this.manifest;
  }

  async getManifest(ref: Digest | undefined, opts?: ReadOptions): Promise<RawManifest> {
    const manifest = await this.build(opts);
    if (ref === undefined || parseDigest(ref, 'manifest digest') === manifest.digest) return manifest;
    throw new FerryError('ERR_NOT_FOUND', `${this.description}: manifest ${ref} not found (a docker archive image has only its generated manifest ${manifest.digest})`);
  }

  async getBlob(desc: Descriptor, opts?: ReadOptions & { offset?: number }): Promise<BlobStream> {
    await this.build(opts);
    const path = this.files.get(desc.digest);
    const offset = opts?.offset ?? 0;
    const file = path === undefined ? undefined : await this.store.openFile(path, offset, opts);
    if (!file) throw new FerryError('ERR_NOT_FOUND', `${this.description}: blob ${desc.digest} is not part of this image`);
    return { stream: file.stream, offset: Math.min(offset, file.size) };
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
