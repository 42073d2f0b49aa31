import { readConfig } from '../transport/read-blob.js';
import { MAX_CONFIG_BYTES } from '../oci/limits.js';
import { FerryError, UsageError } from '../errors.js';
import type { Descriptor, Platform } from '../oci/descriptor.js';
import type { ImageManifest, RawManifest } from '../oci/manifest.js';
import { parseManifest } from '../oci/manifest.js';
import { MediaType } from '../oci/media-types.js';
import type { Location } from '../reference/location.js';
import type { ImageSource } from '../transport/types.js';
import type { MergeEntry } from './build-index.js';
import { applyOverride, normalizePlatform, overrideIsComplete, platformFromConfig, type PlatformOverride } from './child-platform.js';
import { parseImageName } from './image-name.js';
import { pinnedSource } from '../copy/pinned-source.js';

/** One source of a merge: an image or an index, and for an image the platform to list it under. */
export interface MergeSource {
  /** "docker://reg/app:amd64", "reg/app:amd64" (manifest-tool style) or "oci:dir:tag". */
  image: string;
  platform?: PlatformOverride;
}

/** A manifest the index will list, with a source whose root it is (for the copy engine). */
export interface MergeChild {
  entry: MergeEntry;
  raw: RawManifest;
  source: ImageSource;
}

export type SourceOpener = (loc: Location) => Promise<ImageSource>;

function hasJsonConfig(m: ImageManifest): boolean {
  const t = m.config.mediaType;
  return t === MediaType.OciConfig || t === MediaType.DockerConfig || t.endsWith('+json');
}

async function configPlatform(source: ImageSource, m: ImageManifest, signal?: AbortSignal): Promise<Platform | undefined> {
  if (!hasJsonConfig(m)) return undefined;
  return platformFromConfig(await readConfig(source, m.config, MAX_CONFIG_BYTES, signal));
}

function noPlatform(origin: string): FerryError {
  return new FerryError('ERR_UNSUPPORTED', `cannot tell the platform of ${origin}: its config names no os/architecture; give one in the spec (platform: {os, architecture})`);
}

function imageOf(raw: RawManifest, origin: string): ImageManifest {
  const m = parseManifest(raw.bytes, raw.mediaType);
  if (m.kind === 'image') return m;
  throw new FerryError('ERR_UNSUPPORTED', `${origin} is ${m.kind === 'index' ? 'an index inside an index' : 'a Docker schema 1 manifest'}; merge takes images and single-level indexes`);
}

function descriptorOf(raw: RawManifest, annotations?: Record<string, string>): MergeEntry['descriptor'] {
  return { mediaType: raw.mediaType, digest: raw.digest, size: raw.bytes.byteLength, ...(annotations ? { annotations } : {}) };
}

/** The children of an index source: each listed under the platform the index gives it, else its config's. */
async function indexChildren(source: ImageSource, list: Descriptor[], origin: string, signal?: AbortSignal): Promise<MergeChild[]> {
  return Promise.all(
    list.map(async (d) => {
      const raw = await source.getManifest(d.digest, { signal });
      const where = `${origin} (${d.digest})`;
      const m = imageOf(raw, where);
      const platform = normalizePlatform(d.platform ?? {}) ?? (await configPlatform(source, m, signal));
      if (!platform) throw noPlatform(where);
      return { entry: { descriptor: descriptorOf(raw, d.annotations), platform, origin: where }, raw, source: pinnedSource(source, raw) };
    }),
  );
}

async function childrenOf(spec: MergeSource, source: ImageSource, signal?: AbortSignal): Promise<MergeChild[]> {
  const origin = spec.image;
  const raw = await source.getManifest(undefined, { signal });
  const m = parseManifest(raw.bytes, raw.mediaType);
  if (m.kind === 'schema1') throw new FerryError('ERR_UNSUPPORTED', `${origin} is a Docker schema 1 manifest (deprecated); merge takes schema 2 and OCI images`);
  if (m.kind === 'index') {
    if (spec.platform) throw new UsageError(`${origin} is an index: a platform can be given only for a single image`);
    return indexChildren(source, m.manifests, origin, signal);
  }
  const platform = overrideIsComplete(spec.platform)
    ? normalizePlatform(spec.platform!)
    : applyOverride(await configPlatform(source, m, signal), spec.platform);
  if (!platform) throw noPlatform(origin);
  return [{ entry: { descriptor: descriptorOf(raw), platform, origin }, raw, source: pinnedSource(source, raw) }];
}

/**
 * Opens every source and reads what the index will list: each image, or each child of
 * an index, with its platform. Reads only. Returns in the order given; every opened
 * source is handed to `track` so the caller closes it, also when one of them failed.
 */
export async function collectChildren(sources: readonly MergeSource[], open: SourceOpener, track: (s: ImageSource) => void, signal?: AbortSignal): Promise<MergeChild[]> {
  const settled = await Promise.allSettled(
    sources.map(async (spec) => {
      const source = await open(parseImageName(spec.image));
      track(source);
      return childrenOf(spec, source, signal);
    }),
  );
  // all settled before the first failure is thrown, so nothing opens after the caller's cleanup
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
}
