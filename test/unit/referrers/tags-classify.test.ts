import { describe, expect, it } from 'vitest';
import { cosignTagMatches, kindOfArtifactType } from '../../../src/referrers/classify.js';
import { isSelected } from '../../../src/referrers/selection.js';
import { cosignTag, parseAttachmentTag, referrersTag } from '../../../src/referrers/tags.js';

const HEX = 'a'.repeat(64);
const SHA512 = `sha512:${'b'.repeat(128)}` as const;

describe('attachment tag names', () => {
  it('names the referrers index and cosign tags of a subject', () => {
    expect(referrersTag(`sha256:${HEX}`)).toBe(`sha256-${HEX}`);
    expect(cosignTag(`sha256:${HEX}`, 'sig')).toBe(`sha256-${HEX}.sig`);
    // the referrers schema truncates to stay a valid tag; cosign does not
    expect(referrersTag(SHA512)).toBe(`sha512-${'b'.repeat(64)}`);
  });

  it('parses them back, and nothing else', () => {
    expect(parseAttachmentTag(`sha256-${HEX}.att`)).toEqual({ stem: `sha256-${HEX}`, subject: `sha256:${HEX}`, suffix: 'att' });
    expect(parseAttachmentTag(`sha256-${HEX}`)).toEqual({ stem: `sha256-${HEX}`, subject: `sha256:${HEX}`, suffix: undefined });
    expect(parseAttachmentTag(`sha512-${'b'.repeat(64)}`)?.subject).toBeUndefined();
    for (const tag of ['v1', 'latest', `sha256-${HEX}.sig2`, `sha256-${HEX.slice(1)}`, `sha256-${HEX}.SIG`, `sha256:${HEX}`]) expect(parseAttachmentTag(tag)).toBeUndefined();
  });
});

describe('attachment kinds', () => {
  it.each([
    ['application/vnd.cncf.notary.signature', 'signature'],
    ['application/vnd.dev.sigstore.bundle.v0.3+json', 'signature'],
    ['application/vnd.dev.cosign.simplesigning.v1+json', 'signature'],
    ['application/vnd.dsse.envelope.v1+json', 'attestation'],
    ['application/vnd.in-toto+json', 'attestation'],
    ['application/spdx+json', 'sbom'],
    ['text/spdx', 'sbom'],
    ['application/vnd.cyclonedx+json', 'sbom'],
    ['application/vnd.example.vuln-report+json', 'other'],
    [undefined, 'other'],
  ])('%s is %s', (type, kind) => {
    expect(kindOfArtifactType(type)).toBe(kind);
  });

  it('a sigstore bundle holding an attestation is an attestation', () => {
    expect(kindOfArtifactType('application/vnd.dev.sigstore.bundle.v0.3+json', { 'dev.sigstore.bundle.predicateType': 'https://slsa.dev/provenance/v1' })).toBe('attestation');
  });

  it('cosign tags match a filter by the type of what they hold', () => {
    expect(cosignTagMatches('sbom', ['application/vnd.cyclonedx+json'])).toBe(true);
    expect(cosignTagMatches('sig', ['application/vnd.cncf.notary.signature'])).toBe(false);
    expect(cosignTagMatches('att', ['application/vnd.dsse.envelope.v1+json'])).toBe(true);
  });

  it('--remove-signatures drops signatures of every scheme, nothing else', () => {
    const desc = (artifactType: string) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${HEX}` as const, size: 1, artifactType });
    const notation = { subject: `sha256:${HEX}` as const, descriptor: desc('application/vnd.cncf.notary.signature'), via: 'referrers-tag' as const, kind: 'signature' as const };
    const sbom = { ...notation, descriptor: desc('application/spdx+json'), kind: 'sbom' as const };
    expect(isSelected(notation, { signatures: false })).toBe(false);
    expect(isSelected(sbom, { signatures: false })).toBe(true);
    expect(isSelected(sbom, { artifactTypes: ['application/spdx+json'] })).toBe(true);
    expect(isSelected(notation, { artifactTypes: ['application/spdx+json'] })).toBe(false);
  });
});
