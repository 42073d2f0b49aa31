import { parseManifest } from '../oci/manifest.js';
import { MAX_CONFIG_BYTES } from '../oci/limits.js';
import { readConfig } from '../transport/read-blob.js';
import type { ImageSource } from '../transport/types.js';

/**
 * An image's age from its config's `created`. For an index, its first image's (builds
 * push every platform together). Undefined for artifacts without the field (Helm
 * charts) and schema 1.
 */
export async function createdOf(source: ImageSource, signal?: AbortSignal): Promise<Date | undefined> {
  let raw = await source.getManifest(undefined, { signal });
  let m = parseManifest(raw.bytes, raw.mediaType);
  if (m.kind === 'index') {
    const first = m.manifests[0];
    if (!first) return undefined;
    raw = await source.getManifest(first.digest, { signal });
    m = parseManifest(raw.bytes, raw.mediaType);
  }
  if (m.kind !== 'image') return undefined;
  const config = await readConfig(source, m.config, MAX_CONFIG_BYTES, signal);
  const created = typeof config['created'] === 'string' ? new Date(config['created']) : undefined;
  return created && !Number.isNaN(created.getTime()) ? created : undefined;
}
