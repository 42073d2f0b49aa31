// Interop with skopeo 1.9 in both directions, through a real registry and every
// local kind: what ferry writes, skopeo reads and copies onwards; what skopeo writes,
// ferry reads and copies, with the digests skopeo itself sees.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferryOk } from '../support/ferry-cli.js';
import { buildImage, pushWithSkopeo, type BuiltImage } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { skopeo, skopeoCopy, skopeoInspectRaw } from '../support/skopeo.js';
import { readOciLayout, readRegistryImage, sha256, type StoredImage } from '../support/stored-image.js';

const KINDS = ['docker', 'oci', 'oci-archive', 'docker-archive', 'dir'] as const;
type Kind = (typeof KINDS)[number];

interface ManifestDoc {
  mediaType: string;
  config: { digest: string };
  layers: Array<{ digest: string }>;
}

describe('interop with skopeo', () => {
  let registry: RunningRegistry;
  let image: BuiltImage;
  let work: string;

  beforeAll(async () => {
    [registry, image, work] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      buildImage({ labels: { 'org.example.fixture': 'interop' }, layers: [{ files: { 'etc/interop.txt': 'interop\n' } }, { random: { size: 40 * 1024, seed: 'interop' } }] }),
      scratchDir('interop'),
    ]);
    await pushWithSkopeo(image, registry, 'interop/source:v1');
  });
  afterAll(() => registry?.stop());

  /** A location of `kind` named after `name`; skopeo and ferry spell them alike. */
  function location(kind: Kind, name: string): string {
    switch (kind) {
      case 'docker':
        return `docker://${registry.ref(`interop/${name}:v1`)}`;
      case 'oci':
        return `oci:${join(work, `${name}-layout`)}:v1`;
      case 'oci-archive':
        return `oci-archive:${join(work, `${name}.oci.tar`)}:v1`;
      case 'docker-archive':
        return `docker-archive:${join(work, `${name}.docker.tar`)}:interop/${name}:v1`;
      case 'dir':
        return `dir:${join(work, `${name}-dir`)}`;
    }
  }

  /** skopeo's view of a location: reading a docker-archive, it names the archive alone. */
  async function skopeoRaw(kind: Kind, loc: string): Promise<Buffer> {
    if (kind === 'docker') return Buffer.from(await skopeoInspectRaw(registry, loc.slice(`docker://${registry.host}/`.length)));
    const ref = kind === 'docker-archive' ? loc.slice(0, loc.indexOf(':', 'docker-archive:'.length)) : loc;
    return Buffer.from(await skopeo(['inspect', '--raw', ref]));
  }

  const skopeoSide = (kind: Kind) => (kind === 'docker' ? registry : undefined);

  describe('ferry writes, skopeo reads and copies', () => {
    for (const kind of KINDS) {
      it(`${kind}`, async () => {
        const written = location(kind, `by-ferry-${kind}`);
        const run = await ferryOk(['copy', '--quiet', `docker://${registry.ref('interop/source:v1')}`, written]);
        expect(run.stdout.trim()).toBe(image.digest);
        const seen = await skopeoRaw(kind, written);
        const readFrom = kind === 'docker-archive' ? written.slice(0, written.indexOf(':', 'docker-archive:'.length)) : written;

        // skopeo copies it on to a layout and to the registry
        const layout = join(work, `skopeo-from-ferry-${kind}`);
        await skopeoCopy(readFrom, `oci:${layout}:v1`, { src: skopeoSide(kind) });
        await skopeoCopy(readFrom, `docker://${registry.ref(`interop/skopeo-from-ferry-${kind}:v1`)}`, { src: skopeoSide(kind), dest: registry });
        const onward = await readOciLayout(layout, 'v1');
        const pushed = await readRegistryImage(registry, `interop/skopeo-from-ferry-${kind}`, 'v1');
        for (const stored of [onward, pushed]) for (const b of stored.blobs) expect(b.actual).toBe(b.digest);

        if (kind === 'docker-archive') {
          // A docker archive keeps no manifest; skopeo describes layers by diff_id and
          // recompresses them on the way out. The config, with those diff_ids, is intact.
          const doc = JSON.parse(seen.toString()) as ManifestDoc;
          expect(doc.config.digest).toBe(image.config.digest);
          expect(doc.layers.map((l) => l.digest)).toEqual(image.diffIds);
          expect(pushed.blobs.map((b) => b.digest)).toContain(image.config.digest);
        } else {
          expect(sha256(seen)).toBe(image.digest);
          expect(onward.digest).toBe(image.digest);
          expect(pushed.digest).toBe(image.digest);
        }
      });
    }
  });

  describe('skopeo writes, ferry reads and copies', () => {
    for (const kind of KINDS) {
      it(`${kind}`, async () => {
        const written = location(kind, `by-skopeo-${kind}`);
        await skopeoCopy(image.ociRef, written, { dest: skopeoSide(kind), preserveDigests: kind !== 'docker-archive' });
        const seen = await skopeoRaw(kind, written);
        const skopeoView = JSON.parse(seen.toString()) as ManifestDoc;

        const layout = join(work, `ferry-from-skopeo-${kind}`);
        const toLayout = await ferryOk(['copy', '--quiet', written, `oci:${layout}:v1`]);
        const toRegistry = await ferryOk(['copy', '--quiet', written, `docker://${registry.ref(`interop/ferry-from-skopeo-${kind}:v1`)}`]);
        expect(toRegistry.stdout.trim()).toBe(toLayout.stdout.trim());
        const copies: StoredImage[] = [await readOciLayout(layout, 'v1'), await readRegistryImage(registry, `interop/ferry-from-skopeo-${kind}`, 'v1')];
        for (const stored of copies) {
          expect(stored.digest).toBe(toLayout.stdout.trim());
          for (const b of stored.blobs) expect(b.actual).toBe(b.digest);
          // the blobs skopeo says the image has
          expect(stored.blobs.map((b) => b.digest).sort()).toEqual([skopeoView.config.digest, ...skopeoView.layers.map((l) => l.digest)].sort());
        }

        if (kind === 'docker-archive') {
          // skopeo stored the layers uncompressed; ferry describes them as stored, so
          // the layer digests are skopeo's (the diff_ids) while media types say tar.
          expect(skopeoView.layers.map((l) => l.digest)).toEqual(image.diffIds);
        } else {
          expect(toLayout.stdout.trim()).toBe(sha256(seen));
          expect(toLayout.stdout.trim()).toBe(image.digest);
        }
        // skopeo reads what ferry pushed
        expect(sha256(Buffer.from(await skopeoInspectRaw(registry, `interop/ferry-from-skopeo-${kind}:v1`)))).toBe(toLayout.stdout.trim());
      });
    }

    it('docker-archive → oci: with --format oci yields a layout skopeo reads', async () => {
      const archive = location('docker-archive', 'by-skopeo-for-format');
      await skopeoCopy(image.ociRef, archive);
      const layout = join(work, 'format-oci-layout');
      const run = await ferryOk(['copy', '--quiet', '--format', 'oci', archive, `oci:${layout}:v1`]);
      const raw = Buffer.from(await skopeo(['inspect', '--raw', `oci:${layout}:v1`]));
      expect(sha256(raw)).toBe(run.stdout.trim());
      expect((JSON.parse(raw.toString()) as ManifestDoc).mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
      const config = JSON.parse(await skopeo(['inspect', '--config', `oci:${layout}:v1`])) as { rootfs: { diff_ids: string[] } };
      expect(config.rootfs.diff_ids).toEqual(image.diffIds);
    });
  });
});
