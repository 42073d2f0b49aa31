import { FerryError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import type { ImageManifest, IndexManifest, Manifest, RawManifest } from '../oci/manifest.js';
import { parseManifest } from '../oci/manifest.js';
import type { ImageSource } from '../transport/types.js';
import { parseConfig, readSmallBlob } from '../transport/read-blob.js';
import { MAX_CONFIG_BYTES } from '../oci/limits.js';

/** A manifest as read from the source: raw bytes plus the parsed view. */
export interface Node {
  raw: RawManifest;
  manifest: Manifest;
}

export interface ImageNode extends Node {
  manifest: ImageManifest;
}

export interface IndexNode extends Node {
  manifest: IndexManifest;
  children: TreeNode[];
}

export type TreeNode = ImageNode | IndexNode;

export function parseNode(raw: RawManifest, where: string): TreeNode {
  const manifest = parseManifest(raw.bytes, raw.mediaType);
  if (manifest.kind === 'schema1') {
    throw new FerryError('ERR_UNSUPPORTED', `${where} is a Docker schema 1 manifest (deprecated); ferry copies only schema 2 and OCI images`);
  }
  if (manifest.kind === 'index') return { raw, manifest, children: [] };
  return { raw, manifest };
}

/** Reads the children of an index (in parallel), recursively for nested indexes. */
export async function readChildren(source: ImageSource, node: IndexNode, only: Digest[] | undefined, signal?: AbortSignal): Promise<void> {
  const wanted = node.manifest.manifests.filter((d) => !only || only.includes(d.digest));
  node.children = await Promise.all(
    wanted.map(async (d) => {
      const raw = await source.getManifest(d.digest, { signal });
      const child = parseNode(raw, `manifest ${d.digest} of ${source.description}`);
      if (child.manifest.kind === 'index') await readChildren(source, child as IndexNode, undefined, signal);
      return child;
    }),
  );
}

/** The node and every manifest below it, parents first. */
export function manifestsOf(node: TreeNode): TreeNode[] {
  return node.manifest.kind === 'image' ? [node] : [node, ...(node as IndexNode).children.flatMap(manifestsOf)];
}

/** Every image manifest below a node, depth first. */
export function imagesOf(node: TreeNode): ImageNode[] {
  if (node.manifest.kind === 'image') return [node as ImageNode];
  return (node as IndexNode).children.flatMap(imagesOf);
}

/**
 * An image's config, read once for the plan: its verified bytes (the copy uploads them
 * from memory instead of reading the blob again) and its diff_ids.
 */
export async function readImageConfig(source: ImageSource, img: ImageManifest, signal?: AbortSignal): Promise<{ bytes: Buffer; diffIds: Digest[] | undefined }> {
  const bytes = await readSmallBlob(source, img.config, MAX_CONFIG_BYTES, signal);
  const config = parseConfig(bytes, img.config, source);
  const ids = (config as { rootfs?: { diff_ids?: unknown } }).rootfs?.diff_ids;
  return { bytes, diffIds: Array.isArray(ids) ? (ids as Digest[]) : undefined };
}
