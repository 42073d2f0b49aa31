// Fixture images, indexes and Helm charts as OCI layouts on disk, built
// without ferry's code, plus a way to push them into a test registry with skopeo.
import { buildLayer, type LayerCompression, type LayerSpec } from './tar-layer.js';
import { createLayout, tagInLayout, writeBlob, writeJsonBlob, type Descriptor, type Platform } from './oci-layout-writer.js';
import type { RunningRegistry } from './registry.js';
import { skopeoDirCopy } from './skopeo-dir.js';
import { skopeoCopy, type SkopeoCredentials } from './skopeo.js';

export { buildHelmChart, type BuiltHelmChart, type HelmChartSpec } from './helm-chart.js';
export type { Descriptor, Platform } from './oci-layout-writer.js';
export type { LayerSpec, FileContent, LayerCompression } from './tar-layer.js';

export type MediaTypeFamily = 'oci' | 'docker';

const MEDIA_TYPES = {
  oci: {
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    index: 'application/vnd.oci.image.index.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
    layer: { gzip: 'application/vnd.oci.image.layer.v1.tar+gzip', zstd: 'application/vnd.oci.image.layer.v1.tar+zstd', none: 'application/vnd.oci.image.layer.v1.tar' },
  },
  docker: {
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    index: 'application/vnd.docker.distribution.manifest.list.v2+json',
    config: 'application/vnd.docker.container.image.v1+json',
    layer: { gzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip', zstd: undefined, none: 'application/vnd.docker.image.rootfs.diff.tar' },
  },
} as const;

export interface ImageSpec {
  /** Layout to write into; a fresh temp dir when absent. */
  layoutPath?: string;
  /** Tag recorded in index.json (`org.opencontainers.image.ref.name`). Default `latest`. */
  tag?: string;
  /** Default: one small gzip layer with a file naming the platform. */
  layers?: LayerSpec[];
  /** `linux/amd64` style string or object. Default linux/amd64. */
  platform?: string | Platform;
  labels?: Record<string, string>;
  env?: string[];
  cmd?: string[];
  entrypoint?: string[];
  /** Used for the config's `created` and the tar mtimes. Default 2024-01-01T00:00:00Z. */
  created?: string;
  annotations?: Record<string, string>;
  mediaTypes?: MediaTypeFamily;
}

export interface BuiltImage {
  layoutPath: string;
  tag: string;
  /** `oci:<layoutPath>:<tag>` for skopeo and ferry. */
  ociRef: string;
  mediaType: string;
  digest: string;
  size: number;
  /** The manifest's descriptor, with its platform. */
  descriptor: Descriptor;
  manifest: { schemaVersion: number; mediaType: string; config: Descriptor; layers: Descriptor[]; annotations?: Record<string, string> };
  manifestBytes: Buffer;
  config: Descriptor;
  configJson: Record<string, unknown>;
  layers: Descriptor[];
  diffIds: string[];
  platform: Platform;
}

export function parsePlatform(platform: string | Platform): Platform {
  if (typeof platform !== 'string') return platform;
  const [os = 'linux', architecture = 'amd64', variant] = platform.split('/');
  return variant ? { os, architecture, variant } : { os, architecture };
}

function platformName(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Writes the blobs and manifest of one image into a layout, without tagging it. */
async function writeImage(layoutPath: string, spec: ImageSpec): Promise<Omit<BuiltImage, 'tag' | 'ociRef'>> {
  const family = MEDIA_TYPES[spec.mediaTypes ?? 'oci'];
  const platform = parsePlatform(spec.platform ?? 'linux/amd64');
  const created = spec.created ?? '2024-01-01T00:00:00Z';
  const layerSpecs = spec.layers ?? [{ files: { 'etc/fixture-platform': `${platformName(platform)}\n` } }];
  const layers: Descriptor[] = [];
  const diffIds: string[] = [];
  for (const layerSpec of layerSpecs) {
    const layer = await buildLayer(layerSpec, new Date(created));
    const mediaType = family.layer[layer.compression as LayerCompression];
    if (!mediaType) throw new Error(`no ${spec.mediaTypes} media type for ${layer.compression} layers`);
    layers.push(await writeBlob(layoutPath, layer.blob, mediaType));
    diffIds.push(layer.diffId);
  }
  const configJson: Record<string, unknown> = {
    created,
    architecture: platform.architecture,
    ...(platform.variant ? { variant: platform.variant } : {}),
    os: platform.os,
    config: {
      Env: spec.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
      Cmd: spec.cmd ?? ['/bin/sh'],
      ...(spec.labels ? { Labels: spec.labels } : {}),
    },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map(() => ({ created, created_by: 'ferry test fixture' })),
  };
  const config = await writeJsonBlob(layoutPath, configJson, family.config);
  const manifest = {
    schemaVersion: 2,
    mediaType: family.manifest,
    config: config.descriptor,
    layers,
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
  };
  const written = await writeJsonBlob(layoutPath, manifest, family.manifest);
  return {
    layoutPath,
    mediaType: family.manifest,
    digest: written.descriptor.digest,
    size: written.descriptor.size,
    descriptor: { ...written.descriptor, platform },
    manifest,
    manifestBytes: written.bytes,
    config: config.descriptor,
    configJson,
    layers,
    diffIds,
    platform,
  };
}

export async function buildImage(spec: ImageSpec = {}): Promise<BuiltImage> {
  const layoutPath = await createLayout(spec.layoutPath);
  const tag = spec.tag ?? 'latest';
  const image = await writeImage(layoutPath, spec);
  await tagInLayout(layoutPath, image.descriptor, tag);
  return { ...image, tag, ociRef: `oci:${layoutPath}:${tag}` };
}

export interface IndexSpec {
  layoutPath?: string;
  tag?: string;
  mediaTypes?: MediaTypeFamily;
  annotations?: Record<string, string>;
  /** Shared by every platform image, so copies can deduplicate it. Default: a small base layer. Pass null for none. */
  sharedLayer?: LayerSpec | null;
}

export interface BuiltIndex {
  layoutPath: string;
  tag: string;
  ociRef: string;
  mediaType: string;
  digest: string;
  size: number;
  descriptor: Descriptor;
  index: { schemaVersion: number; mediaType: string; manifests: Descriptor[]; annotations?: Record<string, string> };
  indexBytes: Buffer;
  /** One per platform, in the order given; each has the shared layer first, then its own. */
  images: Array<Omit<BuiltImage, 'tag' | 'ociRef'>>;
}

/** A multi-platform index, e.g. `buildIndex(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7'])`. */
export async function buildIndex(platforms: Array<string | Platform | ImageSpec>, spec: IndexSpec = {}): Promise<BuiltIndex> {
  const layoutPath = await createLayout(spec.layoutPath);
  const family = spec.mediaTypes ?? 'oci';
  const shared = spec.sharedLayer === undefined ? { files: { 'etc/fixture-base': 'shared base layer\n' } } : spec.sharedLayer;
  const images = [];
  for (const entry of platforms) {
    const imageSpec: ImageSpec = typeof entry === 'string' || !isImageSpec(entry) ? { platform: entry } : entry;
    const platform = parsePlatform(imageSpec.platform ?? 'linux/amd64');
    const own = imageSpec.layers ?? [{ files: { 'etc/fixture-platform': `${platformName(platform)}\n` } }];
    images.push(await writeImage(layoutPath, { mediaTypes: family, ...imageSpec, layers: shared ? [shared, ...own] : own }));
  }
  const mediaType = MEDIA_TYPES[family].index;
  const index = {
    schemaVersion: 2,
    mediaType,
    manifests: images.map((image) => image.descriptor),
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
  };
  const written = await writeJsonBlob(layoutPath, index, mediaType);
  const tag = spec.tag ?? 'latest';
  await tagInLayout(layoutPath, written.descriptor, tag);
  return {
    layoutPath, tag, ociRef: `oci:${layoutPath}:${tag}`, mediaType,
    digest: written.descriptor.digest, size: written.descriptor.size, descriptor: written.descriptor,
    index, indexBytes: written.bytes, images,
  };
}

function isImageSpec(value: Platform | ImageSpec): value is ImageSpec {
  return !('os' in value && 'architecture' in value);
}

export interface PushOptions {
  /** Copy every manifest of an index (`skopeo copy --all`). Default true. */
  all?: boolean;
  /** Credentials at the registry; default its test user, null for none. */
  creds?: SkopeoCredentials | null;
}

/**
 * Pushes a fixture (or any `oci:` layout path) to `registry` as `repoTag`,
 * keeping digests (`--preserve-digests`) so tests can compare with the fixture.
 * Docker-typed fixtures go through a dir: copy (see skopeo-dir.ts).
 */
export async function pushWithSkopeo(
  fixture: string | { ociRef: string; layoutPath: string; digest: string; mediaType: string },
  registry: RunningRegistry,
  repoTag: string,
  options: PushOptions = {},
): Promise<string> {
  let source: string;
  if (typeof fixture === 'string') source = fixture.startsWith('oci:') ? fixture : `oci:${fixture}`;
  else if (fixture.mediaType.startsWith('application/vnd.docker.')) source = await skopeoDirCopy(fixture.layoutPath, fixture.digest, fixture.mediaType);
  else source = fixture.ociRef;
  return skopeoCopy(source, `docker://${registry.ref(repoTag)}`, {
    dest: { registry, creds: options.creds },
    all: options.all ?? true,
    preserveDigests: true,
  });
}
