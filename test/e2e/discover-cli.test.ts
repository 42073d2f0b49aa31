// `ferry discover` through bin/ferry: the real registry (tag schema + cosign tags), the
// referrers-API double, oci: and oci-archive: layouts, and its errors as one line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushCosignSignature, pushNotationSignature, pushOrasSbom, pushSignedImage, pushTinyImage, pushTinyIndex, SPDX_JSON } from '../support/attachments.js';
import { writeSignedLayout } from '../support/attachment-layout.js';
import { ferryJson, ferryOk, oneLineError, runFerry } from '../support/ferry-cli.js';
import { ociArchiveOf } from '../support/location-fixtures.js';
import { startReferrersRegistry, type ReferrersRegistry } from '../support/referrers-registry.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';

interface Referrer {
  kind: string;
  via: string;
  tag?: string;
  digest: string;
  artifactType?: string;
  annotations?: Record<string, string>;
  layers?: Array<{ annotations?: Record<string, string> }>;
  referrers: Referrer[];
}
interface DiscoverJson {
  reference: string;
  digest: string;
  mediaType: string;
  referrers: Referrer[];
  manifests?: Array<{ digest: string; platform?: { architecture: string }; referrers: Referrer[] }>;
}

const digests = (list: Referrer[]): string[] => list.map((r) => r.digest);

describe('ferry discover', () => {
  let registry: RunningRegistry;
  let double: ReferrersRegistry;
  beforeAll(async () => {
    [registry, double] = await Promise.all([startRegistry(), startReferrersRegistry()]);
  });
  afterAll(async () => {
    await registry?.stop();
    await double?.close();
  });

  it('shows a signed image on distribution 2.8 as a tree and as JSON', async () => {
    const p = await pushSignedImage(registry, 'signed', 'v1');
    const tree = (await ferryOk(['discover', `docker://${registry.ref('signed:v1')}`])).stdout;
    const lines = tree.trimEnd().split('\n');
    expect(lines[0]).toBe(`docker://${registry.ref('signed:v1')}`);
    expect(lines[1]).toBe(`${p.image.digest} application/vnd.oci.image.manifest.v1+json ${p.image.size} B`);
    expect(lines).toContain(`├── signature application/vnd.cncf.notary.signature ${p.notation.manifest.digest} ${p.notation.manifest.size} B`);
    // the signature on the SBOM hangs below the SBOM
    const sbomAt = lines.findIndex((l) => l.includes(p.orasSbom.manifest.digest));
    expect(lines[sbomAt]).toMatch(/^├── sbom application\/spdx\+json /);
    expect(lines.slice(sbomAt + 1, sbomAt + 3)).toEqual(['│   │ created 2026-12-01T10:00:00Z', `│   └── signature application/vnd.cncf.notary.signature ${p.sbomSignature.manifest.digest} ${p.sbomSignature.manifest.size} B`]);
    const sigAt = lines.findIndex((l) => l.includes(p.sig.digest));
    expect(lines[sigAt]).toMatch(/^├── signature cosign \.sig /);
    expect(lines.slice(sigAt + 1, sigAt + 3)).toEqual([`│     1 signature (tag ${p.sig.tag})`, '│     logged 2026-12-01T10:00:00.000Z']);
    expect(tree).toContain('predicate https://slsa.dev/provenance/v0.2');

    const json = await ferryJson<DiscoverJson>(['discover', '--format', 'json', `docker://${registry.ref('signed:v1')}`]);
    expect(json.digest).toBe(p.image.digest);
    expect(json.referrers.map((r) => [r.kind, r.via, r.digest])).toEqual([
      ['signature', 'referrers-tag', p.notation.manifest.digest],
      ['sbom', 'referrers-tag', p.orasSbom.manifest.digest],
      ['signature', 'cosign-tag', p.sig.digest],
      ['attestation', 'cosign-tag', p.att.digest],
      ['sbom', 'cosign-tag', p.sbom.digest],
    ]);
    expect(digests(json.referrers[1]!.referrers)).toEqual([p.sbomSignature.manifest.digest]);
    expect(json.referrers[2]!.tag).toBe(p.sig.tag);
    expect(json.referrers[0]!.annotations?.['io.cncf.notary.x509chain.thumbprint#S256']).toBeDefined();

    const sboms = await ferryJson<DiscoverJson>(['discover', '--format', 'json', '--artifact-type', SPDX_JSON, `docker://${registry.ref('signed:v1')}`]);
    expect(digests(sboms.referrers).sort()).toEqual([p.orasSbom.manifest.digest, p.sbom.digest].sort());
  });

  it('shows each child of an index with what is attached to it, and says when nothing is', async () => {
    const { index, children } = await pushTinyIndex(registry, 'multi', 'v1');
    const sig = await pushNotationSignature(registry, 'multi', children[0]!);
    const json = await ferryJson<DiscoverJson>(['discover', '--format', 'json', `docker://${registry.ref('multi:v1')}`]);
    expect(json.digest).toBe(index.digest);
    expect(json.referrers).toEqual([]);
    expect(json.manifests?.map((m) => [m.platform?.architecture, digests(m.referrers)])).toEqual([
      ['amd64', [sig.manifest.digest]],
      ['arm64', []],
    ]);
    const tree = (await ferryOk(['discover', `docker://${registry.ref('multi:v1')}`])).stdout;
    expect(tree).toContain(`├── linux/amd64 ${children[0]!.digest}\n│   └── signature application/vnd.cncf.notary.signature ${sig.manifest.digest}`);
    expect(tree).toContain(`└── linux/arm64 ${children[1]!.digest}\n      nothing attached\n`);

    await pushTinyImage(registry, 'bare', 'v1');
    expect((await ferryOk(['discover', `docker://${registry.ref('bare:v1')}`])).stdout).toMatch(/\n\(nothing attached\)\n$/);
  });

  it('uses the referrers API where the registry has one', async () => {
    const image = await pushTinyImage(double, 'app', 'v1');
    const sbom = await pushOrasSbom(double, 'app', image);
    const sbomSig = await pushNotationSignature(double, 'app', sbom.manifest);
    const cosign = await pushCosignSignature(double, 'app', image);
    double.resetRequests();
    const json = await ferryJson<DiscoverJson>(['discover', '--format', 'json', `docker://${double.ref('app:v1')}`]);
    expect(json.referrers.map((r) => [r.via, r.digest, digests(r.referrers)])).toEqual([
      ['referrers-api', sbom.manifest.digest, [sbomSig.manifest.digest]],
      ['cosign-tag', cosign.digest, []],
    ]);
    // one referrers query per subject: the image, the SBOM, its signature, the cosign signature; one HEAD of the cosign tag
    expect(double.count('GET', '/referrers/')).toBe(4);
    expect(double.count(undefined, '/manifests/sha256-')).toBe(1);
  });

  it('reads oci: and oci-archive: layouts', async () => {
    const l = await writeSignedLayout();
    const archive = await ociArchiveOf({ layoutPath: l.path, tag: 'v1' });
    for (const location of [`oci:${l.path}:v1`, archive]) {
      const json = await ferryJson<DiscoverJson>(['discover', '--format', 'json', location]);
      expect(json.digest).toBe(l.image.digest);
      expect(json.referrers.map((r) => [r.via, r.digest, digests(r.referrers)])).toEqual([
        ['referrers-tag', l.notation.digest, []],
        ['referrers-tag', l.sbom.digest, [l.sbomSignature.digest]],
        ['cosign-tag', l.cosignSig.digest, []],
      ]);
    }
  });

  it('fails with one line: a missing image, a refused referrers endpoint, an unreadable referrers index, a bad --format', async () => {
    const missing = await runFerry(['discover', `docker://${registry.ref('nothing:v1')}`]);
    expect(missing.code).toBe(2);
    expect(oneLineError(missing)).toMatch(/^ferry: \[ERR_NOT_FOUND\] .*nothing:v1.*404/);

    const image = await pushTinyImage(double, 'locked', 'v1');
    double.failNext('/referrers/', 401, 10);
    const refused = await runFerry(['discover', `docker://${double.ref('locked:v1')}`]);
    expect(refused.code).toBe(1);
    expect(oneLineError(refused)).toContain(`[ERR_UNAUTHORIZED] listing referrers of ${image.digest} in docker://${double.ref('locked:v1')}: HTTP 401 UNAUTHORIZED`);

    const broken = await pushTinyImage(registry, 'broken', 'v1');
    await pushTinyImage(registry, 'broken', `sha256-${broken.digest.slice(7)}`);
    const unreadable = await runFerry(['discover', `docker://${registry.ref('broken:v1')}`]);
    expect(oneLineError(unreadable)).toBe(`ferry: [ERR_MANIFEST_INVALID] referrers index sha256-${broken.digest.slice(7)} of docker://${registry.ref('broken:v1')}: it is an image manifest, not an index`);

    const format = await runFerry(['discover', '--format', 'yaml', `docker://${registry.ref('broken:v1')}`]);
    expect(oneLineError(format)).toContain('--format must be tree or json, not yaml');
  });
});
