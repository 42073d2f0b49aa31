import type { Digest } from './digest.js';

/**
 * The shape of the tags attachments live under (src/referrers/tags.ts names them): the
 * referrers tag schema's `<alg>-<hex>` and cosign's `<alg>-<hex>.sig|.att|.sbom`. Here,
 * below the transports, so that a layout can tell an image's ref name from an
 * attachment's without knowing anything else about attachments.
 */

export type CosignSuffix = 'sig' | 'att' | 'sbom';

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

/** Whether a tag is one of the attachment tags rather than an image's name. */
export function isAttachmentTag(tag: string): boolean {
  return parseAttachmentTag(tag) !== undefined;
}
