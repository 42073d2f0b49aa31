// `ferry delete --referrers` through bin/ferry: on distribution 2.8 (referrers indexes
// and cosign tags go, deepest first, and the manifest last), on the referrers-API double,
// and its refusals as one line with nothing deleted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getManifest, listTags, pushNotationSignature, pushOrasSbom, pushSignedImage, pushTinyImage } from '../support/attachments.js';
import { ferryOk, oneLineError, runFerry } from '../support/ferry-cli.js';
import { startReferrersRegistry, type ReferrersRegistry } from '../support/referrers-registry.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';

const stem = (digest: string): string => `sha256-${digest.slice(7)}`;

describe('ferry delete --referrers', () => {
  let registry: RunningRegistry;
  let locked: RunningRegistry;
  let double: ReferrersRegistry;
  beforeAll(async () => {
    [registry, locked, double] = await Promise.all([startRegistry(), startRegistry({ deleteEnabled: false }), startReferrersRegistry()]);
  });
  afterAll(async () => {
    await registry?.stop();
    await locked?.stop();
    await double?.close();
  });

  it('deletes the image with everything attached to it, and leaves another signed image of the repository alone', async () => {
    const p = await pushSignedImage(registry, 'app', 'v1');
    const other = await pushSignedImage(registry, 'app', 'v2');
    const run = await ferryOk(['delete', '--referrers', `docker://${registry.ref(`app@${p.image.digest}`)}`]);
    const lines = run.stdout.trimEnd().split('\n');
    // deepest first: the SBOM's signature and its index before the SBOM; the image's index after its referrers
    expect(lines).toEqual([
      `Deleted signature application/vnd.cncf.notary.signature ${p.notation.manifest.digest}`,
      `Deleted signature application/vnd.cncf.notary.signature ${p.sbomSignature.manifest.digest}`,
      `Deleted referrers index ${p.sbomSignature.fallbackIndex!.digest} (tag ${stem(p.orasSbom.manifest.digest)})`,
      `Deleted sbom application/spdx+json ${p.orasSbom.manifest.digest}`,
      `Deleted signature ${p.sig.digest} (tag ${p.sig.tag})`,
      `Deleted attestation ${p.att.digest} (tag ${p.att.tag})`,
      // both images carry the same SBOM document, so their .sbom manifests are one: only the tag goes
      `Deleted tag ${p.sbom.tag} of sbom ${p.sbom.digest} (the manifest stays: ${other.sbom.tag} points at it too)`,
      `Deleted referrers index ${p.orasSbom.fallbackIndex!.digest} (tag ${stem(p.image.digest)})`,
      `Deleted 6 attachments of ${p.image.digest}`,
      `Deleted manifest ${p.image.digest} and every tag pointing at it`,
    ]);
    const o = stem(other.image.digest);
    expect(await listTags(registry, 'app')).toEqual([o, `${o}.att`, `${o}.sbom`, `${o}.sig`, stem(other.orasSbom.manifest.digest), 'v2'].sort());
    for (const m of [p.image, p.sig, p.notation.manifest, p.orasSbom.manifest, p.sbomSignature.manifest]) expect(await getManifest(registry, 'app', m.digest)).toBeUndefined();
    expect(await getManifest(registry, 'app', other.sig.digest)).toBeDefined();
    expect(other.sbom.digest).toBe(p.sbom.digest);
    expect((await getManifest(registry, 'app', other.sbom.tag!))?.digest).toBe(other.sbom.digest);
  });

  it('without --referrers deletes only the manifest, as before', async () => {
    const p = await pushSignedImage(registry, 'plain', 'v1');
    const run = await ferryOk(['delete', `docker://${registry.ref(`plain@${p.image.digest}`)}`]);
    expect(run.stdout).toBe(`Deleted manifest ${p.image.digest} and every tag pointing at it\n`);
    expect(await listTags(registry, 'plain')).toContain(p.sig.tag);
  });

  it('with a tag takes --manifest, and refuses a tag-only delete', async () => {
    const p = await pushSignedImage(registry, 'tagged', 'v1');
    const refused = await runFerry(['delete', '--referrers', `docker://${registry.ref('tagged:v1')}`]);
    expect(oneLineError(refused)).toBe(`ferry: [ERR_USAGE] deleting what is attached to docker://${registry.ref('tagged:v1')} needs the manifest deleted too; name it by digest, or add --manifest`);
    expect(await listTags(registry, 'tagged')).toContain('v1');
    const run = await ferryOk(['delete', '--referrers', '--manifest', `docker://${registry.ref('tagged:v1')}`]);
    expect(run.stdout).toContain(`Deleted 6 attachments of ${p.image.digest}`);
    expect(await listTags(registry, 'tagged')).toEqual([]);
  });

  it('deletes referrers through a registry with the referrers API', async () => {
    const image = await pushTinyImage(double, 'app', 'v1');
    const sbom = await pushOrasSbom(double, 'app', image);
    const sig = await pushNotationSignature(double, 'app', sbom.manifest);
    const keep = await pushTinyImage(double, 'app', 'v2');
    const run = await ferryOk(['delete', '--referrers', `docker://${double.ref(`app@${image.digest}`)}`]);
    expect(run.stdout).toBe(
      [`Deleted signature application/vnd.cncf.notary.signature ${sig.manifest.digest}`, `Deleted sbom application/spdx+json ${sbom.manifest.digest}`, `Deleted 2 attachments of ${image.digest}`, `Deleted manifest ${image.digest} and every tag pointing at it`, ''].join('\n'),
    );
    expect(double.tags('app')).toEqual(['v2']);
    expect(await getManifest(double, 'app', keep.digest)).toBeDefined();
  });

  it('refuses with one line and deletes nothing: a missing manifest, deletion disabled', async () => {
    const gone = `sha256:${'0'.repeat(64)}`;
    const missing = await runFerry(['delete', '--referrers', `docker://${registry.ref(`app@${gone}`)}`]);
    expect(missing.code).toBe(2);
    expect(oneLineError(missing)).toBe(`ferry: [ERR_NOT_FOUND] cannot delete manifest ${gone}: not found in docker://${registry.ref(`app@${gone}`)}; nothing was deleted`);

    const p = await pushSignedImage(locked, 'app', 'v1');
    const before = await listTags(locked, 'app');
    const disabled = await runFerry(['delete', '--referrers', `docker://${locked.ref(`app@${p.image.digest}`)}`]);
    expect(oneLineError(disabled)).toMatch(/^ferry: \[ERR_UNSUPPORTED\] cannot delete signature sha256:[0-9a-f]{64} attached to sha256:[0-9a-f]{64}: the registry has deletion disabled \(HTTP 405 UNSUPPORTED/);
    expect(await listTags(locked, 'app')).toEqual(before);
  });
});
