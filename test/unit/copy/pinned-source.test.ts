import { describe, expect, it } from 'vitest';
import { pinnedSource } from '../../../src/copy/pinned-source.js';
import { encodeManifest, rawManifest } from '../../../src/oci/manifest.js';
import { MediaType } from '../../../src/oci/media-types.js';
import type { ImageSource } from '../../../src/transport/types.js';

const root = rawManifest(encodeManifest({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciEmpty, digest: `sha256:${'0'.repeat(64)}`, size: 2 }, layers: [] }));

function inner(identity?: { registry: string; repository: string }): ImageSource & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    description: 'docker://r.io/app:multi',
    ...(identity ? { identity } : {}),
    getManifest: async (ref) => {
      reads.push(ref ?? 'root');
      throw new Error('not expected');
    },
    getBlob: async () => {
      throw new Error('not expected');
    },
    close: async () => undefined,
  };
}

describe('pinnedSource', () => {
  it('keeps the repository identity, so a destination in the same registry can still mount', async () => {
    const pinned = pinnedSource(inner({ registry: 'r.io', repository: 'app' }), root);
    expect(pinned.identity).toEqual({ registry: 'r.io', repository: 'app' });
    expect(pinned.description).toBe(`docker://r.io/app@${root.digest}`);
    expect(await pinned.getManifest(undefined)).toBe(root);
    expect(await pinned.getManifest(root.digest)).toBe(root);
  });

  it('has no identity over a local source, and names the source it reads from', () => {
    const local = { ...inner(), description: 'oci:/tmp/layout:multi' };
    const pinned = pinnedSource(local, root);
    expect(pinned.identity).toBeUndefined();
    expect(pinned.description).toBe(`oci:/tmp/layout:multi@${root.digest}`);
  });
});
