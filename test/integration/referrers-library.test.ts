// The library side of carrying attachments: copy()'s `attachments` selection, the result's
// counts, manifest-merge bringing each child's attachments, and what an oci: layout's
// index.json holds afterwards (attachment tags as their own ref names, the image's ref intact).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copy } from '../../src/copy/copy.js';
import { mergeManifests } from '../../src/merge/merge.js';
import { digestTag, getManifest, listTags, pushCosignSignature, pushNotationSignature, pushSignedImage, pushTinyImage } from '../support/attachments.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import '../support/isolate-cache.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

describe('carrying attachments through the library', () => {
  let reg: RunningRegistry;
  let work: string;
  let signed: Awaited<ReturnType<typeof pushSignedImage>>;

  beforeAll(async () => {
    [reg, work] = await Promise.all([startRegistry({ mode: 'plain' }), scratchDir('referrers-library')]);
    signed = await pushSignedImage(reg, 'lib/app', 'v1');
  });
  afterAll(async () => {
    await reg?.stop();
  });

  it('copy() carries everything by default and counts it; a rerun finds it all present', async () => {
    const first = await copy(`docker://${reg.ref('lib/app:v1')}`, `docker://${reg.ref('lib/copy:v1')}`);
    // sig, att, sbom, Notation, SBOM referrer, the signature on the SBOM
    expect(first.attachments).toEqual({ carried: 6, present: 0, leftOut: 0 });
    const again = await copy(`docker://${reg.ref('lib/app:v1')}`, `docker://${reg.ref('lib/copy:v1')}`);
    expect(again.noop).toBe(true);
    expect(again.attachments).toEqual({ carried: 0, present: 6, leftOut: 0 });
  });

  it('attachments: { signatures: false } leaves signatures and what hangs on them behind', async () => {
    const r = await copy(`docker://${reg.ref('lib/app:v1')}`, `docker://${reg.ref('lib/nosig:v1')}`, { attachments: { signatures: false } });
    expect(r.attachments?.carried).toBe(3);
    const tags = (await listTags(reg, 'lib/nosig')).sort();
    const stem = digestTag(signed.image.digest);
    expect(tags).toEqual([stem, `${stem}.att`, `${stem}.sbom`, 'v1'].sort());
    expect(await getManifest(reg, 'lib/nosig', signed.sbomSignature.manifest.digest)).toBeUndefined();
  });

  it('an oci: layout keeps the image under its ref and each attachment tag under its own name', async () => {
    const layout = join(work, 'named');
    await copy(`docker://${reg.ref('lib/app:v1')}`, `oci:${layout}:release`);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
    const byName = new Map(index.manifests.map((m) => [m.annotations?.[REF_NAME], m.digest]));
    const stem = digestTag(signed.image.digest);
    expect(byName.get('release')).toBe(signed.image.digest);
    expect(byName.get(`${stem}.sig`)).toBe(signed.sig.digest);
    expect(byName.get(`${stem}.att`)).toBe(signed.att.digest);
    expect(byName.get(`${stem}.sbom`)).toBe(signed.sbom.digest);
    expect(byName.has(stem)).toBe(true);
    expect(byName.has(digestTag(signed.orasSbom.manifest.digest))).toBe(true);
    expect(index.manifests).toHaveLength(6);
  });

  it('a rerun into the layout leaves index.json as it was; a second tag shares the attachment entries', async () => {
    const layout = join(work, 'rerun');
    await copy(`docker://${reg.ref('lib/app:v1')}`, `oci:${layout}:v1`);
    const before = await readFile(join(layout, 'index.json'), 'utf8');
    const again = await copy(`docker://${reg.ref('lib/app:v1')}`, `oci:${layout}:v1`);
    expect(again.attachments).toEqual({ carried: 0, present: 6, leftOut: 0 });
    expect(await readFile(join(layout, 'index.json'), 'utf8')).toBe(before);
    await copy(`docker://${reg.ref('lib/app:v1')}`, `oci:${layout}:v2`);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: unknown[] };
    // v1, v2, three cosign tags, two referrers indexes
    expect(index.manifests).toHaveLength(7);
  });

  it('an oci: layout without a ref: the image stays the one unnamed entry, not a referrer', async () => {
    const layout = join(work, 'unnamed');
    await copy(`docker://${reg.ref('lib/app:v1')}`, `oci:${layout}`);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
    const unnamed = index.manifests.filter((m) => m.annotations?.[REF_NAME] === undefined);
    expect(unnamed.map((m) => m.digest)).toEqual([signed.image.digest]);
    // and copying it back out (the one unnamed entry) restores the attachments
    await copy(`oci:${layout}`, `docker://${reg.ref('lib/back:v1')}`);
    expect((await getManifest(reg, 'lib/back', `${digestTag(signed.image.digest)}.sig`))?.digest).toBe(signed.sig.digest);
  });

  it('manifest-merge brings each child\'s attachments to the target repository', async () => {
    const amd = await pushTinyImage(reg, 'merge/amd', 'v1', 'amd-seed', 'amd64');
    const arm = await pushTinyImage(reg, 'merge/arm', 'v1', 'arm-seed', 'arm64');
    const amdSig = await pushCosignSignature(reg, 'merge/amd', amd);
    const armSig = await pushNotationSignature(reg, 'merge/arm', arm);
    const r = await mergeManifests(`docker://${reg.ref('merge/multi:v1')}`, [`docker://${reg.ref('merge/amd:v1')}`, `docker://${reg.ref('merge/arm:v1')}`]);
    expect(r.pushed).toBe(true);
    expect((await getManifest(reg, 'merge/multi', `${digestTag(amd.digest)}.sig`))?.digest).toBe(amdSig.digest);
    const index = await getManifest(reg, 'merge/multi', digestTag(arm.digest));
    expect((JSON.parse(index!.bytes.toString('utf8')) as { manifests: Array<{ digest: string }> }).manifests.map((d) => d.digest)).toEqual([armSig.manifest.digest]);
  });
});
