import { digestAlgorithm, digestHex, type Digest } from '../oci/digest.js';

/**
 * Tag names under which attachments live in a repository, for registries (and layouts)
 * that cannot list referrers themselves:
 * - the OCI referrers tag schema: an index tagged `<alg>-<hex>` listing the subject's referrers;
 * - cosign's scheme: `<alg>-<hex>.sig`, `.att` and `.sbom` next to the image.
 */

export const COSIGN_SUFFIXES = ['sig', 'att', 'sbom'] as const;
export type CosignSuffix = (typeof COSIGN_SUFFIXES)[number];

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

export interface AttachmentTag {
  /** `sha256-<hex>` of the subject, as it appears in the tag. */
  stem: string;
  /** The subject's digest, when the tag spells it in full (always for sha256). */
  subject: Digest | undefined;
  /** Set for cosign tags; undefined for the referrers-schema index tag. */
  suffix: CosignSuffix | undefined;
}

const TAG_PATTERN = /^([a-z0-9]{1,32})-([a-f0-9]{64,})(?:\.(sig|att|sbom))?$/;

/** What an attachment tag says, or undefined for any other tag. */
export function parseAttachmentTag(tag: string): AttachmentTag | undefined {
  const m = TAG_PATTERN.exec(tag);
  if (!m) return undefined;
  const [, alg, hex, suffix] = m as unknown as [string, string, string, CosignSuffix | undefined];
  const full = (alg === 'sha256' && hex.length === 64) || (alg === 'sha512' && hex.length === 128);
  return { stem: `${alg}-${hex}`, subject: full ? (`${alg}:${hex}` as Digest) : undefined, suffix };
}

/** Whether a tag is one of the attachment tags (sync and prune leave them to the carrying code). */
export function isAttachmentTag(tag: string): boolean {
  return parseAttachmentTag(tag) !== undefined;
}
