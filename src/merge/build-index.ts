import { FerryError, UsageError } from '../errors.js';
import type { Descriptor, Platform } from '../oci/descriptor.js';
import type { RawManifest } from '../oci/manifest.js';
import { encodeManifest, rawManifest } from '../oci/manifest.js';
import { MediaType } from '../oci/media-types.js';
import { formatPlatform, samePlatform } from '../oci/platform.js';

export type IndexFormat = 'oci' | 'v2s2';

/** One manifest the merged index will list. */
export interface MergeEntry {
  /** mediaType, digest and size of the child manifest, plus the annotations its source index gave it. */
  descriptor: Pick<Descriptor, 'mediaType' | 'digest' | 'size' | 'annotations'>;
  platform: Platform | undefined;
  /** The source as the user wrote it, named in messages. */
  origin: string;
  /** Listed by the index already at the target (append): a new image for its platform takes its place. */
  existing?: boolean;
}

export interface Placement {
  entries: MergeEntry[];
  notes: string[];
}

/** buildx lists attestations as unknown/unknown; they describe an image rather than run anywhere. */
function runnable(p: Platform | undefined): p is Platform {
  return p !== undefined && !(p.os === 'unknown' && p.architecture === 'unknown');
}

const REFERENCE_DIGEST = 'vnd.docker.reference.digest';

/**
 * Lists the existing entries, then each incoming one in order. One image per platform:
 * a second one for a platform is an error naming both, unless `replace` (the later one
 * takes the earlier one's place). Existing entries always give way, which is what
 * appending is for.
 */
export function placeEntries(existing: readonly MergeEntry[], incoming: readonly MergeEntry[], replace: boolean): Placement {
  let entries = [...existing];
  const notes: string[] = [];
  for (const entry of incoming) {
    const i = runnable(entry.platform) ? entries.findIndex((e) => runnable(e.platform) && samePlatform(e.platform, entry.platform)) : -1;
    const previous = i >= 0 ? entries[i] : undefined;
    if (!previous) {
      entries.push(entry);
      continue;
    }
    const platform = formatPlatform(entry.platform);
    if (!previous.existing && !replace) {
      throw new FerryError('ERR_CONFLICT', `two images for ${platform}: ${previous.origin} and ${entry.origin}`, { hint: '`replace: true` keeps the later one' });
    }
    entries[i] = entry;
    if (previous.descriptor.digest === entry.descriptor.digest) continue;
    notes.push(`${platform}: ${entry.origin} replaces ${previous.origin}`);
    // an attestation of the replaced image would point at a manifest the index no longer lists
    entries = entries.filter((e) => e.descriptor.annotations?.[REFERENCE_DIGEST] !== previous.descriptor.digest);
  }
  return { entries, notes };
}

function ociDescriptor(e: MergeEntry): Record<string, unknown> {
  const { mediaType, digest, size, annotations } = e.descriptor;
  return {
    mediaType,
    digest,
    size,
    ...(annotations && Object.keys(annotations).length > 0 ? { annotations } : {}),
    ...(e.platform ? { platform: e.platform } : {}),
  };
}

function dockerDescriptor(e: MergeEntry): Record<string, unknown> {
  if (e.descriptor.mediaType !== MediaType.DockerManifest) {
    throw new FerryError(
      'ERR_UNSUPPORTED',
      `a Docker manifest list (v2s2) holds only Docker v2s2 images, but ${e.origin} (${e.descriptor.digest}) is ${e.descriptor.mediaType}`,
      { hint: "use `format: 'oci'`" },
    );
  }
  if (!e.platform) throw new FerryError('ERR_UNSUPPORTED', `a Docker manifest list (v2s2) needs a platform for every image; ${e.origin} (${e.descriptor.digest}) has none`);
  const { mediaType, digest, size } = e.descriptor;
  // field order of docker's manifestlist.ManifestDescriptor
  return { mediaType, size, digest, platform: e.platform };
}

/**
 * The merged index, serialised once: the same entries always give the same bytes, so a
 * repeated merge is a no-op at the registry. Pure.
 */
export function buildIndexManifest(entries: readonly MergeEntry[], options: { format: IndexFormat; annotations?: Record<string, string> }): RawManifest {
  if (entries.length === 0) throw new UsageError('nothing to merge: give at least one source image');
  const annotations = options.annotations ?? {};
  if (options.format === 'v2s2') {
    if (Object.keys(annotations).length > 0) throw new UsageError('Docker manifest lists have no annotations', { hint: "use `format: 'oci'` with `annotations`" });
    const doc = { schemaVersion: 2, mediaType: MediaType.DockerManifestList, manifests: entries.map(dockerDescriptor) };
    return rawManifest(encodeManifest(doc), MediaType.DockerManifestList);
  }
  const doc = {
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: entries.map(ociDescriptor),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
  return rawManifest(encodeManifest(doc), MediaType.OciIndex);
}
