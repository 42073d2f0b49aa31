import type { CosignSuffix } from '../oci/attachment-tag.js';
import { digestAlgorithm, digestHex, type Digest } from '../oci/digest.js';

/**
 * Tag names under which attachments live in a repository, for registries (and layouts)
 * that cannot list referrers themselves:
 * - the OCI referrers tag schema: an index tagged `<alg>-<hex>` listing the subject's referrers;
 * - cosign's scheme: `<alg>-<hex>.sig`, `.att` and `.sbom` next to the image.
 */

export const COSIGN_SUFFIXES: readonly CosignSuffix[] = ['sig', 'att', 'sbom'];
export type { CosignSuffix };

/**
 * The referrers-schema tag of a subject. The distribution spec truncates the algorithm to
 * 32 and the encoded part to 64 characters so the tag stays under 128 (sha512).
 */
export function referrersTag(subject: Digest): string {
  return `${digestAlgorithm(subject).slice(0, 32)}-${digestHex(subject).slice(0, 64)}`;
}

/** cosign's tag for a subject's signatures, attestations or SBOM (cosign does not truncate). */
export function cosignTag(subject: Digest, suffix: CosignSuffix): string {
  return `${digestAlgorithm(subject)}-${digestHex(subject)}.${suffix}`;
}

export { isAttachmentTag, parseAttachmentTag, type AttachmentTag } from '../oci/attachment-tag.js';
