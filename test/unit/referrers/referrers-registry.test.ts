// The in-process referrers double, checked against ferry's own registry client (so the
// tests that use it exercise a server ferry can really talk to) and against the spec's
// referrers endpoint: filter, pagination, OCI-Subject.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copy } from '../../../src/index.js';
import { ClientPool } from '../../../src/transport/registry/client-pool.js';
import { openSource } from '../../../src/transport/open.js';
import { NOTATION_SIGNATURE, pushNotationSignature, pushOrasSbom, pushTinyImage, SPDX_JSON } from '../../support/attachments.js';
import { startReferrersRegistry, type ReferrersRegistry } from '../../support/referrers-registry.js';

interface ReferrersIndex {
  manifests: Array<{ digest: string; artifactType?: string; annotations?: Record<string, string> }>;
}

describe('the referrers registry double', () => {
  let reg: ReferrersRegistry;
  beforeAll(async () => {
    reg = await startReferrersRegistry({ referrersPageSize: 2 });
  });
  afterAll(() => reg?.close());

  it('serves what ferry reads and writes: manifests by tag and digest, blobs, tags, a copy between repositories', async () => {
    const image = await pushTinyImage(reg, 'app', 'v1');
    const pool = new ClientPool();
    try {
      const source = await openSource(`docker://${reg.ref('app:v1')}`, {}, {}, pool);
      const raw = await source.getManifest(undefined);
      expect(raw.digest).toBe(image.digest);
      expect(Buffer.from(raw.bytes).equals(image.bytes)).toBe(true);
      expect(await source.listTags!()).toEqual(['v1']);
    } finally {
      await pool.close();
    }
    reg.resetRequests();
    await copy(`docker://${reg.ref('app:v1')}`, `docker://${reg.ref('other:v1')}`, { cache: false });
    expect(reg.tags('other')).toEqual(['v1']);
    // both blobs crossed by mount, and the manifest by one PUT
    expect(reg.count('POST', '/v2/other/blobs/uploads/')).toBe(2);
    expect(reg.count('PATCH')).toBe(0);
    expect(reg.count('PUT', '/v2/other/manifests/')).toBe(1);
  });

  it('lists referrers with their artifactType and annotations, filters, and pages with Link', async () => {
    const image = await pushTinyImage(reg, 'signed', 'v1');
    const sig = await pushNotationSignature(reg, 'signed', image);
    const sbom = await pushOrasSbom(reg, 'signed', image);
    const sig2 = await pushNotationSignature(reg, 'signed', image);
    // the double indexes referrers itself: no fallback index was written
    expect(sig.fallbackIndex).toBeUndefined();
    expect(reg.tags('signed')).toEqual(['v1']);

    reg.resetRequests();
    const first = await fetch(`${reg.url}/v2/signed/referrers/${image.digest}`);
    const page1 = (await first.json()) as ReferrersIndex;
    expect(page1.manifests).toHaveLength(2);
    const link = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1];
    expect(link).toBeDefined();
    const page2 = (await (await fetch(new URL(link!, reg.url))).json()) as ReferrersIndex;
    const all = [...page1.manifests, ...page2.manifests];
    expect(all.map((d) => d.digest).sort()).toEqual([sig.manifest.digest, sbom.manifest.digest, sig2.manifest.digest].sort());
    expect(all.find((d) => d.digest === sbom.manifest.digest)?.artifactType).toBe(SPDX_JSON);
    expect(all.find((d) => d.digest === sig.manifest.digest)?.annotations?.['io.cncf.notary.x509chain.thumbprint#S256']).toMatch(/^\["[0-9a-f]{64}"\]$/);

    const filtered = await fetch(`${reg.url}/v2/signed/referrers/${image.digest}?artifactType=${encodeURIComponent(SPDX_JSON)}`);
    expect(filtered.headers.get('oci-filters-applied')).toBe('artifactType');
    expect(((await filtered.json()) as ReferrersIndex).manifests.map((d) => d.digest)).toEqual([sbom.manifest.digest]);
    expect(reg.count('GET', '/referrers/')).toBe(3);
    expect(NOTATION_SIGNATURE).toBe(sig.manifest.artifactType);
  });

  it('without the API answers 404 and sends no OCI-Subject, so the builders write the fallback index', async () => {
    const plain = await startReferrersRegistry({ referrersApi: false });
    try {
      const image = await pushTinyImage(plain, 'app', 'v1');
      const sig = await pushNotationSignature(plain, 'app', image);
      expect(sig.fallbackIndex?.tag).toBe(`sha256-${image.digest.slice(7)}`);
      expect((await fetch(`${plain.url}/v2/app/referrers/${image.digest}`)).status).toBe(404);
      expect(plain.tags('app').sort()).toEqual([`sha256-${image.digest.slice(7)}`, 'v1']);
    } finally {
      await plain.close();
    }
  });

  it('answers an injected failure once, as a registry error', async () => {
    reg.failNext('/referrers/', 401);
    const res = await fetch(`${reg.url}/v2/app/referrers/sha256:${'0'.repeat(64)}`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('UNAUTHORIZED');
    expect((await fetch(`${reg.url}/v2/app/referrers/sha256:${'0'.repeat(64)}`)).status).toBe(200);
  });
});
