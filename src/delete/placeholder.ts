import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { FerryError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import type { RawManifest } from '../oci/manifest.js';
import { encodeManifest, rawManifest } from '../oci/manifest.js';
import { MediaType } from '../oci/media-types.js';
import { sha256 } from '../oci/digest.js';
import type { ImageDestination, ImageSource } from '../transport/types.js';

/** The OCI empty config blob, "{}". */
export const EMPTY_CONFIG = Buffer.from('{}');
export const EMPTY_CONFIG_DESCRIPTOR = { mediaType: MediaType.OciEmpty, digest: sha256(EMPTY_CONFIG), size: EMPTY_CONFIG.length };

/**
 * A tiny manifest nobody else can share (a random annotation), used to move a tag off
 * its image so the tag alone can be deleted where the registry refuses tag deletion.
 */
export function placeholderManifest(tag: string): RawManifest {
  return rawManifest(
    encodeManifest({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      artifactType: 'application/vnd.ferry.tag-delete.v1',
      config: EMPTY_CONFIG_DESCRIPTOR,
      layers: [EMPTY_CONFIG_DESCRIPTOR],
      annotations: { 'dev.ferry.tag-delete': `${tag} ${randomUUID()}`, 'org.opencontainers.image.created': new Date().toISOString() },
    }),
  );
}

/** Permission failures while moving a tag onto the placeholder: that route needs push as well as delete. */
function explainPlaceholderError(e: unknown, tag: string, repository: string): unknown {
  if (e instanceof FerryError && (e.status === 401 || e.status === 403)) {
    return new FerryError(
      'ERR_DENIED',
      `cannot delete only tag ${tag}: this registry deletes tags by digest, so ferry moves the tag to a placeholder first, which needs push as well as delete in ${repository} (HTTP ${e.status}${e.registryCode ? ` ${e.registryCode}` : ''})`,
      { cause: e, hint: '`manifest: true` deletes the whole manifest instead' },
    );
  }
  return e;
}

/** A destination with the delete capabilities. */
export type DeletingDestination = ImageDestination & Required<Pick<ImageDestination, 'deleteManifest' | 'deleteTag'>>;

export interface PlaceholderDelete {
  tag: string;
  /** The digest the tag points at now, put back if the delete fails halfway. */
  original: Digest;
  /** "docker://host/repo", for messages. */
  repository: string;
  signal?: AbortSignal;
}

/**
 * Pushes a placeholder under the tag, then deletes the placeholder by digest: the tag
 * goes, the image and its other tags stay. Should that delete fail, the tag is put back
 * on the image before the error is reported, so a failed delete never retags anything.
 */
export async function deleteTagViaPlaceholder(source: ImageSource, dest: DeletingDestination, d: PlaceholderDelete): Promise<void> {
  const { tag, original, signal } = d;
  const placeholder = placeholderManifest(tag);
  try {
    if (!(await dest.hasBlob(EMPTY_CONFIG_DESCRIPTOR, { signal }))) {
      await dest.putBlob(EMPTY_CONFIG_DESCRIPTOR, Readable.from([EMPTY_CONFIG]), { signal });
    }
    await dest.putManifest(placeholder, tag, { signal });
  } catch (e) {
    throw explainPlaceholderError(e, tag, d.repository);
  }
  try {
    await dest.deleteManifest(placeholder.digest, { signal, subject: `tag ${tag}` });
  } catch (reported) {
    try {
      await dest.putManifest(await source.getManifest(original, { signal }), tag, { signal });
    } catch (restoreError) {
      throw new FerryError(
        'ERR_REGISTRY',
        `${(reported as Error).message}; tag ${tag} is left on placeholder ${placeholder.digest} and could not be put back on ${original}: ${(restoreError as Error).message}`,
        { cause: reported },
      );
    }
    throw reported;
  }
}
