import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import type { RawManifest } from '../oci/manifest.js';
import { MediaType, isNonDistributable } from '../oci/media-types.js';
import { layerMediaType, manifestFormatOf } from './convert.js';
import type { ImageNode, IndexNode, TreeNode } from './manifests.js';
import type { ManifestFormat } from './options.js';
import type { LayerResult } from './recompress.js';
import { rewriteImage, rewriteIndex } from './rewrite.js';

export interface TreeRewrite {
  replaced: Map<Digest, LayerResult>;
  format?: ManifestFormat;
  notes: (message: string) => void;
}

/**
 * Pure: applies recompressed layers and format conversion to a manifest tree, bottom up.
 * Returns the children in push order (deepest first) and the new root. A Docker
 * manifest that gains a zstd layer becomes OCI (Docker has no zstd type), and so does
 * any manifest list above it.
 */
export function rewriteTree(root: TreeNode, change: TreeRewrite): { children: RawManifest[]; root: RawManifest } {
  const children: RawManifest[] = [];
  let convertedToOci = false;

  const image = (node: ImageNode): RawManifest => {
    let format = change.format;
    const layers = new Map<Digest, Descriptor>();
    const needsZstd = node.manifest.layers.some((l) => change.replaced.get(l.digest)?.compression === 'zstd');
    // --format v2s2 with zstd is refused before any work starts (copy-image.ts)
    if (needsZstd && (format ?? manifestFormatOf(node.raw.mediaType)) === 'v2s2') {
      format = 'oci';
      convertedToOci = true;
    }
    const target = format ?? manifestFormatOf(node.raw.mediaType) ?? 'oci';
    for (const l of node.manifest.layers) {
      const r = change.replaced.get(l.digest);
      if (r) layers.set(l.digest, { mediaType: layerMediaType(r.compression, target, isNonDistributable(l.mediaType)), digest: r.digest, size: r.size });
    }
    return rewriteImage(node.raw, { layers, format });
  };

  const visit = (node: TreeNode): RawManifest => {
    if (node.manifest.kind === 'image') return image(node as ImageNode);
    const idx = node as IndexNode;
    const descs: Descriptor[] = [];
    let childConverted = false;
    for (const child of idx.children) {
      const before = convertedToOci;
      const raw = visit(child);
      if (convertedToOci && !before) childConverted = true;
      children.push(raw);
      const orig = idx.manifest.manifests.find((d) => d.digest === child.raw.digest)!;
      descs.push({ ...orig, mediaType: raw.mediaType, digest: raw.digest, size: raw.bytes.byteLength });
    }
    let format = change.format;
    if (!format && (childConverted || convertedToOci) && idx.raw.mediaType === MediaType.DockerManifestList) format = 'oci';
    return rewriteIndex(idx.raw, { children: descs, format });
  };

  const newRoot = visit(root);
  if (convertedToOci && !change.format) change.notes('Docker v2 schema 2 cannot hold zstd layers: manifests were converted to OCI');
  return { children, root: newRoot };
}
