// Small builders for the copy tests: descriptors, image and index documents, and the
// RawManifest / tree nodes the copy engine works on.
import type { Descriptor, Platform } from '../../../src/oci/descriptor.js';
import type { Digest } from '../../../src/oci/digest.js';
import { parseManifest, rawManifest, type ImageManifest, type IndexManifest, type RawManifest } from '../../../src/oci/manifest.js';
import { MediaType } from '../../../src/oci/media-types.js';
import type { ImageNode, IndexNode, TreeNode } from '../../../src/copy/manifests.js';

export const dg = (n: number): Digest => `sha256:${n.toString(16).padStart(64, '0')}`;

export function desc(n: number, mediaType: string, size = 1000 + n, extra: Partial<Descriptor> = {}): Descriptor {
  return { mediaType, digest: dg(n), size, ...extra };
}

export function dockerImage(config: number, layers: Descriptor[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemaVersion: 2, mediaType: MediaType.DockerManifest, config: desc(config, MediaType.DockerConfig, 500), layers, ...extra };
}

export function ociImage(config: number, layers: Descriptor[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemaVersion: 2, mediaType: MediaType.OciManifest, config: desc(config, MediaType.OciConfig, 500), layers, ...extra };
}

export function raw(doc: unknown): RawManifest {
  return rawManifest(Buffer.from(JSON.stringify(doc)));
}

export function imageNode(doc: unknown): ImageNode {
  const r = raw(doc);
  return { raw: r, manifest: parseManifest(r.bytes, r.mediaType) as ImageManifest };
}

export function entry(node: TreeNode, platform?: Platform, extra: Record<string, unknown> = {}): Descriptor & { platform?: Platform } {
  return { mediaType: node.raw.mediaType, digest: node.raw.digest, size: node.raw.bytes.byteLength, ...(platform ? { platform } : {}), ...extra };
}

export function indexNode(mediaType: string, children: { node: TreeNode; platform?: Platform }[], extra: Record<string, unknown> = {}): IndexNode {
  const doc = { schemaVersion: 2, mediaType, manifests: children.map((c) => entry(c.node, c.platform)), ...extra };
  const r = raw(doc);
  return { raw: r, manifest: parseManifest(r.bytes, r.mediaType) as IndexManifest, children: children.map((c) => c.node) };
}

export function json(r: RawManifest): Record<string, any> {
  return JSON.parse(Buffer.from(r.bytes).toString('utf8')) as Record<string, any>;
}
