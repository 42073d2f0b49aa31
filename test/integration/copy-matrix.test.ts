// `ferry copy` between every pair of location kinds (docker://, oci:, oci-archive:,
// docker-archive:, dir:), through the CLI. Each source holds the same small image,
// made without ferry; each result is read back without ferry (stored-image.ts): the
// manifest digest where the format keeps one, and every blob hashed from the bytes
// stored under its name. skopeo must read every result.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, ferryOk, oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildImage, buildIndex, pushWithSkopeo, type BuiltImage, type BuiltIndex } from '../support/fixtures.js';
import { dirOf, dockerArchiveOf, ociArchiveOf } from '../support/location-fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { skopeo, skopeoInspectRaw } from '../support/skopeo.js';
import { readDir, readDockerArchive, readOciArchive, readOciLayout, readRegistryImage, sha256, type StoredImage } from '../support/stored-image.js';

const KINDS = ['docker', 'oci', 'oci-archive', 'docker-archive', 'dir'] as const;
type Kind = (typeof KINDS)[number];

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/** The platform ferry picks on this machine (Node's arch names → OCI's). */
function hostArchitecture(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm' } as Record<string, string>)[process.arch] ?? process.arch;
}

describe('ferry copy between every pair of location kinds', () => {
  let registry: RunningRegistry;
  let image: BuiltImage;
  let work: string;
  const sources = {} as Record<Kind, string>;
  /** The manifest ferry generates for the docker-archive source, the same for every destination. */
  const fromDockerArchive: string[] = [];

  beforeAll(async () => {
    [registry, image] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      buildImage({ labels: { 'org.example.fixture': 'matrix' }, layers: [{ files: { 'etc/matrix.txt': 'matrix\n' } }, { random: { size: 48 * 1024, seed: 'matrix' } }] }),
    ]);
    work = await scratchDir('matrix');
    await pushWithSkopeo(image, registry, 'matrix/source:v1');
    sources.docker = `docker://${registry.ref('matrix/source:v1')}`;
    sources.oci = image.ociRef;
    sources['oci-archive'] = await ociArchiveOf(image);
    sources['docker-archive'] = await dockerArchiveOf(image, 'example.com/matrix/source:v1');
    sources.dir = await dirOf(image);
  });
  afterAll(() => registry?.stop());

  function destination(to: Kind, from: Kind): { location: string; read: () => Promise<StoredImage & { repoTags?: string[] }>; skopeoRef: string } {
    switch (to) {
      case 'docker':
        return {
          location: `docker://${registry.ref(`matrix/from-${from}:v1`)}`,
          read: () => readRegistryImage(registry, `matrix/from-${from}`, 'v1'),
          skopeoRef: `matrix/from-${from}:v1`,
        };
      case 'oci': {
        const path = join(work, `oci-from-${from}`);
        return { location: `oci:${path}:v1`, read: () => readOciLayout(path, 'v1'), skopeoRef: `oci:${path}:v1` };
      }
      case 'oci-archive': {
        const path = join(work, `from-${from}.oci.tar`);
        return { location: `oci-archive:${path}:v1`, read: () => readOciArchive(path, 'v1'), skopeoRef: `oci-archive:${path}:v1` };
      }
      case 'docker-archive': {
        const path = join(work, `from-${from}.docker.tar`);
        return { location: `docker-archive:${path}:ferry/matrix:v1`, read: () => readDockerArchive(path), skopeoRef: `docker-archive:${path}` };
      }
      case 'dir': {
        const path = join(work, `dir-from-${from}`);
        return { location: `dir:${path}`, read: () => readDir(path), skopeoRef: `dir:${path}` };
      }
    }
  }

  async function skopeoRaw(to: Kind, ref: string): Promise<Buffer> {
    return Buffer.from(to === 'docker' ? await skopeoInspectRaw(registry, ref) : await skopeo(['inspect', '--raw', ref]));
  }

  for (const from of KINDS) {
    for (const to of KINDS) {
      it(`${from} → ${to}`, async () => {
        const dest = destination(to, from);
        const run = await ferryOk(['copy', '--quiet', sources[from], dest.location]);
        const reported = run.stdout.trim();
        expect(reported, describeRun(run)).toMatch(/^sha256:[a-f0-9]{64}$/);
        const stored = await dest.read();

        // Every blob is stored under its own digest, and they are the original's blobs.
        for (const blob of stored.blobs) expect(blob.actual, `blob ${blob.digest} at ${dest.location}`).toBe(blob.digest);
        expect(stored.blobs.map((b) => b.digest).sort()).toEqual([image.config.digest, ...image.layers.map((l) => l.digest)].sort());

        // The manifest digest, where the format keeps one. A docker archive keeps no
        // manifest, so from one ferry makes a Docker v2 schema 2 manifest of the same blobs.
        if (from === 'docker-archive') {
          fromDockerArchive.push(reported);
          expect(new Set(fromDockerArchive).size).toBe(1);
        } else {
          expect(reported).toBe(image.digest);
        }
        if (to === 'docker-archive') {
          expect(stored.repoTags).toEqual(['ferry/matrix:v1']);
        } else {
          expect(stored.digest).toBe(reported);
          expect(stored.mediaType).toBe(from === 'docker-archive' ? DOCKER_MANIFEST : image.mediaType);
          if (from !== 'docker-archive') expect(stored.manifestBytes?.equals(image.manifestBytes)).toBe(true);
        }

        // skopeo reads the result. skopeo 1.9's oci: transport does not see index.json
        // entries of Docker media types, which is what a docker-archive source yields
        // (see copy-interop.test.ts for the --format oci way round that).
        if (to === 'docker-archive') {
          // skopeo describes archive layers by their uncompressed digests (diff_ids).
          const seen = JSON.parse((await skopeoRaw(to, dest.skopeoRef)).toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
          expect(seen.config.digest).toBe(image.config.digest);
          expect(seen.layers.map((l) => l.digest)).toEqual(image.diffIds);
        } else if (!(from === 'docker-archive' && (to === 'oci' || to === 'oci-archive'))) {
          expect(sha256(await skopeoRaw(to, dest.skopeoRef))).toBe(reported);
        }
      });
    }
  }

  describe('an index into a location that holds one image', () => {
    let index: BuiltIndex;
    beforeAll(async () => {
      index = await buildIndex(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']);
    });

    const platformImage = (architecture: string): BuiltIndex['images'][number] => {
      const found = index.images.find((i) => i.platform.architecture === architecture);
      if (!found) throw new Error(`fixture has no ${architecture} image`);
      return found;
    };

    it('dir: gets the host platform by default, and says so', async () => {
      const path = join(work, 'index-to-dir');
      const run = await ferryOk(['copy', '--progress', 'plain', index.ociRef, `dir:${path}`]);
      const host = platformImage(hostArchitecture());
      expect(run.stdout.trim()).toBe(host.digest);
      expect(run.stderr).toMatch(/holds one image/);
      const stored = await readDir(path);
      expect(stored.digest).toBe(host.digest);
      expect(stored.blobs.every((b) => b.actual === b.digest)).toBe(true);
      expect(sha256(Buffer.from(await skopeo(['inspect', '--raw', `dir:${path}`])))).toBe(host.digest);
    });

    it('docker-archive: gets the platform --platform names', async () => {
      const path = join(work, 'index-arm.docker.tar');
      const arm = platformImage('arm');
      const run = await ferryOk(['copy', '--quiet', '--platform', 'linux/arm/v7', index.ociRef, `docker-archive:${path}:ferry/arm:v7`]);
      expect(run.stdout.trim()).toBe(arm.digest);
      const stored = await readDockerArchive(path);
      expect(stored.blobs.map((b) => b.digest)).toEqual([arm.config.digest, ...arm.layers.map((l) => l.digest)]);
      expect(stored.blobs.every((b) => b.actual === b.digest)).toBe(true);
      const config = JSON.parse(await skopeo(['inspect', '--config', `docker-archive:${path}`])) as { architecture: string; variant?: string };
      expect(config).toMatchObject({ architecture: 'arm', variant: 'v7' });
    });

    it('dir: refuses two platforms with one line', async () => {
      const run = await runFerry(['copy', '--platform', 'linux/amd64,linux/arm64', index.ociRef, `dir:${join(work, 'index-two')}`]);
      expect(oneLineError(run)).toMatch(/one platform/);
    });
  });
});
