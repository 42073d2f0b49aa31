import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { isImage, type ImageManifest } from '../oci/manifest.js';
import { MediaType, isEncryptedLayer, isImageLayerMediaType, isNonDistributable } from '../oci/media-types.js';
import type { CompressionTarget } from './options.js';

/** What happens to one blob. */
export type BlobAction =
  /** `bytes`: the blob, already read and verified (a config read for the plan). */
  | { kind: 'copy'; desc: Descriptor; bytes?: Buffer }
  /** A layer that may be recompressed; `diffId` checks its uncompressed content. */
  | { kind: 'recompress'; desc: Descriptor; target: CompressionTarget; level?: number; force: boolean; diffId?: Digest }
  /** Foreign / non-distributable layers stay where they are, referenced by URL. */
  | { kind: 'leave'; desc: Descriptor };

export interface PlannedImage {
  manifest: ImageManifest;
  /** diff_ids from the config, when the plan needed them (recompression). */
  diffIds?: Digest[];
  /** The config's verified bytes, when the plan read them. */
  config?: Buffer;
}


/**
 * Pure: every blob of every image once (deduplicated by digest across platforms), each
 * with its action. Configs go first so a slow layer never delays the small ones.
 */
export function planBlobs(images: PlannedImage[], compression?: { format: CompressionTarget; level?: number; force?: boolean }): BlobAction[] {
  const actions = new Map<Digest, BlobAction>();
  const configs: BlobAction[] = [];
  for (const img of images) {
    const m = img.manifest;
    if (!actions.has(m.config.digest)) {
      const a: BlobAction = { kind: 'copy', desc: m.config, ...(img.config ? { bytes: img.config } : {}) };
      actions.set(m.config.digest, a);
      configs.push(a);
    }
    m.layers.forEach((layer, i) => {
      if (actions.has(layer.digest)) return;
      if (isNonDistributable(layer.mediaType) && (layer.urls?.length ?? 0) > 0) {
        actions.set(layer.digest, { kind: 'leave', desc: layer });
        return;
      }
      const eligible = compression && isImage(m) && isImageLayerMediaType(layer.mediaType) && !isEncryptedLayer(layer.mediaType);
      if (eligible) {
        actions.set(layer.digest, {
          kind: 'recompress',
          desc: layer,
          target: compression.format,
          level: compression.level,
          force: compression.force ?? false,
          diffId: img.diffIds?.[i],
        });
      } else {
        actions.set(layer.digest, { kind: 'copy', desc: layer });
      }
    });
  }
  const rest = [...actions.values()].filter((a) => !configs.includes(a));
  // biggest first: the long pole starts early and small blobs fill the gaps
  rest.sort((a, b) => b.desc.size - a.desc.size);
  return [...configs, ...rest];
}

/** Below this size a blob's copy waits on round trips, not on bandwidth. */
export const SMALL_BLOB = 1024 * 1024;

/**
 * Pure: the plan cut into two lanes that run side by side, each with --jobs places:
 * blobs copied as they are and smaller than SMALL_BLOB (configs, small layers,
 * signatures), and the rest. A config no longer holds one of the places the large layers
 * stream through for the four round trips its copy takes (HEAD, GET, POST, PUT), nor
 * waits behind them; on a 25 ms link that held the last layer back by ~0.1-0.2 s.
 */
export function blobLanes(actions: readonly BlobAction[]): [small: BlobAction[], large: BlobAction[]] {
  const small: BlobAction[] = [];
  const large: BlobAction[] = [];
  for (const a of actions) (a.kind === 'copy' && a.desc.size >= 0 && a.desc.size < SMALL_BLOB ? small : large).push(a);
  return [small, large];
}

/** Whether any blob may change digest (then manifests are rewritten). */
export function mayChangeBlobs(actions: BlobAction[]): boolean {
  return actions.some((a) => a.kind === 'recompress');
}
