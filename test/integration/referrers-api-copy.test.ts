// Against the in-process double (the harness registry has no referrers API): a
// destination that answers a referrer's PUT with OCI-Subject indexes it itself, so no
// sha256-<hex> fallback index is written there; one without the API gets the index.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestTag, getManifest, pushSignedImage } from '../support/attachments.js';
import { ferryOk, runFerry } from '../support/ferry-cli.js';
import { startReferrersRegistry, type ReferrersRegistry } from '../support/referrers-registry.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';

type Signed = Awaited<ReturnType<typeof pushSignedImage>>;

async function referrersOf(reg: ReferrersRegistry, repo: string, subject: string): Promise<string[]> {
  const res = await fetch(`${reg.url}/v2/${repo}/referrers/${subject}`);
  const doc = (await res.json()) as { manifests: Array<{ digest: string }> };
  return doc.manifests.map((d) => d.digest).sort();
}

describe('copy to and from a registry with the referrers API', () => {
  let dist: RunningRegistry;
  let api: ReferrersRegistry;
  let noApi: ReferrersRegistry;
  let signed: Signed;

  beforeAll(async () => {
    [dist, api, noApi] = await Promise.all([startRegistry({ mode: 'plain' }), startReferrersRegistry(), startReferrersRegistry({ referrersApi: false })]);
    signed = await pushSignedImage(dist, 'app', 'v1');
  });
  afterAll(async () => {
    await Promise.all([dist?.stop(), api?.close(), noApi?.close()]);
  });

  it('OCI-Subject in the answer: the registry lists the referrers, no fallback index is written', async () => {
    await ferryOk(['copy', '--quiet', `docker://${dist.ref('app:v1')}`, `docker://${api.ref('mirror/app:v1')}`]);
    const stem = digestTag(signed.image.digest);
    const tags = api.tags('mirror/app');
    expect(tags).toEqual(expect.arrayContaining(['v1', `${stem}.sig`, `${stem}.att`, `${stem}.sbom`]));
    expect(tags.filter((t) => /^sha256-[0-9a-f]{64}$/.test(t))).toEqual([]);
    expect(await referrersOf(api, 'mirror/app', signed.image.digest)).toEqual([signed.notation.manifest.digest, signed.orasSbom.manifest.digest].sort());
    expect(await referrersOf(api, 'mirror/app', signed.orasSbom.manifest.digest)).toEqual([signed.sbomSignature.manifest.digest]);
  });

  it('an unchanged copy to it writes nothing', async () => {
    api.resetRequests();
    await ferryOk(['copy', '--quiet', `docker://${dist.ref('app:v1')}`, `docker://${api.ref('mirror/app:v1')}`]);
    expect(api.requests().filter((r) => r.method === 'PUT' || r.method === 'POST' || r.method === 'PATCH')).toEqual([]);
  });

  it('library: a rerun to the API registry counts every attachment as present', async () => {
    const { copy } = await import('../../src/copy/copy.js');
    const from = `docker://${dist.ref('app:v1')}`;
    const to = `docker://${api.ref('counted/app:v1')}`;
    expect((await copy(from, to)).attachments).toEqual({ carried: 6, present: 0, leftOut: 0 });
    expect((await copy(from, to)).attachments).toEqual({ carried: 0, present: 6, leftOut: 0 });
  });

  it('without the API (the double answering like distribution 2.8) the fallback index is written', async () => {
    await ferryOk(['copy', '--quiet', `docker://${dist.ref('app:v1')}`, `docker://${noApi.ref('mirror/app:v1')}`]);
    expect(noApi.tags('mirror/app')).toContain(digestTag(signed.image.digest));
  });

  it('from the API registry to distribution: found by the API, written as a fallback index', async () => {
    const fromApi = await pushSignedImage(api, 'signed', 'v2');
    await ferryOk(['copy', '--quiet', `docker://${api.ref('signed:v2')}`, `docker://${dist.ref('from-api/app:v2')}`]);
    const index = await getManifest(dist, 'from-api/app', digestTag(fromApi.image.digest));
    const listed = (JSON.parse(index!.bytes.toString('utf8')) as { manifests: Array<{ digest: string; artifactType?: string }> }).manifests;
    expect(listed.map((d) => d.digest).sort()).toEqual([fromApi.notation.manifest.digest, fromApi.orasSbom.manifest.digest].sort());
    expect(listed.every((d) => d.artifactType !== undefined)).toBe(true);
  });

  it('a source whose tag list is denied: the image and its API referrers come, cosign tags are not looked for, one note says so', async () => {
    const denied = await pushSignedImage(api, 'denied', 'v1');
    api.failNext('/v2/denied/tags/list', 403, 10);
    const run = await runFerry(['copy', `docker://${api.ref('denied:v1')}`, `docker://${dist.ref('denied/app:v1')}`]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.split('\n').filter((l) => l.includes('not looked for'))).toHaveLength(1);
    const index = await getManifest(dist, 'denied/app', digestTag(denied.image.digest));
    expect((JSON.parse(index!.bytes.toString('utf8')) as { manifests: Array<{ digest: string }> }).manifests.map((d) => d.digest).sort()).toEqual(
      [denied.notation.manifest.digest, denied.orasSbom.manifest.digest].sort(),
    );
    expect(await getManifest(dist, 'denied/app', `${digestTag(denied.image.digest)}.sig`)).toBeUndefined();
  });

  it('an attachment that cannot be read fails the copy with one line naming it', async () => {
    const broken = await pushSignedImage(api, 'broken', 'v1');
    const layer = (JSON.parse(broken.notation.manifest.bytes.toString('utf8')) as { layers: Array<{ digest: string }> }).layers[0]!.digest;
    api.failNext(`/blobs/${layer}`, 404, 100);
    const run = await runFerry(['copy', '--quiet', `docker://${api.ref('broken:v1')}`, `docker://${dist.ref('broken/app:v1')}`]);
    expect(run.code).not.toBe(0);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`signature ${broken.notation.manifest.digest} attached to ${broken.image.digest}`);
    expect(lines[0]).toContain(layer);
  });
});
