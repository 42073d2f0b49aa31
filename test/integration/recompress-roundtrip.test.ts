// Recompression round trip: gzip → zstd → gzip through a real registry (and one leg
// into an OCI layout). Nothing here uses ferry's code to judge ferry: layer blobs are
// decompressed by the real `zstd -d` / `gzip -d` and hashed against the config's
// diff_ids, skopeo reads the zstd image back, and umoci unpacks every stage to a file
// tree that must be the same as the source's.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferryOk } from '../support/ferry-cli.js';
import { buildImage, pushWithSkopeo, type BuiltImage } from '../support/fixtures.js';
import {
  LAYER_TYPES,
  MANIFEST_TYPES,
  layoutLayerContents,
  layoutManifest,
  magicOf,
  registryBlobHead,
  registryDiffIds,
  registryLayerContents,
  registryManifest,
  skopeoDecompressedLayout,
  skopeoToLayout,
  umociTree,
  type ManifestDoc,
} from '../support/layer-tools.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { skopeoInspectRaw } from '../support/skopeo.js';

const TEXT = Array.from({ length: 4000 }, (_, i) => `line ${i}: the quick brown fox jumps over the lazy dog\n`).join('');

describe('gzip → zstd → gzip round trip', () => {
  let registry: RunningRegistry;
  let image: BuiltImage;
  /** The file tree umoci unpacks from the source fixture. */
  let sourceTree: string[];
  let zstdManifest: ManifestDoc;

  beforeAll(async () => {
    [registry, image] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      buildImage({
        tag: 'v1',
        layers: [
          {
            files: {
              'etc/os-release': 'NAME="ferry fixture"\n',
              'usr/bin/tool': { content: '#!/bin/sh\necho tool\n', mode: 0o755 },
              'usr/share/doc/text.txt': TEXT,
              'var/lib/gone.txt': 'removed by the last layer\n',
            },
            symlinks: { 'usr/bin/alias': 'tool' },
          },
          { files: { 'opt/app/readme.md': '# app\n' }, random: { path: 'opt/app/data.bin', size: 512 * 1024, seed: 'roundtrip' } },
          { files: { 'etc/os-release': 'NAME="ferry fixture, patched"\n' }, whiteouts: ['var/lib/gone.txt'] },
        ],
      }),
    ]);
    await pushWithSkopeo(image, registry, 'rt/source:v1');
    sourceTree = await umociTree(image.layoutPath, image.tag);
  });
  afterAll(() => registry?.stop());

  const ref = (repoTag: string): string => `docker://${registry.ref(repoTag)}`;

  it('the source tree is what the fixture describes (the comparisons below mean something)', () => {
    expect(sourceTree).toContain('l usr/bin/alias -> tool');
    expect(sourceTree.some((l) => l.startsWith('f usr/bin/tool 755 '))).toBe(true);
    expect(sourceTree.some((l) => l.startsWith('f opt/app/data.bin 644 524288 '))).toBe(true);
    expect(sourceTree.some((l) => l.includes('var/lib/gone.txt'))).toBe(false);
  });

  it('gzip → zstd, registry → registry: zstd layers of unchanged content, config untouched', async () => {
    const run = await ferryOk(['copy', '--quiet', '--dest-compress-format', 'zstd', ref('rt/source:v1'), ref('rt/zstd:v1')]);
    const stored = await registryManifest(registry, 'rt/zstd', 'v1');
    expect(run.stdout.trim()).toBe(stored.digest);
    expect(stored.digest).not.toBe(image.digest);
    zstdManifest = JSON.parse(stored.bytes.toString('utf8')) as ManifestDoc;

    expect(zstdManifest.mediaType).toBe(MANIFEST_TYPES.ociManifest);
    expect(stored.contentType).toBe(MANIFEST_TYPES.ociManifest);
    expect(zstdManifest.config).toEqual(image.config);
    expect(zstdManifest.layers).toHaveLength(image.layers.length);
    for (const [i, layer] of zstdManifest.layers.entries()) {
      expect(layer.mediaType).toBe(LAYER_TYPES.ociZstd);
      expect(layer.digest).not.toBe(image.layers[i]?.digest);
      expect(magicOf(await registryBlobHead(registry, 'rt/zstd', layer.digest))).toBe('zstd');
    }
    expect(await registryDiffIds(registry, 'rt/zstd', zstdManifest)).toEqual(image.diffIds);
    // `zstd -d` of every stored layer gives back exactly the tar the diff_id names
    expect(await registryLayerContents(registry, 'rt/zstd', zstdManifest)).toEqual(image.diffIds);
  });

  it('skopeo reads the zstd image (inspect --raw, copy to oci:, decompression) and it unpacks to the same tree', async () => {
    const stored = await registryManifest(registry, 'rt/zstd', 'v1');
    expect(await skopeoInspectRaw(registry, 'rt/zstd:v1')).toBe(stored.bytes.toString('utf8'));
    const layout = await skopeoToLayout(registry, 'rt/zstd:v1', 'v1');
    const copied = JSON.parse((await layoutManifest(layout, 'v1')).bytes.toString('utf8')) as ManifestDoc;
    expect(copied.layers.map((l) => l.mediaType)).toEqual(zstdManifest.layers.map(() => LAYER_TYPES.ociZstd));
    expect(await layoutLayerContents(layout, copied)).toEqual(image.diffIds);
    // umoci 0.4.7 refuses +zstd layers, so skopeo decompresses them on the way to umoci:
    // each uncompressed blob is then named by its diff_id
    const plain = await skopeoDecompressedLayout(registry, 'rt/zstd:v1', 'v1');
    const decompressed = JSON.parse((await layoutManifest(plain, 'v1')).bytes.toString('utf8')) as ManifestDoc;
    expect(decompressed.layers.map((l) => l.digest)).toEqual(image.diffIds);
    expect(await umociTree(plain, 'v1')).toEqual(sourceTree);
  });

  it('zstd → gzip, registry → registry: gzip layers again, same content, same config', async () => {
    // --no-cache: the blob cache knows the source's own gzip layers for this content and would mount them
    const run = await ferryOk(['copy', '--quiet', '--no-cache', '--dest-compress-format', 'gzip', ref('rt/zstd:v1'), ref('rt/gzip:v1')]);
    const stored = await registryManifest(registry, 'rt/gzip', 'v1');
    expect(run.stdout.trim()).toBe(stored.digest);
    const manifest = JSON.parse(stored.bytes.toString('utf8')) as ManifestDoc;
    expect(manifest.mediaType).toBe(MANIFEST_TYPES.ociManifest);
    expect(manifest.config).toEqual(image.config);
    for (const [i, layer] of manifest.layers.entries()) {
      expect(layer.mediaType).toBe(LAYER_TYPES.ociGzip);
      expect(layer.digest).not.toBe(zstdManifest.layers[i]?.digest);
      expect(magicOf(await registryBlobHead(registry, 'rt/gzip', layer.digest))).toBe('gzip');
    }
    expect(await registryLayerContents(registry, 'rt/gzip', manifest)).toEqual(image.diffIds);
    const layout = await skopeoToLayout(registry, 'rt/gzip:v1', 'v1');
    expect(await umociTree(layout, 'v1')).toEqual(sourceTree);
  });

  it('zstd → gzip on the node:zlib backend (FERRY_GZIP_BACKEND=zlib): other bytes, same content, and skopeo reads it', async () => {
    // --no-cache: as above, the encoder is what is compared
    const run = await ferryOk(['copy', '--quiet', '--no-cache', '--dest-compress-format', 'gzip', ref('rt/zstd:v1'), ref('rt/gzip-zlib:v1')], {
      env: { FERRY_GZIP_BACKEND: 'zlib' },
    });
    const stored = await registryManifest(registry, 'rt/gzip-zlib', 'v1');
    expect(run.stdout.trim()).toBe(stored.digest);
    const manifest = JSON.parse(stored.bytes.toString('utf8')) as ManifestDoc;
    const libdeflate = JSON.parse((await registryManifest(registry, 'rt/gzip', 'v1')).bytes.toString('utf8')) as ManifestDoc;
    // two compressors, two encodings of one content
    expect(manifest.layers.map((l) => l.digest)).not.toEqual(libdeflate.layers.map((l) => l.digest));
    expect(await registryLayerContents(registry, 'rt/gzip-zlib', manifest)).toEqual(image.diffIds);
    const layout = await skopeoToLayout(registry, 'rt/gzip-zlib:v1', 'v1');
    expect(await umociTree(layout, 'v1')).toEqual(sourceTree);
  });

  it('zstd → gzip into an OCI layout: gzip layers of unchanged content that umoci unpacks to the same tree', async () => {
    const layout = join(await scratchDir('rt-layout'), 'layout');
    const mark = await registry.mark();
    const run = await ferryOk(['copy', '--quiet', '--dest-compress-format', 'gzip', ref('rt/zstd:v1'), `oci:${layout}:v1`]);
    // the config is read once, for its diff_ids; writing it reuses those bytes
    const configReads = (await registry.accessLog(mark)).filter((e) => e.method === 'GET' && e.uri === `/v2/rt/zstd/blobs/${image.config.digest}`);
    expect(configReads).toHaveLength(1);
    const { bytes, descriptor } = await layoutManifest(layout, 'v1');
    expect(run.stdout.trim()).toBe(descriptor.digest);
    const manifest = JSON.parse(bytes.toString('utf8')) as ManifestDoc;
    expect(manifest.config).toEqual(image.config);
    expect(JSON.parse(await readFile(join(layout, 'blobs', 'sha256', image.config.digest.slice(7)), 'utf8'))).toEqual(image.configJson);
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(image.layers.map(() => LAYER_TYPES.ociGzip));
    expect(await layoutLayerContents(layout, manifest)).toEqual(image.diffIds);
    expect(await umociTree(layout, 'v1')).toEqual(sourceTree);
  });

  it('gzip → zstd from an OCI layout into the registry gives the same layers as registry → registry', async () => {
    const run = await ferryOk(['copy', '--quiet', '--dest-compress-format', 'zstd', image.ociRef, ref('rt/zstd-from-layout:v1')]);
    const stored = await registryManifest(registry, 'rt/zstd-from-layout', 'v1');
    expect(run.stdout.trim()).toBe(stored.digest);
    const manifest = JSON.parse(stored.bytes.toString('utf8')) as ManifestDoc;
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(image.layers.map(() => LAYER_TYPES.ociZstd));
    expect(await registryLayerContents(registry, 'rt/zstd-from-layout', manifest)).toEqual(image.diffIds);
  });
});
