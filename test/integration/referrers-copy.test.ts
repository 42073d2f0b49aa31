// Signatures, attestations and SBOMs travel with the image: a signed image (cosign
// .sig/.att/.sbom tags, a Notation signature and an SBOM referrer with a signature on
// it, built as those tools build them) copied registry → registry, through oci: and
// oci-archive: layouts, and by sync, against distribution 2.8 (no referrers API: the
// sha256-<hex> fallback index), each attachment arriving with its digest unchanged.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestTag, getManifest, listTags, pushSignedImage, type PushedManifest, type PushTarget } from '../support/attachments.js';
import { ferryOk, runFerry } from '../support/ferry-cli.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { skopeoInspectRaw } from '../support/skopeo.js';

type Signed = Awaited<ReturnType<typeof pushSignedImage>>;

/** The digests the fallback index `sha256-<hex>` of `subject` lists at a registry. */
async function indexed(target: PushTarget, repo: string, subject: string): Promise<string[]> {
  const raw = await getManifest(target, repo, digestTag(subject));
  if (!raw) return [];
  return (JSON.parse(raw.bytes.toString('utf8')) as { manifests: Array<{ digest: string }> }).manifests.map((d) => d.digest).sort();
}

/** The manifest is stored by digest, byte-exact. */
async function expectStored(target: PushTarget, repo: string, m: PushedManifest): Promise<void> {
  const got = await getManifest(target, repo, m.digest);
  expect(got?.bytes.equals(m.bytes), `${m.digest} in ${repo}`).toBe(true);
}

async function tagDigest(target: PushTarget, repo: string, tag: string): Promise<string | undefined> {
  return (await getManifest(target, repo, tag))?.digest;
}

/** Every attachment of `signed` is at `repo`, under the same digests and tags, discoverable. */
async function expectAllAttachments(target: PushTarget, repo: string, s: Signed): Promise<void> {
  const stem = digestTag(s.image.digest);
  expect(await tagDigest(target, repo, `${stem}.sig`)).toBe(s.sig.digest);
  expect(await tagDigest(target, repo, `${stem}.att`)).toBe(s.att.digest);
  expect(await tagDigest(target, repo, `${stem}.sbom`)).toBe(s.sbom.digest);
  for (const m of [s.sig, s.att, s.sbom, s.notation.manifest, s.orasSbom.manifest, s.sbomSignature.manifest]) await expectStored(target, repo, m);
  expect(await indexed(target, repo, s.image.digest)).toEqual([s.notation.manifest.digest, s.orasSbom.manifest.digest].sort());
  expect(await indexed(target, repo, s.orasSbom.manifest.digest)).toEqual([s.sbomSignature.manifest.digest]);
}

async function attachmentTags(target: PushTarget, repo: string): Promise<string[]> {
  return (await listTags(target, repo)).filter((t) => t.startsWith('sha256-')).sort();
}

describe('copy carries attachments (distribution 2.8: fallback index and cosign tags)', () => {
  let src: RunningRegistry;
  let dst: RunningRegistry;
  let signed: Signed;
  let work: string;

  beforeAll(async () => {
    [src, dst, work] = await Promise.all([startRegistry({ mode: 'plain' }), startRegistry({ mode: 'plain' }), scratchDir('referrers-copy')]);
    signed = await pushSignedImage(src, 'app', 'v1');
  });
  afterAll(async () => {
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  it('registry → registry: every attachment arrives with its digest, and skopeo reads them', async () => {
    const run = await ferryOk(['copy', '--quiet', `docker://${src.ref('app:v1')}`, `docker://${dst.ref('mirror/app:v1')}`]);
    expect(run.stdout.trim()).toBe(signed.image.digest);
    await expectAllAttachments(dst, 'mirror/app', signed);
    const stem = digestTag(signed.image.digest);
    expect(await skopeoInspectRaw(dst, `mirror/app:${stem}.sig`)).toBe(signed.sig.bytes.toString());
    const index = JSON.parse(await skopeoInspectRaw(dst, `mirror/app:${stem}`)) as { mediaType: string; manifests: Array<{ artifactType?: string }> };
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.map((m) => m.artifactType).sort()).toEqual(['application/spdx+json', 'application/vnd.cncf.notary.signature']);
  });

  it('looks for the image\'s attachments while its blobs are copied, not after its manifest is written', async () => {
    const run = await ferryOk(['copy', '--debug', `docker://${src.ref('app:v1')}`, `docker://${dst.ref('early/app:v1')}`]);
    const lines = run.stderr.split('\n');
    const asked = lines.findIndex((l) => l.includes(`HTTP GET ${src.url}/v2/app/referrers/${signed.image.digest}`));
    const written = lines.findIndex((l) => l.includes(`HTTP PUT ${dst.url}/v2/early/app/manifests/v1`));
    expect(asked, run.stderr).toBeGreaterThan(-1);
    expect(written, run.stderr).toBeGreaterThan(-1);
    expect(asked, run.stderr).toBeLessThan(written);
    await expectAllAttachments(dst, 'early/app', signed);
  });

  it('a second copy of the unchanged image writes nothing', async () => {
    const mark = await dst.mark();
    await ferryOk(['copy', '--quiet', `docker://${src.ref('app:v1')}`, `docker://${dst.ref('mirror/app:v1')}`]);
    const writes = (await dst.accessLog(mark)).filter((e) => e.method !== 'GET' && e.method !== 'HEAD');
    expect(writes).toEqual([]);
  });

  it('registry → oci: → registry restores them', async () => {
    const layout = join(work, 'layout');
    await ferryOk(['copy', '--quiet', `docker://${src.ref('app:v1')}`, `oci:${layout}:v1`]);
    await ferryOk(['copy', '--quiet', `oci:${layout}:v1`, `docker://${dst.ref('via-oci/app:v1')}`]);
    await expectAllAttachments(dst, 'via-oci/app', signed);
  });

  it('registry → oci-archive: → registry restores them', async () => {
    const archive = join(work, 'app.tar');
    await ferryOk(['copy', '--quiet', `docker://${src.ref('app:v1')}`, `oci-archive:${archive}:v1`]);
    await ferryOk(['copy', '--quiet', `oci-archive:${archive}:v1`, `docker://${dst.ref('via-archive/app:v1')}`]);
    await expectAllAttachments(dst, 'via-archive/app', signed);
  });

  it('sync carries them and does not copy attachment tags as images', async () => {
    const run = await ferryOk(['sync', `docker://${src.ref('app')}`, `docker://${dst.ref('synced/app')}`]);
    expect(run.stdout).not.toMatch(/sha256-/);
    await expectAllAttachments(dst, 'synced/app', signed);
    // again, unchanged: nothing written
    const mark = await dst.mark();
    await ferryOk(['sync', `docker://${src.ref('app')}`, `docker://${dst.ref('synced/app')}`]);
    expect((await dst.accessLog(mark)).filter((e) => e.method !== 'GET' && e.method !== 'HEAD')).toEqual([]);
    // --delete-missing removes tags the source dropped, never the attachment tags
    await ferryOk(['sync', '--delete-missing', `docker://${src.ref('app')}`, `docker://${dst.ref('synced/app')}`]);
    await expectAllAttachments(dst, 'synced/app', signed);
  });

  it('sync into an oci: layout keeps them, and a copy back out restores them', async () => {
    const layout = join(work, 'synced-layout');
    await ferryOk(['sync', `docker://${src.ref('app')}`, `oci:${layout}`]);
    await ferryOk(['copy', '--quiet', `oci:${layout}:v1`, `docker://${dst.ref('from-sync-layout/app:v1')}`]);
    await expectAllAttachments(dst, 'from-sync-layout/app', signed);
  });

  it('--remove-signatures leaves out cosign .sig and Notation signatures, keeps attestation and SBOMs', async () => {
    await ferryOk(['copy', '--quiet', '--remove-signatures', `docker://${src.ref('app:v1')}`, `docker://${dst.ref('unsigned/app:v1')}`]);
    const stem = digestTag(signed.image.digest);
    expect(await attachmentTags(dst, 'unsigned/app')).toEqual([stem, `${stem}.att`, `${stem}.sbom`].sort());
    expect(await indexed(dst, 'unsigned/app', signed.image.digest)).toEqual([signed.orasSbom.manifest.digest]);
  });

  it('--no-referrers leaves out everything attached', async () => {
    await ferryOk(['copy', '--quiet', '--no-referrers', `docker://${src.ref('app:v1')}`, `docker://${dst.ref('bare/app:v1')}`]);
    expect(await attachmentTags(dst, 'bare/app')).toEqual([]);
    expect(await tagDigest(dst, 'bare/app', 'v1')).toBe(signed.image.digest);
  });

  it('--referrers-artifact-type selects by type', async () => {
    await ferryOk(['copy', '--quiet', '--referrers-artifact-type', 'application/spdx+json', `docker://${src.ref('app:v1')}`, `docker://${dst.ref('sbom-only/app:v1')}`]);
    const tags = await attachmentTags(dst, 'sbom-only/app');
    expect(tags).not.toContain(`${digestTag(signed.image.digest)}.sig`);
    expect(await indexed(dst, 'sbom-only/app', signed.image.digest)).toEqual([signed.orasSbom.manifest.digest]);
  });

  it('a recompressing copy says so in one line and leaves them out', async () => {
    const run = await runFerry(['copy', '--dest-compress-format', 'zstd', `docker://${src.ref('app:v1')}`, `docker://${dst.ref('zstd/app:v1')}`]);
    expect(run.code).toBe(0);
    const lines = run.stderr.split('\n').filter((l) => l.includes('left out'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(signed.image.digest);
    expect(await attachmentTags(dst, 'zstd/app')).toEqual([]);
  });

  it('a converting sync says so in one line per image and leaves them out', async () => {
    const run = await ferryOk(['sync', '--format', 'v2s2', `docker://${src.ref('app')}`, `docker://${dst.ref('v2s2-sync/app')}`]);
    const lines = run.stderr.split('\n').filter((l) => l.includes('left out'));
    expect(lines).toEqual([expect.stringContaining(signed.image.digest)]);
    expect(await attachmentTags(dst, 'v2s2-sync/app')).toEqual([]);
  });

  it('two concurrent copies attaching different signatures to one image both end up in the index', async () => {
    // the same image (same bytes, same digest) in two repositories, each with its own Notation signature
    const { pushTinyImage, pushNotationSignature } = await import('../support/attachments.js');
    const a = await pushTinyImage(src, 'race/a', 'v1', 'one-seed');
    const b = await pushTinyImage(src, 'race/b', 'v1', 'one-seed');
    expect(a.digest).toBe(b.digest);
    const [sigA, sigB] = [await pushNotationSignature(src, 'race/a', a), await pushNotationSignature(src, 'race/b', b)];
    await Promise.all([
      ferryOk(['copy', '--quiet', `docker://${src.ref('race/a:v1')}`, `docker://${dst.ref('race/app:v1')}`]),
      ferryOk(['copy', '--quiet', `docker://${src.ref('race/b:v1')}`, `docker://${dst.ref('race/app:v1')}`]),
    ]);
    expect(await indexed(dst, 'race/app', a.digest)).toEqual([sigA.manifest.digest, sigB.manifest.digest].sort());
  });

  it('an unchanged image with a cosign signature costs at most two requests more than an unsigned one', async () => {
    const { pushTinyImage, pushCosignSignature } = await import('../support/attachments.js');
    const plain = await pushTinyImage(src, 'count/plain', 'v1');
    const one = await pushTinyImage(src, 'count/one', 'v1');
    await pushCosignSignature(src, 'count/one', one);
    expect(plain.digest).not.toBe(one.digest);
    const requests = async (repo: string): Promise<number> => {
      const args = ['copy', '--quiet', `docker://${src.ref(`${repo}:v1`)}`, `docker://${dst.ref(`${repo}:v1`)}`];
      await ferryOk(args);
      const [s, d] = [await src.mark(), await dst.mark()];
      await ferryOk(args);
      return (await src.accessLog(s)).length + (await dst.accessLog(d)).length;
    };
    const unsigned = await requests('count/plain');
    const signedOnce = await requests('count/one');
    expect(signedOnce - unsigned).toBeGreaterThan(0);
    expect(signedOnce - unsigned).toBeLessThanOrEqual(2);
  });

  it('sync: an unchanged image with a cosign signature costs at most two requests more than an unsigned one', async () => {
    const { pushTinyImage, pushCosignSignature } = await import('../support/attachments.js');
    await pushTinyImage(src, 'synccount/plain', 'v1');
    const one = await pushTinyImage(src, 'synccount/one', 'v1');
    await pushCosignSignature(src, 'synccount/one', one);
    const requests = async (repo: string): Promise<number> => {
      const args = ['sync', `docker://${src.ref(repo)}`, `docker://${dst.ref(repo)}`];
      await ferryOk(args);
      const [s, d] = [await src.mark(), await dst.mark()];
      const run = await ferryOk(args);
      expect(run.stdout).toContain('(unchanged)');
      return (await src.accessLog(s)).length + (await dst.accessLog(d)).length;
    };
    const unsigned = await requests('synccount/plain');
    const signedOnce = await requests('synccount/one');
    expect(signedOnce - unsigned).toBeGreaterThan(0);
    expect(signedOnce - unsigned).toBeLessThanOrEqual(2);
  });

  it('a platform subset keeps each copied child\'s attachments and leaves out the index\'s', async () => {
    const { pushTinyIndex, pushNotationSignature, pushCosignSignature } = await import('../support/attachments.js');
    const { index, children } = await pushTinyIndex(src, 'multi', 'v1', ['amd64', 'arm64']);
    const childSig = await pushNotationSignature(src, 'multi', children[0]!);
    const otherSig = await pushNotationSignature(src, 'multi', children[1]!);
    await pushCosignSignature(src, 'multi', index);
    const run = await ferryOk(['copy', '--platform', 'linux/amd64', `docker://${src.ref('multi:v1')}`, `docker://${dst.ref('subset/multi:v1')}`]);
    expect(await indexed(dst, 'subset/multi', children[0]!.digest)).toEqual([childSig.manifest.digest]);
    expect(await indexed(dst, 'subset/multi', children[1]!.digest)).toEqual([]);
    expect(await getManifest(dst, 'subset/multi', otherSig.manifest.digest)).toBeUndefined();
    expect(await attachmentTags(dst, 'subset/multi')).toEqual([digestTag(children[0]!.digest)]);
    expect(run.stderr.split('\n').filter((l) => l.includes('left out'))).toEqual([expect.stringContaining(index.digest)]);
  });

  it('the whole index: the index\'s and every child\'s attachments', async () => {
    const { pushTinyIndex, pushNotationSignature, pushCosignSignature } = await import('../support/attachments.js');
    const { index, children } = await pushTinyIndex(src, 'whole', 'v1', ['amd64', 'arm64']);
    const sigs = [await pushNotationSignature(src, 'whole', children[0]!), await pushNotationSignature(src, 'whole', children[1]!)];
    const indexSig = await pushCosignSignature(src, 'whole', index);
    await ferryOk(['copy', '--quiet', `docker://${src.ref('whole:v1')}`, `docker://${dst.ref('whole/multi:v1')}`]);
    for (const [i, c] of children.entries()) expect(await indexed(dst, 'whole/multi', c.digest)).toEqual([sigs[i]!.manifest.digest]);
    expect(await tagDigest(dst, 'whole/multi', `${digestTag(index.digest)}.sig`)).toBe(indexSig.digest);
  });
});
