import { randomUUID } from 'node:crypto';
import type { RawManifest } from '../oci/manifest.js';
import { encodeManifest, rawManifest } from '../oci/manifest.js';
import { MediaType } from '../oci/media-types.js';
import { sha256 } from '../oci/digest.js';

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
