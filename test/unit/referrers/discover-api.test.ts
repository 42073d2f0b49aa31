// discoverAttachments through a registry WITH the referrers API (the in-process double:
// no real one is available here): pagination, the artifactType filter applied or not by
// the registry, request counts, and a refused referrers endpoint.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Digest } from '../../../src/oci/digest.js';
import { discoverAttachments, flattenAttachments } from '../../../src/referrers/discover.js';
import { ClientPool } from '../../../src/transport/registry/client-pool.js';
import { openSource } from '../../../src/transport/open.js';
import type { ImageSource } from '../../../src/transport/types.js';
import { addToFallbackIndex, NOTATION_SIGNATURE, pushCosignSignature, pushNotationSignature, pushOrasSbom, pushTinyImage, SPDX_JSON } from '../../support/attachments.js';
import { startReferrersRegistry, type ReferrersRegistry } from '../../support/referrers-registry.js';

/** Requests other than the client's first GET /v2/ (its version check). */
const apiRequests = (r: ReferrersRegistry) => r.requests().filter((e) => e.path !== '/v2/');

describe('discoverAttachments with the referrers API', () => {
  let reg: ReferrersRegistry;
  let unfiltered: ReferrersRegistry;
  let pool: ClientPool;
  const open = (r: ReferrersRegistry, ref: string): Promise<ImageSource> => openSource(`docker://${r.ref(ref)}`, {}, {}, pool);

  beforeAll(async () => {
    reg = await startReferrersRegistry({ referrersPageSize: 2 });
    unfiltered = await startReferrersRegistry({ applyArtifactTypeFilter: false });
  });
  afterAll(async () => {
    await reg?.close();
    await unfiltered?.close();
  });
  beforeEach(() => {
    pool = new ClientPool();
  });
  afterEach(() => pool.close());

  it('follows Link pages and transitive referrers, without reading any fallback tag', async () => {
    const image = await pushTinyImage(reg, 'app', 'v1');
    const sigs = [await pushNotationSignature(reg, 'app', image), await pushNotationSignature(reg, 'app', image)];
    const sbom = await pushOrasSbom(reg, 'app', image);
    const sbomSig = await pushNotationSignature(reg, 'app', sbom.manifest);
    const cosign = await pushCosignSignature(reg, 'app', image);
    // a fallback index too (a tool that did not trust the API): not read where the API answers
    await addToFallbackIndex(reg, 'app', image.digest, sigs[0]!.manifest);
    const source = await open(reg, 'app:v1');
    const tags = await source.listTags!();
    reg.resetRequests();
    const found = (await discoverAttachments(source, [image.digest as Digest], { tags })).get(image.digest as Digest)!;
    const byDigest = new Map(flattenAttachments(found).map((a) => [a.descriptor.digest, a]));
    expect([...byDigest.keys()].sort()).toEqual([...sigs.map((s) => s.manifest.digest), sbom.manifest.digest, sbomSig.manifest.digest, cosign.digest].sort());
    expect(byDigest.get(sbom.manifest.digest)?.attachments.map((a) => a.descriptor.digest)).toEqual([sbomSig.manifest.digest]);
    expect(byDigest.get(sigs[0]!.manifest.digest)).toMatchObject({ via: 'referrers-api', kind: 'signature', descriptor: { artifactType: NOTATION_SIGNATURE } });
    expect(byDigest.get(cosign.digest)).toMatchObject({ via: 'cosign-tag', kind: 'signature' });
    // the image: 2 pages; each of its 4 attachments: 1 query (the SBOM's signature is on one page); one HEAD of the .sig tag
    expect(reg.count('GET', `/referrers/${image.digest}`)).toBe(2);
    expect(reg.count('GET', '/referrers/')).toBe(2 + 4 + 1);
    expect(reg.count('HEAD')).toBe(1);
    expect(tags).toContain(`sha256-${image.digest.slice(7)}`);
    expect(reg.count('GET', '/manifests/')).toBe(0);
    expect(apiRequests(reg).length).toBe(2 + 4 + 1 + 1);
  });

  it('an unsigned image costs one referrers query', async () => {
    const image = await pushTinyImage(reg, 'unsigned', 'v1');
    const source = await open(reg, 'unsigned:v1');
    reg.resetRequests();
    expect((await discoverAttachments(source, [image.digest as Digest], { tags: ['v1'] })).get(image.digest as Digest)).toEqual([]);
    expect(apiRequests(reg).map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v2/unsigned/referrers/${image.digest}`]);
  });

  it('sends one artifactType to the registry and filters again where the registry did not', async () => {
    for (const r of [reg, unfiltered]) {
      const image = await pushTinyImage(r, 'filter', 'v1');
      await pushNotationSignature(r, 'filter', image);
      const sbom = await pushOrasSbom(r, 'filter', image);
      const source = await open(r, 'filter:v1');
      r.resetRequests();
      const found = (await discoverAttachments(source, [image.digest as Digest], { tags: [], selection: { artifactTypes: [SPDX_JSON] } })).get(image.digest as Digest)!;
      expect(found.map((a) => a.descriptor.digest)).toEqual([sbom.manifest.digest]);
      expect(apiRequests(r)[0]!.query).toBe(`?artifactType=${encodeURIComponent(SPDX_JSON)}`);
    }
  });

  it('a 401 from the referrers endpoint is a one-line error naming the subject and the location', async () => {
    const image = await pushTinyImage(reg, 'locked', 'v1');
    const source = await open(reg, 'locked:v1');
    reg.failNext('/referrers/', 401, 5);
    const error = await discoverAttachments(source, [image.digest as Digest], { tags: [] }).catch((e: unknown) => e as Error & { code?: string });
    expect(error).toMatchObject({ code: 'ERR_UNAUTHORIZED' });
    expect(error.message).toBe(`listing referrers of ${image.digest} in docker://${reg.ref('locked:v1')}: HTTP 401 UNAUTHORIZED: injected 401`);
    expect(error.message).not.toContain('\n');
  });
});
