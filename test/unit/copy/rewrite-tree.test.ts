import { describe, expect, it } from 'vitest';
import type { LayerResult } from '../../../src/copy/recompress.js';
import { rewriteTree } from '../../../src/copy/rewrite-tree.js';
import type { Descriptor } from '../../../src/oci/descriptor.js';
import { sha256, type Digest } from '../../../src/oci/digest.js';
import { MediaType } from '../../../src/oci/media-types.js';
import { desc, dg, dockerImage, imageNode, indexNode, json, ociImage } from './builders.js';

const amd64 = { os: 'linux', architecture: 'amd64' };
const arm64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };

const result = (n: number, compression: 'gzip' | 'zstd', size = 77): LayerResult => ({ changed: true, digest: dg(n), size, compression });

function dockerTree() {
  const a = imageNode(dockerImage(1, [desc(10, MediaType.DockerLayerGzip), desc(11, MediaType.DockerLayerGzip)]));
  const b = imageNode(dockerImage(2, [desc(10, MediaType.DockerLayerGzip), desc(21, MediaType.DockerLayerGzip)]));
  const root = indexNode(MediaType.DockerManifestList, [
    { node: a, platform: amd64 },
    { node: b, platform: arm64 },
  ]);
  return { a, b, root };
}

describe('rewriteTree', () => {
  it('returns the same manifests when nothing changes', () => {
    const { a, b, root } = dockerTree();
    const notes: string[] = [];
    const out = rewriteTree(root, { replaced: new Map(), notes: (m) => notes.push(m) });
    expect(out.root).toBe(root.raw);
    expect(out.children).toEqual([a.raw, b.raw]);
    expect(out.children[0]).toBe(a.raw);
    expect(notes).toEqual([]);
  });

  it('converts a Docker manifest list to OCI when a child gains zstd layers, and says so', () => {
    const { a, b, root } = dockerTree();
    const notes: string[] = [];
    const replaced = new Map<Digest, LayerResult>([[dg(11), result(111, 'zstd', 55)]]);
    const out = rewriteTree(root, { replaced, notes: (m) => notes.push(m) });

    const [newA, newB] = out.children;
    expect(newA!.mediaType).toBe(MediaType.OciManifest);
    const ja = json(newA!);
    expect(ja['config'].mediaType).toBe(MediaType.OciConfig);
    expect(ja['layers']).toEqual([desc(10, MediaType.OciLayerGzip), { mediaType: MediaType.OciLayerZstd, digest: dg(111), size: 55 }]);
    // the sibling without zstd is left byte-exact
    expect(newB).toBe(b.raw);

    expect(out.root.mediaType).toBe(MediaType.OciIndex);
    const jr = json(out.root);
    expect(jr['mediaType']).toBe(MediaType.OciIndex);
    expect(jr['manifests']).toEqual([
      { mediaType: MediaType.OciManifest, digest: newA!.digest, size: newA!.bytes.byteLength, platform: amd64 },
      { mediaType: MediaType.DockerManifest, digest: b.raw.digest, size: b.raw.bytes.byteLength, platform: arm64 },
    ]);
    expect(newA!.digest).toBe(sha256(newA!.bytes));
    expect(newA!.digest).not.toBe(a.raw.digest);
    expect(notes).toEqual(['Docker v2 schema 2 cannot hold zstd layers: manifests were converted to OCI']);
  });

  it('keeps Docker v2s2 when the new layers are gzip', () => {
    const { root } = dockerTree();
    const notes: string[] = [];
    const replaced = new Map<Digest, LayerResult>([[dg(10), result(110, 'gzip', 66)]]);
    const out = rewriteTree(root, { replaced, notes: (m) => notes.push(m) });
    expect(out.root.mediaType).toBe(MediaType.DockerManifestList);
    for (const c of out.children) {
      expect(c.mediaType).toBe(MediaType.DockerManifest);
      expect(json(c)['layers'][0]).toEqual({ mediaType: MediaType.DockerLayerGzip, digest: dg(110), size: 66 });
    }
    expect(json(out.root)['manifests'].map((m: Descriptor) => m.digest)).toEqual(out.children.map((c) => c.digest));
    expect(notes).toEqual([]);
  });

  it('converts a single Docker image that gains zstd layers', () => {
    const img = imageNode(dockerImage(1, [desc(10, MediaType.DockerLayerGzip)]));
    const notes: string[] = [];
    const out = rewriteTree(img, { replaced: new Map([[dg(10), result(110, 'zstd')]]), notes: (m) => notes.push(m) });
    expect(out.children).toEqual([]);
    expect(out.root.mediaType).toBe(MediaType.OciManifest);
    expect(json(out.root)['layers'][0].mediaType).toBe(MediaType.OciLayerZstd);
    expect(notes).toHaveLength(1);
  });

  it('converts everything with an explicit format, without a note', () => {
    const { root } = dockerTree();
    const notes: string[] = [];
    const out = rewriteTree(root, { replaced: new Map([[dg(11), result(111, 'zstd')]]), format: 'oci', notes: (m) => notes.push(m) });
    expect(out.root.mediaType).toBe(MediaType.OciIndex);
    expect(out.children.map((c) => c.mediaType)).toEqual([MediaType.OciManifest, MediaType.OciManifest]);
    expect(notes).toEqual([]);
  });

  it('keeps the nondistributable kind of a recompressed layer', () => {
    const img = imageNode(ociImage(1, [desc(10, MediaType.OciLayerNondistGzip), desc(11, MediaType.OciLayerGzip)]));
    const out = rewriteTree(img, { replaced: new Map([[dg(10), result(110, 'zstd')], [dg(11), result(111, 'zstd')]]), notes: () => undefined });
    expect(json(out.root)['layers'].map((l: Descriptor) => l.mediaType)).toEqual([MediaType.OciLayerNondistZstd, MediaType.OciLayerZstd]);
  });

  it('leaves an OCI index an OCI index, and keeps its unknown fields', () => {
    const a = imageNode(ociImage(1, [desc(10, MediaType.OciLayerGzip)]));
    const root = indexNode(MediaType.OciIndex, [{ node: a, platform: amd64 }], { annotations: { x: 'y' } });
    const out = rewriteTree(root, { replaced: new Map([[dg(10), result(110, 'zstd')]]), notes: () => undefined });
    expect(out.root.mediaType).toBe(MediaType.OciIndex);
    expect(json(out.root)['annotations']).toEqual({ x: 'y' });
  });

  it('pushes children deepest first for nested indexes', () => {
    const leaf = imageNode(ociImage(1, [desc(10, MediaType.OciLayerGzip)]));
    const inner = indexNode(MediaType.OciIndex, [{ node: leaf, platform: amd64 }]);
    const root = indexNode(MediaType.OciIndex, [{ node: inner }]);
    const out = rewriteTree(root, { replaced: new Map([[dg(10), result(110, 'gzip')]]), notes: () => undefined });
    expect(out.children).toHaveLength(2);
    expect(out.children[0]!.mediaType).toBe(MediaType.OciManifest);
    expect(out.children[1]!.mediaType).toBe(MediaType.OciIndex);
    expect(json(out.children[1]!)['manifests'][0].digest).toBe(out.children[0]!.digest);
    expect(json(out.root)['manifests'][0].digest).toBe(out.children[1]!.digest);
  });
});
