import type { OperationOptions } from '../events.js';
import type { Platform } from '../oci/descriptor.js';
import type { ImageConfig } from '../oci/image-config.js';
import type { Digest } from '../oci/digest.js';
import type { ImageManifest, IndexManifest, RawManifest } from '../oci/manifest.js';
import { isImage, parseManifest } from '../oci/manifest.js';
import { MediaType } from '../oci/media-types.js';
import { hostPlatform, pickPlatform } from '../oci/platform.js';
import { MAX_CONFIG_BYTES, readSmallBlob } from '../transport/read-blob.js';
import { FerryError } from '../errors.js';
import type { ImageSource } from '../transport/types.js';
import { toSkopeoJson, type InspectOutput } from './skopeo-json.js';

export interface InspectOptions extends OperationOptions {
  /** skopeo's --override-os/--override-arch/--override-variant; host default. */
  platform?: Partial<Platform>;
  /** Skip listing the repository's tags (skopeo's --no-tags). */
  noTags?: boolean;
  /** Name printed in "Name" (registry locations). */
  name?: string;
}

/** Everything `inspect` can render: the root as received, the chosen image and its config. */
export interface InspectResult {
  root: RawManifest;
  index?: IndexManifest;
  /** The image chosen from an index (by platform) or the root itself. */
  image: { raw: RawManifest; manifest: ImageManifest };
  /** The config as parsed JSON, for images and JSON-config artifacts (Helm charts); undefined otherwise. */
  config: Record<string, unknown> | undefined;
  /** The same config typed as an image configuration, for images only (undefined for artifacts). Fields are as stored, not checked. */
  imageConfig: ImageConfig | undefined;
  /** The config blob's bytes exactly as stored. */
  configBytes: Buffer | undefined;
  tags: string[];
  skopeo: InspectOutput;
}

function wantedPlatform(p: Partial<Platform> | undefined): Platform {
  const host = hostPlatform();
  const out: Platform = { os: p?.os ?? host.os, architecture: p?.architecture ?? host.architecture };
  const variant = p?.variant ?? (p?.architecture ? undefined : host.variant);
  if (variant) out.variant = variant;
  return out;
}

export async function inspectImage(source: ImageSource, opts: InspectOptions = {}): Promise<InspectResult> {
  const signal = opts.signal;
  const root = await source.getManifest(undefined, { signal });
  const parsed = parseManifest(root.bytes, root.mediaType);
  if (parsed.kind === 'schema1') {
    throw new FerryError('ERR_UNSUPPORTED', `${source.description} is a Docker schema 1 manifest (deprecated)`, { hint: 'read its bytes with `raw`' });
  }
  let index: IndexManifest | undefined;
  let imageRaw = root;
  let image: ImageManifest;
  if (parsed.kind === 'index') {
    index = parsed;
    const child = pickPlatform(parsed, wantedPlatform(opts.platform), source.description);
    imageRaw = await source.getManifest(child.digest as Digest, { signal });
    const m = parseManifest(imageRaw.bytes, imageRaw.mediaType);
    if (m.kind !== 'image') throw new FerryError('ERR_UNSUPPORTED', `${source.description}: child ${child.digest} is not an image manifest`);
    image = m;
  } else {
    image = parsed;
  }
  const imageLike = isImage(image);
  let configBytes: Buffer | undefined;
  let config: Record<string, unknown> | undefined;
  const jsonConfig = imageLike || image.config.mediaType === MediaType.HelmConfig || image.config.mediaType.endsWith('+json');
  if (jsonConfig && image.config.size <= MAX_CONFIG_BYTES) {
    configBytes = await readSmallBlob(source, image.config, MAX_CONFIG_BYTES, signal);
    config = parseJsonLoose(configBytes);
    if (imageLike && !config) throw new FerryError('ERR_MANIFEST_INVALID', `config ${image.config.digest} of ${source.description} is not valid JSON`);
  }
  const tags = !opts.noTags && source.listTags ? await source.listTags({ signal }) : [];
  const skopeo = toSkopeoJson({ name: opts.name, digest: root.digest, tags, manifest: image, config: imageLike ? config : undefined, isImage: imageLike });
  if (image.config.mediaType === MediaType.HelmConfig && config) {
    skopeo.Chart = {
      name: str(config['name']),
      version: str(config['version']),
      appVersion: str(config['appVersion']),
    };
  }
  const imageConfig = imageLike ? (config as ImageConfig | undefined) : undefined;
  return { root, index, image: { raw: imageRaw, manifest: image }, config, imageConfig, configBytes, tags, skopeo };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function parseJsonLoose(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(bytes.toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
