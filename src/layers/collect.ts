import type { Descriptor } from '../oci/descriptor.js';
import type { ImageSource } from '../transport/types.js';
import type { LayerEntry } from './entry.js';
import { walkLayer, type EntryVisitor, type WalkResult } from './walk-layer.js';

/** One layer read to the end: its entries' metadata (no content) and its sizes. */
export interface CollectedLayer extends WalkResult {
  index: number;
  descriptor: Descriptor;
  entries: LayerEntry[];
}

/** Layers read at once: enough to hide latency, few enough that decompression keeps up. */
export const LAYER_CONCURRENCY = 3;

/**
 * Reads every layer in parallel and returns them in manifest order. Only metadata is
 * kept; `inspect` may look at a file's bytes as they stream by (lint's content checks),
 * copying what it keeps: each chunk is freed once the next is read (WalkOptions).
 */
export async function collectLayers(
  source: ImageSource,
  layers: readonly Descriptor[],
  options: { signal?: AbortSignal; inspect?: (layer: number) => EntryVisitor; concurrency?: number } = {},
): Promise<CollectedLayer[]> {
  const out: CollectedLayer[] = new Array(layers.length);
  const readOne = async (index: number): Promise<void> => {
    const descriptor = layers[index]!;
    const entries: LayerEntry[] = [];
    const inspect = options.inspect?.(index);
    const result = await walkLayer(
      source,
      descriptor,
      async (entry, body, ordinal) => {
        entries.push(entry);
        if (inspect) await inspect(entry, body, ordinal);
      },
      options.signal,
      { freeChunks: true },
    );
    out[index] = { ...result, index, descriptor, entries };
  };
  // a few readers take the next layer in manifest order; after a failure none starts another
  let next = 0;
  let failed = false;
  const reader = async (): Promise<void> => {
    while (!failed && next < layers.length) {
      try {
        await readOne(next++);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const readers = Math.max(1, Math.min(options.concurrency ?? LAYER_CONCURRENCY, layers.length));
  const settled = await Promise.allSettled(Array.from({ length: readers }, reader));
  const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  return out;
}
