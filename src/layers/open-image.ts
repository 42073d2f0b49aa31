import { FerryError } from '../errors.js';
import type { Descriptor, Platform } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { isImage, parseManifest, type ImageManifest } from '../oci/manifest.js';
import { formatPlatform, hostPlatform, parsePlatform, pickPlatform, platformMatches } from '../oci/platform.js';
import type { Location } from '../reference/location.js';
import { openSource, toLocation, type SessionOptions, type SideOptions } from '../transport/open.js';
import { MAX_CONFIG_BYTES } from '../oci/limits.js';
import { readConfig } from '../transport/read-blob.js';
import { withPool } from '../transport/session.js';
import type { ImageSource } from '../transport/types.js';

export interface ImageRequest extends SessionOptions, SideOptions {
  signal?: AbortSignal;
  /** "os/arch[/variant]" or an object; default: the host's. Ignored for a single image. */
  platform?: string | Platform;
}

/** One image of a location: its manifest, its config and the platform it was picked for. */
export interface OpenedImage {
  source: ImageSource;
  digest: Digest;
  manifest: ImageManifest;
  config: Record<string, unknown>;
  /** From the index entry when picked from one, else from the config. */
  platform: Platform | undefined;
}

/** Opens `input` (any location kind), runs `fn` with the source, closes it. */
export async function withSource<T>(input: string | Location, request: ImageRequest, fn: (source: ImageSource) => Promise<T>): Promise<T> {
  return withPool(request, async (pool) => {
    const source = await openSource(toLocation(input), request, request, pool);
    try {
      return await fn(source);
    } finally {
      await source.close();
    }
  });
}

function wantedPlatform(p: string | Platform | undefined): Platform {
  if (p === undefined) return hostPlatform();
  return typeof p === 'string' ? parsePlatform(p) : p;
}

/**
 * The images a location names: the root image, or from an index the child for the
 * wanted platform (`all`: every image child, attestations and other artifacts skipped).
 */
export async function openImages(source: ImageSource, request: ImageRequest & { all?: boolean }): Promise<OpenedImage[]> {
  const signal = request.signal;
  const root = await source.getManifest(undefined, { signal });
  const parsed = parseManifest(root.bytes, root.mediaType);
  if (parsed.kind === 'schema1') throw new FerryError('ERR_UNSUPPORTED', `${source.description} is a Docker schema 1 manifest, which has no layers ferry can read`);
  if (parsed.kind === 'image') return [await imageOf(source, root.digest, parsed, undefined, signal)];
  let children: Descriptor[];
  if (request.all) children = parsed.manifests.filter((m) => m.platform && m.platform.os !== 'unknown');
  else children = [pickPlatform(parsed, wantedPlatform(request.platform), source.description)];
  const images: OpenedImage[] = [];
  for (const child of children) {
    const raw = await source.getManifest(child.digest as Digest, { signal });
    const m = parseManifest(raw.bytes, raw.mediaType);
    if (m.kind !== 'image') throw new FerryError('ERR_UNSUPPORTED', `${source.description}: child ${child.digest} is not an image manifest`);
    images.push(await imageOf(source, raw.digest, m, child.platform, signal));
  }
  return images;
}

async function imageOf(source: ImageSource, digest: Digest, manifest: ImageManifest, platform: Platform | undefined, signal?: AbortSignal): Promise<OpenedImage> {
  if (!isImage(manifest)) {
    throw new FerryError('ERR_UNSUPPORTED', `${source.description} is an artifact (config ${manifest.config.mediaType}), not a container image`);
  }
  const config = await readConfig(source, manifest.config, MAX_CONFIG_BYTES, signal);
  const os = typeof config['os'] === 'string' ? config['os'] : undefined;
  const architecture = typeof config['architecture'] === 'string' ? config['architecture'] : undefined;
  const fromConfig = os && architecture ? { os, architecture, ...(typeof config['variant'] === 'string' ? { variant: config['variant'] } : {}) } : undefined;
  return { source, digest, manifest, config, platform: platform ?? fromConfig };
}

/** The single image for a platform (layers, ls, cat). */
export async function openImage(source: ImageSource, request: ImageRequest): Promise<OpenedImage> {
  const [image] = await openImages(source, request);
  if (!image) throw new FerryError('ERR_NOT_FOUND', `${source.description} has no image`);
  if (request.platform !== undefined && image.platform && !platformMatches(wantedPlatform(request.platform), image.platform)) {
    // a single image is what it is; say so instead of silently reading another platform
    throw new FerryError('ERR_NOT_FOUND', `${source.description} is a ${formatPlatform(image.platform)} image, not ${formatPlatform(wantedPlatform(request.platform))}`);
  }
  return image;
}
