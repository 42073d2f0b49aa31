// discoverAttachments against the real registry (distribution 2.8: no referrers API, so
// the `sha256-<hex>` tag schema and cosign's tags), with artifacts pushed the way cosign,
// Notation and oras push them; request counts from the registry's own access log.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Digest } from '../../src/oci/digest.js';
import { discoverAttachments, flattenAttachments } from '../../src/referrers/discover.js';
import type { Attachment } from '../../src/referrers/types.js';
import { ClientPool } from '../../src/transport/registry/client-pool.js';
import { openSource } from '../../src/transport/open.js';
import type { ImageSource } from '../../src/transport/types.js';
import { NOTATION_SIGNATURE, pushCosignSignature, pushNotationSignature, pushSignedImage, pushTinyImage, pushTinyIndex, SPDX_JSON } from '../support/attachments.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';

const summary = (list: readonly Attachment[]): unknown[] =>
  list.map((a) => ({ digest: a.descriptor.digest, via: a.via, kind: a.kind, ...(a.tag ? { tag: a.tag } : {}), attachments: summary(a.attachments) }));

describe('discoverAttachments on distribution 2.8', () => {
  let registry: RunningRegistry;
  let pool: ClientPool;
  const open = (ref: string): Promise<ImageSource> => openSource(`docker://${registry.ref(ref)}`, {}, {}, pool);

  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(() => registry?.stop());
  beforeEach(() => {
    pool = new ClientPool();
  });
  afterEach(() => pool.close());

  it('finds cosign tags and the fallback index, transitively, each with its kind', async () => {
    const p = await pushSignedImage(registry, 'signed', 'v1');
    const source = await open('signed:v1');
    const found = (await discoverAttachments(source, [p.image.digest as Digest])).get(p.image.digest as Digest)!;
    expect(summary(found)).toEqual([
      { digest: p.notation.manifest.digest, via: 'referrers-tag', kind: 'signature', attachments: [] },
      { digest: p.orasSbom.manifest.digest, via: 'referrers-tag', kind: 'sbom', attachments: [{ digest: p.sbomSignature.manifest.digest, via: 'referrers-tag', kind: 'signature', attachments: [] }] },
      { digest: p.sig.digest, via: 'cosign-tag', kind: 'signature', tag: p.sig.tag, attachments: [] },
      { digest: p.att.digest, via: 'cosign-tag', kind: 'attestation', tag: p.att.tag, attachments: [] },
      { digest: p.sbom.digest, via: 'cosign-tag', kind: 'sbom', tag: p.sbom.tag, attachments: [] },
    ]);
    // descriptors as listed: the fallback index's artifactType and annotations, the tag's size and type
    expect(found[0]!.descriptor.artifactType).toBe(NOTATION_SIGNATURE);
    expect(found[0]!.descriptor.annotations?.['org.opencontainers.image.created']).toBe('2026-12-01T10:00:00Z');
    expect(found[2]!.descriptor).toEqual({ mediaType: p.sig.mediaType, digest: p.sig.digest, size: p.sig.size });
  });

  it('selection: no signatures, an artifact type, none at all', async () => {
    const p = await pushSignedImage(registry, 'select', 'v1');
    const source = await open('select:v1');
    const subject = p.image.digest as Digest;
    const unsigned = flattenAttachments((await discoverAttachments(source, [subject], { selection: { signatures: false } })).get(subject)!);
    expect(unsigned.map((a) => a.descriptor.digest).sort()).toEqual([p.att.digest, p.sbom.digest, p.orasSbom.manifest.digest].sort());
    const sboms = flattenAttachments((await discoverAttachments(source, [subject], { selection: { artifactTypes: [SPDX_JSON] } })).get(subject)!);
    // the SPDX referrer and cosign's .sbom; the signature on the SBOM is not an SPDX document
    expect(sboms.map((a) => a.descriptor.digest).sort()).toEqual([p.orasSbom.manifest.digest, p.sbom.digest].sort());
    const mark = await registry.mark();
    expect((await discoverAttachments(source, [subject], { selection: { referrers: false } })).get(subject)).toEqual([]);
    expect(await registry.accessLog(mark)).toEqual([]);
  });

  it('costs the tag list only for an unsigned image once the pool knows the registry has no referrers API', async () => {
    await pushTinyImage(registry, 'plain', 'v1');
    const other = await pushTinyImage(registry, 'plain', 'v2');
    const first = await open('plain:v1');
    const tags = await first.listTags!();
    let mark = await registry.mark();
    const root = await first.getManifest(undefined);
    mark = await registry.mark();
    expect((await discoverAttachments(first, [root.digest], { tags })).get(root.digest)).toEqual([]);
    // the first subject in this pool: one plain-text 404 from the referrers endpoint
    expect((await registry.accessLog(mark)).map((e) => `${e.method} ${e.status} ${e.path}`)).toEqual([`GET 404 /v2/plain/referrers/${root.digest}`]);
    mark = await registry.mark();
    const second = await open('plain:v2');
    expect((await discoverAttachments(second, [other.digest as Digest], { tags })).get(other.digest as Digest)).toEqual([]);
    expect(await registry.accessLog(mark)).toEqual([]);
  });

  it('a signed index: each child is a subject of its own; a signed image costs one request per attachment tag', async () => {
    const { index, children } = await pushTinyIndex(registry, 'multi', 'v1');
    const rootSig = await pushCosignSignature(registry, 'multi', index);
    const childSig = await pushNotationSignature(registry, 'multi', children[1]!);
    const source = await open('multi:v1');
    const tags = await source.listTags!();
    await source.listReferrers!(index.digest as Digest); // the pool learns there is no API
    const mark = await registry.mark();
    const subjects = [index.digest, ...children.map((c) => c.digest)] as Digest[];
    const found = await discoverAttachments(source, subjects, { tags });
    expect(found.get(subjects[0]!)!.map((a) => a.descriptor.digest)).toEqual([rootSig.digest]);
    expect(found.get(subjects[1]!)).toEqual([]);
    expect(found.get(subjects[2]!)!.map((a) => a.descriptor.digest)).toEqual([childSig.manifest.digest]);
    // one HEAD for the .sig tag, one GET for the child's sha256-<hex> index; nothing else
    const log = (await registry.accessLog(mark)).map((e) => `${e.method} ${e.path}`).sort();
    expect(log).toEqual([`GET /v2/multi/manifests/sha256-${children[1]!.digest.slice(7)}`, `HEAD /v2/multi/manifests/sha256-${index.digest.slice(7)}.sig`].sort());
  });

  it('an unreadable fallback index is a one-line error naming the tag', async () => {
    const image = await pushTinyImage(registry, 'broken', 'v1');
    // an image manifest where the referrers index should be
    const bogus = await pushTinyImage(registry, 'broken', `sha256-${image.digest.slice(7)}`);
    expect(bogus.tag).toBeDefined();
    const source = await open('broken:v1');
    const error = await discoverAttachments(source, [image.digest as Digest]).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(`referrers index sha256-${image.digest.slice(7)} of docker://${registry.ref('broken:v1')}: it is an image manifest, not an index`);
  });
});
