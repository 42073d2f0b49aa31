// What recompression does to manifests: a Docker v2 schema 2 image (and a Docker
// manifest list above it) becomes OCI when its layers become zstd, and says so; gzip
// keeps Docker types. A layer already in the target format is left alone unless
// forced; an uncompressed layer is compressed. A Helm chart is never touched. A
// multi-platform index has every platform converted and is rewritten over the new
// children, and skopeo copies the result.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, ferryOk } from '../support/ferry-cli.js';
import { buildHelmChart, buildImage, buildIndex, pushWithSkopeo, type BuiltHelmChart, type BuiltImage, type BuiltIndex } from '../support/fixtures.js';
import {
  LAYER_TYPES,
  MANIFEST_TYPES,
  magicOf,
  registryBlobHead,
  registryDiffIds,
  registryLayerContents,
  registryManifest,
  type IndexDoc,
  type ManifestDoc,
} from '../support/layer-tools.js';
import { dockerArchiveOf } from '../support/location-fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { skopeoCopy, skopeoInspectRaw } from '../support/skopeo.js';
import { readOciLayout } from '../support/stored-image.js';

const TEXT = Array.from({ length: 2000 }, (_, i) => `${i} lorem ipsum dolor sit amet\n`).join('');

interface JsonEvent {
  type: string;
  digest?: string;
  newDigest?: string;
  reason?: string;
  message?: string;
}

function events(stdout: string): JsonEvent[] {
  return stdout.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as JsonEvent);
}

describe('recompression and manifest formats', () => {
  let registry: RunningRegistry;
  let docker: BuiltImage;
  let dockerList: BuiltIndex;
  let mixed: BuiltImage;
  let chart: BuiltHelmChart;
  let index: BuiltIndex;

  beforeAll(async () => {
    [registry, docker, dockerList, mixed, chart, index] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      // Docker schema 2: one gzip layer, one uncompressed layer
      buildImage({
        mediaTypes: 'docker',
        layers: [{ files: { 'etc/docker.txt': TEXT } }, { files: { 'etc/plain.txt': 'an uncompressed layer\n' }, compression: 'none' }],
      }),
      buildIndex(['linux/amd64', 'linux/arm64/v8'], { mediaTypes: 'docker' }),
      // OCI: gzip, zstd and uncompressed layers side by side
      buildImage({
        layers: [
          { files: { 'a/gzip.txt': TEXT }, compression: 'gzip' },
          { files: { 'b/zstd.txt': TEXT }, compression: 'zstd' },
          { files: { 'c/plain.txt': TEXT }, compression: 'none' },
        ],
      }),
      buildHelmChart({ name: 'webapp', version: '1.2.3', appVersion: '4.5.6', provenance: true }),
      buildIndex(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']),
    ]);
    await Promise.all([
      pushWithSkopeo(docker, registry, 'fmt/docker:v1'),
      pushWithSkopeo(dockerList, registry, 'fmt/docker-list:v1'),
      pushWithSkopeo(mixed, registry, 'fmt/mixed:v1'),
      pushWithSkopeo(chart.ociRef, registry, 'fmt/chart:1.2.3'),
      pushWithSkopeo(index, registry, 'fmt/index:v1'),
    ]);
  });
  afterAll(() => registry?.stop());

  const ref = (repoTag: string): string => `docker://${registry.ref(repoTag)}`;

  async function storedImage(repo: string, reference: string): Promise<{ digest: string; manifest: ManifestDoc; contentType: string }> {
    const stored = await registryManifest(registry, repo, reference);
    return { digest: stored.digest, manifest: JSON.parse(stored.bytes.toString('utf8')) as ManifestDoc, contentType: stored.contentType };
  }

  describe('Docker v2 schema 2 source', () => {
    it('→ zstd becomes an OCI manifest with the same config, and the CLI says so', async () => {
      const run = await ferryOk(['copy', '--progress', 'plain', '--dest-compress-format', 'zstd', ref('fmt/docker:v1'), ref('fmt/docker-zstd:v1')]);
      const stored = await storedImage('fmt/docker-zstd', 'v1');
      expect(run.stdout.trim()).toBe(stored.digest);
      expect(run.stderr, describeRun(run)).toMatch(/Docker v2 schema 2 cannot hold zstd layers: manifests were converted to OCI/);
      expect(run.stderr).toContain(`manifest digest changed: ${docker.digest} → ${stored.digest}`);

      expect(stored.manifest.mediaType).toBe(MANIFEST_TYPES.ociManifest);
      expect(stored.contentType).toBe(MANIFEST_TYPES.ociManifest);
      // same config blob, now under the OCI config type
      expect(stored.manifest.config).toEqual({ ...docker.config, mediaType: MANIFEST_TYPES.ociConfig });
      expect(stored.manifest.layers.map((l) => l.mediaType)).toEqual([LAYER_TYPES.ociZstd, LAYER_TYPES.ociZstd]);
      expect(await registryLayerContents(registry, 'fmt/docker-zstd', stored.manifest)).toEqual(docker.diffIds);
    });

    it('→ gzip keeps Docker media types and compresses the uncompressed layer', async () => {
      const run = await ferryOk(['copy', '--quiet', '--dest-compress-format', 'gzip', ref('fmt/docker:v1'), ref('fmt/docker-gzip:v1')]);
      const stored = await storedImage('fmt/docker-gzip', 'v1');
      expect(run.stdout.trim()).toBe(stored.digest);
      expect(stored.manifest.mediaType).toBe(MANIFEST_TYPES.dockerManifest);
      expect(stored.contentType).toBe(MANIFEST_TYPES.dockerManifest);
      expect(stored.manifest.config).toEqual(docker.config);
      expect(stored.manifest.layers.map((l) => l.mediaType)).toEqual([LAYER_TYPES.dockerGzip, LAYER_TYPES.dockerGzip]);
      // the gzip layer was already gzip: untouched; the plain tar is now gzip
      expect(stored.manifest.layers[0]).toEqual(docker.layers[0]);
      expect(stored.manifest.layers[1]?.digest).not.toBe(docker.layers[1]?.digest);
      expect(magicOf(await registryBlobHead(registry, 'fmt/docker-gzip', stored.manifest.layers[1]!.digest))).toBe('gzip');
      expect(await registryLayerContents(registry, 'fmt/docker-gzip', stored.manifest)).toEqual(docker.diffIds);
    });

    it('→ gzip forced recompresses every layer and still keeps Docker media types', async () => {
      await ferryOk(['copy', '--quiet', '--dest-compress-format', 'gzip', '--dest-force-compress-format', ref('fmt/docker:v1'), ref('fmt/docker-gzip-forced:v1')]);
      const stored = await storedImage('fmt/docker-gzip-forced', 'v1');
      expect(stored.manifest.mediaType).toBe(MANIFEST_TYPES.dockerManifest);
      expect(stored.manifest.layers.map((l) => l.mediaType)).toEqual([LAYER_TYPES.dockerGzip, LAYER_TYPES.dockerGzip]);
      expect(await registryLayerContents(registry, 'fmt/docker-gzip-forced', stored.manifest)).toEqual(docker.diffIds);
    });

    it('a docker save archive (plain tar layers) → zstd: every layer compressed, the manifest OCI', async () => {
      const saved = await buildImage({
        mediaTypes: 'docker',
        layers: [
          { files: { 'etc/one.txt': TEXT }, compression: 'none' },
          { files: { 'etc/two.txt': 'second layer\n' }, compression: 'none' },
        ],
      });
      const archive = await dockerArchiveOf(saved, 'saved/app:v1');
      const run = await ferryOk(['copy', '--quiet', '--dest-compress-format', 'zstd', archive, ref('fmt/saved-zstd:v1')]);
      const stored = await storedImage('fmt/saved-zstd', 'v1');
      expect(run.stdout.trim()).toBe(stored.digest);
      expect(stored.manifest.mediaType).toBe(MANIFEST_TYPES.ociManifest);
      expect(stored.manifest.config.digest).toBe(saved.config.digest);
      expect(stored.manifest.layers.map((l) => l.mediaType)).toEqual([LAYER_TYPES.ociZstd, LAYER_TYPES.ociZstd]);
      expect(await registryLayerContents(registry, 'fmt/saved-zstd', stored.manifest)).toEqual(saved.diffIds);
    });

    it('a Docker manifest list → zstd becomes an OCI index over converted OCI children', async () => {
      const run = await ferryOk(['copy', '--progress', 'plain', '--dest-compress-format', 'zstd', ref('fmt/docker-list:v1'), ref('fmt/docker-list-zstd:v1')]);
      const root = await registryManifest(registry, 'fmt/docker-list-zstd', 'v1');
      expect(run.stdout.trim()).toBe(root.digest);
      expect(run.stderr, describeRun(run)).toMatch(/converted to OCI/);
      const list = JSON.parse(root.bytes.toString('utf8')) as IndexDoc;
      expect(list.mediaType).toBe(MANIFEST_TYPES.ociIndex);
      expect(root.contentType).toBe(MANIFEST_TYPES.ociIndex);
      expect(list.manifests.map((m) => m.platform)).toEqual(dockerList.index.manifests.map((m) => m.platform));
      for (const [i, child] of list.manifests.entries()) {
        const source = dockerList.images[i]!;
        expect(child.mediaType).toBe(MANIFEST_TYPES.ociManifest);
        expect(child.digest).not.toBe(source.digest);
        const stored = await storedImage('fmt/docker-list-zstd', child.digest);
        // the index names each child by the digest and size it is stored under
        expect(stored.digest).toBe(child.digest);
        expect(stored.manifest.mediaType).toBe(MANIFEST_TYPES.ociManifest);
        expect(stored.manifest.config).toEqual({ ...source.config, mediaType: MANIFEST_TYPES.ociConfig });
        expect(stored.manifest.layers.every((l) => l.mediaType === LAYER_TYPES.ociZstd)).toBe(true);
        expect(await registryLayerContents(registry, 'fmt/docker-list-zstd', stored.manifest)).toEqual(source.diffIds);
      }
    });
  });

  describe('layers already in the target format', () => {
    it('→ zstd leaves the zstd layer alone (same digest, not recompressed) and compresses the others', async () => {
      const run = await ferryOk(['copy', '--progress', 'json', '--dest-compress-format', 'zstd', ref('fmt/mixed:v1'), ref('fmt/mixed-zstd:v1')]);
      const stored = await storedImage('fmt/mixed-zstd', 'v1');
      const [gz, zst, tar] = mixed.layers;
      expect(stored.manifest.layers.map((l) => l.mediaType)).toEqual([LAYER_TYPES.ociZstd, LAYER_TYPES.ociZstd, LAYER_TYPES.ociZstd]);
      expect(stored.manifest.layers[1]).toEqual(zst);
      expect(stored.manifest.layers[0]?.digest).not.toBe(gz?.digest);
      expect(stored.manifest.layers[2]?.digest).not.toBe(tar?.digest);
      expect(await registryLayerContents(registry, 'fmt/mixed-zstd', stored.manifest)).toEqual(mixed.diffIds);

      const evs = events(run.stdout);
      const about = (digest: string | undefined): JsonEvent[] => evs.filter((e) => e.digest === digest);
      // the zstd layer: a plain copy, a skip or a mount (same registry), never a recompression
      expect(about(zst?.digest).some((e) => e.type === 'blob-done' || e.type === 'blob-skipped' || e.type === 'blob-mounted'), run.stdout).toBe(true);
      expect(about(zst?.digest).some((e) => e.newDigest !== undefined)).toBe(false);
      expect(about(gz?.digest).find((e) => e.type === 'blob-done')?.newDigest).toBe(stored.manifest.layers[0]?.digest);
      expect(about(tar?.digest).find((e) => e.type === 'blob-done')?.newDigest).toBe(stored.manifest.layers[2]?.digest);
    });

    it('a second run skips the zstd layer that is already there, and recompresses to the same digests', async () => {
      const first = await storedImage('fmt/mixed-zstd', 'v1');
      const run = await ferryOk(['copy', '--progress', 'json', '--dest-compress-format', 'zstd', ref('fmt/mixed:v1'), ref('fmt/mixed-zstd:v1')]);
      const zst = mixed.layers[1]!;
      expect(events(run.stdout).filter((e) => e.digest === zst.digest).map((e) => e.type)).toContain('blob-skipped');
      const stored = await storedImage('fmt/mixed-zstd', 'v1');
      expect(stored.manifest.layers[1]).toEqual(zst);
      // same input, level and block size → the same compressed bytes, so the same manifest
      expect(stored.digest).toBe(first.digest);
    });

    it('--dest-force-compress-format recompresses the zstd layer too', async () => {
      const run = await ferryOk(['copy', '--progress', 'json', '--dest-compress-format', 'zstd', '--dest-force-compress-format', ref('fmt/mixed:v1'), ref('fmt/mixed-forced:v1')]);
      const stored = await storedImage('fmt/mixed-forced', 'v1');
      const zst = mixed.layers[1]!;
      const done = events(run.stdout).find((e) => e.type === 'blob-done' && e.digest === zst.digest);
      expect(done?.newDigest, run.stdout).toBe(stored.manifest.layers[1]?.digest);
      expect(stored.manifest.layers[1]?.mediaType).toBe(LAYER_TYPES.ociZstd);
      expect(await registryLayerContents(registry, 'fmt/mixed-forced', stored.manifest)).toEqual(mixed.diffIds);
    });

    it('→ gzip leaves the gzip layer alone and compresses the uncompressed one as gzip', async () => {
      await ferryOk(['copy', '--quiet', '--dest-compress-format', 'gzip', ref('fmt/mixed:v1'), ref('fmt/mixed-gzip:v1')]);
      const stored = await storedImage('fmt/mixed-gzip', 'v1');
      expect(stored.manifest.layers.map((l) => l.mediaType)).toEqual([LAYER_TYPES.ociGzip, LAYER_TYPES.ociGzip, LAYER_TYPES.ociGzip]);
      expect(stored.manifest.layers[0]).toEqual(mixed.layers[0]);
      expect(magicOf(await registryBlobHead(registry, 'fmt/mixed-gzip', stored.manifest.layers[2]!.digest))).toBe('gzip');
      expect(await registryLayerContents(registry, 'fmt/mixed-gzip', stored.manifest)).toEqual(mixed.diffIds);
      expect(await registryDiffIds(registry, 'fmt/mixed-gzip', stored.manifest)).toEqual(mixed.diffIds);
    });
  });

  it('a Helm chart copied with --dest-compress-format zstd keeps its manifest byte for byte', async () => {
    const run = await ferryOk(['copy', '--quiet', '--dest-compress-format', 'zstd', ref('fmt/chart:1.2.3'), ref('fmt/chart-copy:1.2.3')]);
    expect(run.stdout.trim()).toBe(chart.digest);
    const stored = await registryManifest(registry, 'fmt/chart-copy', '1.2.3');
    expect(stored.digest).toBe(chart.digest);
    expect(stored.bytes.equals(chart.manifestBytes)).toBe(true);
    // the forced form too: a chart layer is not an image layer
    const forced = await ferryOk(['copy', '--quiet', '--dest-compress-format', 'zstd', '--dest-force-compress-format', chart.ociRef, ref('fmt/chart-forced:1.2.3')]);
    expect(forced.stdout.trim()).toBe(chart.digest);
    expect(await skopeoInspectRaw(registry, 'fmt/chart-forced:1.2.3')).toBe(chart.manifestBytes.toString('utf8'));
  });

  it('a multi-platform index → zstd: every platform converted, the index rewritten over the new children, skopeo copies it', async () => {
    const run = await ferryOk(['copy', '--quiet', '--dest-compress-format', 'zstd', ref('fmt/index:v1'), ref('fmt/index-zstd:v1')]);
    const root = await registryManifest(registry, 'fmt/index-zstd', 'v1');
    expect(run.stdout.trim()).toBe(root.digest);
    const rewritten = JSON.parse(root.bytes.toString('utf8')) as IndexDoc;
    expect(rewritten.mediaType).toBe(MANIFEST_TYPES.ociIndex);
    expect(rewritten.manifests).toHaveLength(index.images.length);
    const newShared = new Set<string>();
    for (const [i, child] of rewritten.manifests.entries()) {
      const source = index.images[i]!;
      expect(child.platform).toEqual(source.platform);
      expect(child.digest).not.toBe(source.digest);
      const stored = await registryManifest(registry, 'fmt/index-zstd', child.digest);
      expect(stored.digest).toBe(child.digest);
      expect(stored.bytes.length).toBe(child.size);
      const manifest = JSON.parse(stored.bytes.toString('utf8')) as ManifestDoc;
      expect(manifest.config).toEqual(source.config);
      expect(manifest.layers.map((l) => l.mediaType)).toEqual(source.layers.map(() => LAYER_TYPES.ociZstd));
      expect(await registryLayerContents(registry, 'fmt/index-zstd', manifest)).toEqual(source.diffIds);
      newShared.add(manifest.layers[0]!.digest);
    }
    // the layer every platform shares was recompressed once and is shared still
    expect(newShared.size).toBe(1);

    const layout = join(await scratchDir('index-zstd'), 'layout');
    await skopeoCopy(ref('fmt/index-zstd:v1'), `oci:${layout}:v1`, { src: registry, all: true });
    const copied = await readOciLayout(layout, 'v1');
    expect(copied.digest).toBe(root.digest);
    expect([...copied.children.keys()].sort()).toEqual(rewritten.manifests.map((m) => m.digest).sort());
    for (const blob of copied.blobs) expect(blob.actual, blob.digest).toBe(blob.digest);
  });
});
