import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';

/**
 * What is attached to an image: OCI 1.1 referrers (manifests whose `subject` names it)
 * and cosign's tag scheme (`sha256-<hex>.sig|.att|.sbom` next to it). This file is the
 * contract between discovery (src/referrers/discover*) and the operations that carry,
 * show or delete attachments (copy, sync, merge, discover, delete).
 */

/** How an attachment was found, and therefore how it must be written at a destination. */
export type AttachmentVia =
  /** listed by the registry's referrers API (GET /v2/<name>/referrers/<digest>) */
  | 'referrers-api'
  /** listed in the referrers tag schema's index, tagged `sha256-<hex>` */
  | 'referrers-tag'
  /** a cosign tag `sha256-<hex>.sig|.att|.sbom` */
  | 'cosign-tag';

/**
 * What an attachment is, for filtering (--remove-signatures leaves out 'signature') and
 * for display. Decided from artifactType / media types / the cosign suffix.
 */
export type AttachmentKind = 'signature' | 'attestation' | 'sbom' | 'other';

export interface Attachment {
  /** The manifest it is attached to. */
  readonly subject: Digest;
  /**
   * The attached manifest: mediaType, digest, size, and (for referrers) artifactType and
   * the annotations the referrers listing carried.
   */
  readonly descriptor: Descriptor;
  readonly via: AttachmentVia;
  /** For 'cosign-tag': the tag it lives under. */
  readonly tag?: string;
  readonly kind: AttachmentKind;
  /** What is attached to this attachment in turn (a signature on an SBOM). */
  readonly attachments: readonly Attachment[];
}

/** Which attachments an operation carries. The default carries all of them. */
export interface AttachmentSelection {
  /** false: carry none (`--no-referrers`). Default true. */
  referrers?: boolean;
  /** false: leave out signatures (`--remove-signatures`). Default true. */
  signatures?: boolean;
  /** When given, only referrers with one of these artifact types (cosign tags by their kind's type). */
  artifactTypes?: readonly string[];
}
