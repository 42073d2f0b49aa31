import type { Descriptor } from '../oci/descriptor.js';
import type { AttachmentKind } from './types.js';
import type { CosignSuffix } from './tags.js';

/**
 * What an attachment is, from what a listing already tells (artifactType, annotations) or
 * from cosign's tag suffix, so that no manifest has to be read just to filter.
 */

export const NOTATION_SIGNATURE = 'application/vnd.cncf.notary.signature';
export const COSIGN_SIMPLESIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const DSSE_ENVELOPE = 'application/vnd.dsse.envelope.v1+json';
const SIGSTORE_BUNDLE = /^application\/vnd\.dev\.sigstore\.bundle/;
const ATTESTATION = /^application\/vnd\.(dsse\.envelope|in-toto)/;
const SBOM = /spdx|cyclonedx|vnd\.syft/i;
/** cosign v3 stores attestations as sigstore bundles and says so in this annotation. */
const BUNDLE_PREDICATE = 'dev.sigstore.bundle.predicateType';

/** The kind of a referrer from its artifactType (for image manifests, the config's media type). */
export function kindOfArtifactType(artifactType: string | undefined, annotations?: Record<string, string>): AttachmentKind {
  if (!artifactType) return 'other';
  if (SIGSTORE_BUNDLE.test(artifactType)) return annotations?.[BUNDLE_PREDICATE] ? 'attestation' : 'signature';
  if (artifactType === NOTATION_SIGNATURE || artifactType === COSIGN_SIMPLESIGNING) return 'signature';
  if (ATTESTATION.test(artifactType)) return 'attestation';
  if (SBOM.test(artifactType)) return 'sbom';
  return 'other';
}

export function kindOfReferrer(desc: Descriptor): AttachmentKind {
  return kindOfArtifactType(desc.artifactType, desc.annotations);
}

export function kindOfCosignTag(suffix: CosignSuffix): AttachmentKind {
  return suffix === 'sig' ? 'signature' : suffix === 'att' ? 'attestation' : 'sbom';
}

/**
 * Whether a cosign tag is selected by an artifact-type filter. A cosign manifest has no
 * artifactType of its own; its layers carry the type: simple-signing for `.sig`, a DSSE
 * envelope for `.att`, and whatever SBOM format was attached for `.sbom` (so any SBOM
 * type selects it).
 */
export function cosignTagMatches(suffix: CosignSuffix, artifactTypes: readonly string[]): boolean {
  if (suffix === 'sig') return artifactTypes.includes(COSIGN_SIMPLESIGNING);
  if (suffix === 'att') return artifactTypes.includes(DSSE_ENVELOPE);
  return artifactTypes.some((t) => kindOfArtifactType(t) === 'sbom');
}
