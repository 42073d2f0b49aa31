import { describe, expect, it } from 'vitest';
import { rewriteImage, rewriteIndex } from '../../../src/copy/rewrite.js';
import type { Descriptor } from '../../../src/oci/descriptor.js';
import { sha256, type Digest } from '../../../src/oci/digest.js';
import { rawManifest } from '../../../src/oci/manifest.js';
import { MediaType } from '../../../src/oci/media-types.js';
import { desc, dg, dockerImage, json, ociImage, raw } from './builders.js';

const zstdOf = (n: number, size: number): Descriptor => desc(n, MediaType.OciLayerZstd, size);

describe('rewriteImage: nothing to change', () => {
  // pretty-printed bytes: any re-encoding would change the digest
  const pretty = rawManifest(Buffer.from(JSON.stringify(dockerImage(1, [desc(10, MediaType.DockerLayerGzip)]), null, 3)));
  const prettyOci = rawManifest(Buffer.from(JSON.stringify(ociImage(1, [desc(10, MediaType.OciLayerGzip)]), null, '\t')));

  it('returns the SAME RawManifest for an empty change', () => {
    expect(rewriteImage(pretty, {})).toBe(pretty);
  });

  it('returns the same RawManifest when the format already matches', () => {
    expect(rewriteImage(pretty, { format: 'v2s2' })).toBe(pretty);
    expect(rewriteImage(prettyOci, { format: 'oci' })).toBe(prettyOci);
  });

  it('returns the same RawManifest when no replaced layer is in the manifest', () => {
    const layers = new Map<Digest, Descriptor>([[dg(99), zstdOf(199, 5)]]);
    expect(rewriteImage(pretty, { layers })).toBe(pretty);
    expect(rewriteImage(pretty, { layers: new Map() })).toBe(pretty);
  });
});

describe('rewriteImage: layer replacement', () => {
  it('swaps the replaced layers, keeps the rest and every unknown field, and digests the new bytes', () => {
    const doc = ociImage(1, [desc(10, MediaType.OciLayerGzip, 100, { annotations: { 'org.example.layer': 'a' } }), desc(11, MediaType.OciLayerGzip, 200)], {
      annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
      'x-vendor-field': { keep: [1, 2, 3] },
    });
    const before = raw(doc);
    const bytesBefore = Buffer.from(before.bytes);
    const out = rewriteImage(before, { layers: new Map([[dg(10), zstdOf(110, 80)]]) });
    expect(out).not.toBe(before);
    expect(Buffer.from(before.bytes).equals(bytesBefore)).toBe(true);
    expect(out.digest).toBe(sha256(out.bytes));
    expect(out.mediaType).toBe(MediaType.OciManifest);
    const j = json(out);
    expect(j['x-vendor-field']).toEqual({ keep: [1, 2, 3] });
    expect(j['annotations']).toEqual(doc['annotations']);
    expect(j['config']).toEqual(doc['config']);
    expect(j['layers']).toEqual([
      { mediaType: MediaType.OciLayerZstd, digest: dg(110), size: 80, annotations: { 'org.example.layer': 'a' } },
      desc(11, MediaType.OciLayerGzip, 200),
    ]);
  });

  it('replaces a layer listed twice at both places', () => {
    const before = raw(ociImage(1, [desc(10, MediaType.OciLayerGzip), desc(10, MediaType.OciLayerGzip)]));
    const out = rewriteImage(before, { layers: new Map([[dg(10), zstdOf(110, 1)]]) });
    expect(json(out)['layers'].map((l: Descriptor) => l.digest)).toEqual([dg(110), dg(110)]);
  });
});

describe('rewriteImage: format conversion', () => {
  it('converts Docker v2s2 to OCI: manifest, config and layer types, keeping unknown fields', () => {
    const before = raw(dockerImage(1, [desc(10, MediaType.DockerLayerGzip), desc(11, MediaType.DockerForeignLayerGzip, 5, { urls: ['https://x/11'] })], { 'x-extra': 7 }));
    const out = rewriteImage(before, { format: 'oci' });
    expect(out.mediaType).toBe(MediaType.OciManifest);
    expect(out.digest).not.toBe(before.digest);
    const j = json(out);
    expect(j['mediaType']).toBe(MediaType.OciManifest);
    expect(j['config'].mediaType).toBe(MediaType.OciConfig);
    expect(j['layers'].map((l: Descriptor) => l.mediaType)).toEqual([MediaType.OciLayerGzip, MediaType.OciLayerNondistGzip]);
    expect(j['layers'][1].urls).toEqual(['https://x/11']);
    expect(j['x-extra']).toBe(7);
  });

  it('converts OCI to Docker v2s2, dropping the fields Docker has no place for', () => {
    const before = raw(
      ociImage(1, [desc(10, MediaType.OciLayerGzip)], {
        annotations: { a: 'b' },
        artifactType: 'application/x',
        subject: desc(50, MediaType.OciManifest),
        'x-extra': true,
      }),
    );
    const out = rewriteImage(before, { format: 'v2s2' });
    expect(out.mediaType).toBe(MediaType.DockerManifest);
    const j = json(out);
    expect(j['config'].mediaType).toBe(MediaType.DockerConfig);
    expect(j['layers'][0].mediaType).toBe(MediaType.DockerLayerGzip);
    expect(j).not.toHaveProperty('annotations');
    expect(j).not.toHaveProperty('artifactType');
    expect(j).not.toHaveProperty('subject');
    expect(j['x-extra']).toBe(true);
  });

  it('refuses to put zstd layers into Docker v2s2', () => {
    const before = raw(ociImage(1, [desc(10, MediaType.OciLayerZstd)]));
    expect(() => rewriteImage(before, { format: 'v2s2' })).toThrow(
      `cannot convert layer ${dg(10)} to Docker v2 schema 2: media type ${MediaType.OciLayerZstd} has no Docker equivalent`,
    );
  });

  it('converts and replaces in one go', () => {
    const before = raw(dockerImage(1, [desc(10, MediaType.DockerLayerGzip), desc(11, MediaType.DockerLayerGzip)]));
    const out = rewriteImage(before, { format: 'oci', layers: new Map([[dg(11), zstdOf(111, 9)]]) });
    expect(json(out)['layers']).toEqual([desc(10, MediaType.OciLayerGzip), zstdOf(111, 9)]);
  });
});

describe('rewriteIndex', () => {
  const children = [
    desc(1, MediaType.OciManifest, 500, { platform: { os: 'linux', architecture: 'amd64' } }),
    desc(2, MediaType.OciManifest, 600, { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, annotations: { k: 'v' } }),
    desc(3, MediaType.OciManifest, 700, { platform: { os: 'unknown', architecture: 'unknown' } }),
  ];
  const indexDoc = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: children, annotations: { i: 'j' }, 'x-extra': 1 };
  const pretty = rawManifest(Buffer.from(JSON.stringify(indexDoc, null, 2)));

  it('returns the SAME RawManifest when the children are unchanged', () => {
    expect(rewriteIndex(pretty, { children })).toBe(pretty);
    expect(rewriteIndex(pretty, { children: children.map((c) => ({ ...c })), format: 'oci' })).toBe(pretty);
  });

  it('lists only the chosen children, keeping the rest of the document', () => {
    const out = rewriteIndex(pretty, { children: [children[0]!, children[1]!] });
    expect(out).not.toBe(pretty);
    expect(out.digest).toBe(sha256(out.bytes));
    const j = json(out);
    expect(j['manifests']).toEqual([children[0], children[1]]);
    expect(j['annotations']).toEqual({ i: 'j' });
    expect(j['x-extra']).toBe(1);
  });

  it('changes when the order changes', () => {
    const out = rewriteIndex(pretty, { children: [children[1]!, children[0]!, children[2]!] });
    expect(out).not.toBe(pretty);
    expect(json(out)['manifests'].map((m: Descriptor) => m.digest)).toEqual([dg(2), dg(1), dg(3)]);
  });

  it('takes new descriptors for children whose digest changed', () => {
    const moved = { ...children[1]!, mediaType: MediaType.OciManifest, digest: dg(22), size: 650 };
    const out = rewriteIndex(pretty, { children: [children[0]!, moved] });
    expect(json(out)['manifests'][1]).toEqual({
      mediaType: MediaType.OciManifest,
      digest: dg(22),
      size: 650,
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      annotations: { k: 'v' },
    });
  });

  it('keeps descriptor fields the given child lacks', () => {
    const bare = { mediaType: MediaType.OciManifest, digest: dg(2), size: 600 };
    const out = rewriteIndex(pretty, { children: [bare] });
    expect(json(out)['manifests']).toEqual([children[1]]);
  });

  it('converts a Docker manifest list to an OCI index', () => {
    const list = raw({ schemaVersion: 2, mediaType: MediaType.DockerManifestList, manifests: [desc(1, MediaType.DockerManifest)] });
    const out = rewriteIndex(list, { children: [desc(1, MediaType.DockerManifest)], format: 'oci' });
    expect(out.mediaType).toBe(MediaType.OciIndex);
    expect(json(out)['mediaType']).toBe(MediaType.OciIndex);
  });

  it('converts an OCI index to a Docker list, dropping annotations, artifactType and subject', () => {
    const idx = raw({ ...indexDoc, artifactType: 'application/x', subject: desc(9, MediaType.OciManifest) });
    const out = rewriteIndex(idx, { children, format: 'v2s2' });
    expect(out.mediaType).toBe(MediaType.DockerManifestList);
    const j = json(out);
    expect(j).not.toHaveProperty('annotations');
    expect(j).not.toHaveProperty('artifactType');
    expect(j).not.toHaveProperty('subject');
    expect(j['x-extra']).toBe(1);
  });
});
