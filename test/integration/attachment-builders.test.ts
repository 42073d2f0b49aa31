// The attachment builders against the real registry (distribution 2.8, no referrers
// API): cosign's tags, the `sha256-<hex>` fallback index the way oras/notation write it,
// and a signature on an SBOM, all stored byte-exact and readable as the tools would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  digestTag,
  getManifest,
  listTags,
  NOTATION_SIGNATURE,
  pushCosignSignature,
  pushSignedImage,
  SPDX_JSON,
} from '../support/attachments.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';

interface Doc {
  mediaType: string;
  artifactType?: string;
  subject?: { digest: string };
  config: { mediaType: string; digest: string };
  layers: Array<{ mediaType: string; annotations?: Record<string, string> }>;
  manifests: Array<{ digest: string; artifactType?: string; annotations?: Record<string, string> }>;
}

const parse = (bytes: Buffer | undefined): Doc => JSON.parse(bytes!.toString('utf8')) as Doc;

describe('attachment builders on distribution 2.8', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(() => registry?.stop());

  it('push a signed image: cosign tags, the fallback index, and a signed SBOM', async () => {
    const pushed = await pushSignedImage(registry, 'signed', 'v1');
    const { image, sig, att, sbom, notation, orasSbom, sbomSignature } = pushed;
    const stem = digestTag(image.digest);
    expect(await listTags(registry, 'signed')).toEqual(
      [stem, `${stem}.att`, `${stem}.sbom`, `${stem}.sig`, digestTag(orasSbom.manifest.digest), 'v1'].sort(),
    );
    // cosign's manifests, as stored
    const sigDoc = parse((await getManifest(registry, 'signed', `${stem}.sig`))?.bytes);
    expect(sigDoc.layers[0]!.mediaType).toBe('application/vnd.dev.cosign.simplesigning.v1+json');
    expect(sigDoc.layers[0]!.annotations?.['dev.cosignproject.cosign/signature']).toBeTruthy();
    expect(parse((await getManifest(registry, 'signed', `${stem}.att`))?.bytes).layers[0]!.annotations?.predicateType).toBe('https://slsa.dev/provenance/v0.2');
    expect(parse((await getManifest(registry, 'signed', `${stem}.sbom`))?.bytes).layers[0]!.mediaType).toBe('text/spdx+json');
    for (const m of [sig, att, sbom]) expect((await getManifest(registry, 'signed', m.digest))?.digest).toBe(m.digest);

    // the referrers: stored byte-exact with subject, listed in the subject's fallback index
    const notationDoc = parse((await getManifest(registry, 'signed', notation.manifest.digest))?.bytes);
    expect(notationDoc.artifactType).toBe(NOTATION_SIGNATURE);
    expect(notationDoc.subject?.digest).toBe(image.digest);
    expect(notationDoc.config.mediaType).toBe('application/vnd.oci.empty.v1+json');
    const index = parse((await getManifest(registry, 'signed', stem))?.bytes);
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.map((d) => [d.digest, d.artifactType])).toEqual([
      [notation.manifest.digest, NOTATION_SIGNATURE],
      [orasSbom.manifest.digest, SPDX_JSON],
    ]);
    expect(index.manifests[0]!.annotations?.['org.opencontainers.image.created']).toBe('2026-12-01T10:00:00Z');
    // the signature on the SBOM has the SBOM as subject and its own fallback index
    expect(parse((await getManifest(registry, 'signed', sbomSignature.manifest.digest))?.bytes).subject?.digest).toBe(orasSbom.manifest.digest);
    expect(parse(sbomSignature.fallbackIndex?.bytes).manifests.map((d) => d.digest)).toEqual([sbomSignature.manifest.digest]);
  });

  it('a second cosign signature appends a layer to the same tag, as cosign does', async () => {
    const { image, sig } = await pushSignedImage(registry, 'twice', 'v1');
    const again = await pushCosignSignature(registry, 'twice', image);
    expect(again.tag).toBe(sig.tag);
    expect(again.digest).not.toBe(sig.digest);
    expect(parse(again.bytes).layers).toHaveLength(2);
    expect((await getManifest(registry, 'twice', sig.tag!))?.digest).toBe(again.digest);
  });
});
