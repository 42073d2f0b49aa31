import { readConfig } from '../transport/read-blob.js';
import { MAX_CONFIG_BYTES } from '../oci/limits.js';
import { FerryError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { parseManifest } from '../oci/manifest.js';
import { MediaType } from '../oci/media-types.js';
import type { ImageSource } from '../transport/types.js';
import type { IndexFormat, MergeEntry } from './build-index.js';
import { normalizePlatform, platformFromConfig } from './child-platform.js';

/** What the target tag lists before an append. */
export interface ExistingIndex {
  digest: Digest;
  format: IndexFormat;
  entries: MergeEntry[];
  annotations: Record<string, string>;
}

/**
 * Reads the manifest at the target tag for `--append`: an index contributes its entries
 * (kept as they are, platform and annotations included), a single image becomes the
 * first entry, and a missing tag means starting empty.
 */
export async function readExistingIndex(target: ImageSource, signal?: AbortSignal): Promise<ExistingIndex | undefined> {
  let raw;
  try {
    raw = await target.getManifest(undefined, { signal });
  } catch (e) {
    if (e instanceof FerryError && e.code === 'ERR_NOT_FOUND') return undefined;
    throw e;
  }
  const origin = `${target.description} (existing ${raw.digest})`;
  const m = parseManifest(raw.bytes, raw.mediaType);
  if (m.kind === 'schema1') throw new FerryError('ERR_UNSUPPORTED', `cannot append to ${origin}: it is a Docker schema 1 manifest`);
  if (m.kind === 'index') {
    return {
      digest: raw.digest,
      format: m.mediaType === MediaType.DockerManifestList ? 'v2s2' : 'oci',
      annotations: { ...m.annotations },
      entries: m.manifests.map((d) => ({
        descriptor: { mediaType: d.mediaType, digest: d.digest, size: d.size, ...(d.annotations ? { annotations: d.annotations } : {}) },
        platform: d.platform ? (normalizePlatform(d.platform) ?? d.platform) : undefined,
        origin: `${target.description} (existing ${d.digest})`,
        existing: true,
      })),
    };
  }
  const platform = platformFromConfig(await readConfig(target, m.config, MAX_CONFIG_BYTES, signal));
  if (!platform) throw new FerryError('ERR_UNSUPPORTED', `cannot append to ${origin}: it is a single manifest with no os/architecture in its config`);
  return {
    digest: raw.digest,
    format: raw.mediaType === MediaType.DockerManifest ? 'v2s2' : 'oci',
    annotations: {},
    entries: [{ descriptor: { mediaType: raw.mediaType, digest: raw.digest, size: raw.bytes.byteLength }, platform, origin, existing: true }],
  };
}
