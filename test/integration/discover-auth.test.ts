// Discovery on a token-auth registry: the referrers query, the tag list, the
// `sha256-<hex>` index and cosign tags all read with a pull token. The attachments are
// copied there tag by tag from a layout that holds them as ref names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copy } from '../../src/index.js';
import { writeSignedLayout, type SignedLayout } from '../support/attachment-layout.js';
import { ferryJson } from '../support/ferry-cli.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';

interface Referrer {
  via: string;
  digest: string;
  referrers: Referrer[];
}

describe('discover on a token-auth registry', () => {
  let registry: RunningRegistry;
  let layout: SignedLayout;
  beforeAll(async () => {
    registry = await startRegistry({ mode: 'token' });
    layout = await writeSignedLayout();
    const stem = (d: string) => d.replace(':', '-');
    for (const ref of ['v1', `${stem(layout.image.digest)}.sig`, stem(layout.image.digest), stem(layout.sbom.digest)]) {
      // ferry's copy: skopeo 1.9.3 refuses to copy an index of artifacts with --preserve-digests
      await copy(`oci:${layout.path}:${ref}`, `docker://${registry.ref(`team/app:${ref}`)}`, { dest: { credentials: { username: registry.username!, password: registry.password! } }, cache: false });
    }
  });
  afterAll(() => registry?.stop());

  it('finds the referrers index and the cosign tag with the user\'s credentials', async () => {
    const json = await ferryJson<{ digest: string; referrers: Referrer[] }>([
      'discover',
      '--format',
      'json',
      '--creds',
      `${registry.username}:${registry.password}`,
      `docker://${registry.ref('team/app:v1')}`,
    ]);
    expect(json.digest).toBe(layout.image.digest);
    const tree = (list: Referrer[]): unknown[] => list.map((r) => [r.via, r.digest, tree(r.referrers)]);
    expect(tree(json.referrers)).toEqual([
      ['referrers-tag', layout.notation.digest, []],
      ['referrers-tag', layout.sbom.digest, [['referrers-tag', layout.sbomSignature.digest, []]]],
      ['cosign-tag', layout.cosignSig.digest, []],
    ]);
  });
});
