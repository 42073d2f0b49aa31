/**
 * Every size limit on data ferry reads into memory, in one place. Blobs are streamed
 * and have no limit; these documents are parsed whole, so a hostile or broken registry,
 * layout or archive must not be able to make ferry buffer gigabytes.
 */

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Manifests and indexes, read and pushed. distribution refuses to store more, and
 * containers/image refuses to read more, so a bigger one cannot be a real image.
 */
export const MAX_MANIFEST_BYTES = 4 * MiB;
/** Image config blobs (JSON; long histories make them hundreds of KiB at most). */
export const MAX_CONFIG_BYTES = 16 * MiB;
/** An OCI layout's index.json, which grows by one entry per tag. */
export const MAX_LAYOUT_INDEX_BYTES = 16 * MiB;
/** A docker-archive's manifest.json. */
export const MAX_ARCHIVE_MANIFEST_BYTES = 8 * MiB;
/** A token server's answer. */
export const MAX_TOKEN_BODY_BYTES = 1 * MiB;
/** The body of a registry error answer; only its first error is shown. */
export const MAX_ERROR_BODY_BYTES = 64 * KiB;
/** Other JSON answers (tag lists). */
export const MAX_JSON_BODY_BYTES = 16 * MiB;

/** "4 MiB" for messages. */
export function formatLimit(bytes: number): string {
  if (bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes % KiB === 0) return `${bytes / KiB} KiB`;
  return `${bytes} bytes`;
}
