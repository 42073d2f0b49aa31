// Discovery in local layouts: attachments kept as ref names (cosign tags, the
// `sha256-<hex>` index), read from oci: and from oci-archive: in place.
import { describe, expect, it } from 'vitest';
import type { Digest } from '../../../src/oci/digest.js';
import { discoverAttachments } from '../../../src/referrers/discover.js';
import type { Attachment } from '../../../src/referrers/types.js';
import { openOciArchiveSource } from '../../../src/transport/oci-archive/source.js';
import { openOciLayoutSource } from '../../../src/transport/oci-layout/source.js';
import { writeSignedLayout } from '../../support/attachment-layout.js';
import { ociArchiveOf } from '../../support/location-fixtures.js';
import { tagInLayout } from '../../support/oci-layout-writer.js';

const tree = (list: readonly Attachment[]): unknown[] => list.map((a) => [a.descriptor.digest, a.via, a.kind, tree(a.attachments)]);

describe('discoverAttachments in layouts', () => {
  it('finds cosign ref names and the referrers index in oci: and oci-archive:, transitively', async () => {
    const l = await writeSignedLayout();
    const archive = (await ociArchiveOf({ layoutPath: l.path, tag: 'v1' })).replace(/^oci-archive:/, '').replace(/:v1$/, '');
    const expected = [
      [l.notation.digest, 'referrers-tag', 'signature', []],
      [l.sbom.digest, 'referrers-tag', 'sbom', [[l.sbomSignature.digest, 'referrers-tag', 'signature', []]]],
      [l.cosignSig.digest, 'cosign-tag', 'signature', []],
    ];
    for (const source of [await openOciLayoutSource(l.path, 'v1', `oci:${l.path}:v1`), await openOciArchiveSource(archive, 'v1', `oci-archive:${archive}:v1`)]) {
      try {
        expect(await source.listReferrers()).toBe('unsupported');
        expect(await source.headTag('missing')).toBeUndefined();
        expect((await source.headTag(`${l.image.digest.replace(':', '-')}.sig`))?.digest).toBe(l.cosignSig.digest);
        const found = await discoverAttachments(source, [l.image.digest as Digest]);
        expect(tree(found.get(l.image.digest as Digest)!)).toEqual(expected);
      } finally {
        await source.close();
      }
    }
  });

  it('a layout location without :REF names the one image, not the attachments kept beside it', async () => {
    const l = await writeSignedLayout();
    const source = await openOciLayoutSource(l.path, undefined, `oci:${l.path}`);
    try {
      expect((await source.listTags()).length).toBe(4);
      expect((await source.getManifest(undefined)).digest).toBe(l.image.digest);
    } finally {
      await source.close();
    }
    // a second image makes the location ambiguous again; the message lists the images only
    await tagInLayout(l.path, l.notation, 'v2');
    const two = await openOciLayoutSource(l.path, undefined, `oci:${l.path}`);
    try {
      await expect(two.getManifest(undefined)).rejects.toThrow(`oci:${l.path}: index.json lists 2 images, name one with :REF (v1, v2)`);
    } finally {
      await two.close();
    }
  });
});
