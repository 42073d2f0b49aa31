import { FerryError } from '../errors.js';
import type { Descriptor, Platform } from '../oci/descriptor.js';
import type { IndexManifest } from '../oci/manifest.js';
import { pickPlatform } from '../oci/platform.js';

export type Selection =
  /** Copy the index and every child. */
  | { kind: 'whole' }
  /** Copy the index rewritten to list only these children. */
  | { kind: 'subset'; children: Descriptor[] }
  /** Copy one child as the root; the index is dropped. */
  | { kind: 'single'; child: Descriptor }
  /** Copy only the index (children must already be at the destination). */
  | { kind: 'index-only' };

export interface SelectInput {
  index: IndexManifest;
  platforms?: Platform[];
  multiArch: 'all' | 'system' | 'index-only';
  destinationSupportsIndex: boolean;
  systemPlatform: Platform;
  where: string;
}

/** Pure: decides which parts of an index a copy carries. */
export function selectFromIndex(input: SelectInput): Selection {
  const { index, where } = input;
  if (input.platforms && input.platforms.length > 0) {
    const children: Descriptor[] = [];
    for (const p of input.platforms) {
      const child = pickPlatform(index, p, where);
      if (!children.includes(child)) children.push(child);
    }
    if (!input.destinationSupportsIndex) {
      if (children.length > 1) throw new FerryError('ERR_UNSUPPORTED', `the destination holds a single image; choose one platform, not ${children.length}`);
      return { kind: 'single', child: children[0]! };
    }
    // asking for every platform the index has is the whole index, byte-exact
    if (children.length === index.manifests.length) return { kind: 'whole' };
    return { kind: 'subset', children: index.manifests.filter((m) => children.includes(m)) };
  }
  if (input.multiArch === 'system' || !input.destinationSupportsIndex) {
    return { kind: 'single', child: pickPlatform(index, input.systemPlatform, where) };
  }
  if (input.multiArch === 'index-only') return { kind: 'index-only' };
  return { kind: 'whole' };
}
