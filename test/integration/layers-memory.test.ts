// Layers stream: `ferry layers` and `ferry ls` of a 200 MiB single-layer image (read
// from a real registry) need about as much memory (peak RSS of the whole process at
// exit) as the same commands on a tiny image. A budget in MB is not asserted here;
// bench/layers-bench.mjs measures absolute figures.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/ferry-cli.js';
import { pushWithSkopeo } from '../support/fixtures.js';
import { buildLargeImage, type LargeImage } from '../support/location-fixtures.js';
import { ferryPeakRss } from '../support/peak-rss.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';

const LAYER_BYTES = 200 * 1024 * 1024;
const FIXTURE_LAYOUT = join(REPO_ROOT, 'fixtures', 'hello-oci');

describe('peak memory of reading layers', () => {
  let registry: RunningRegistry;
  let image: LargeImage;
  let work: string;

  beforeAll(async () => {
    [registry, image, work] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      buildLargeImage({ size: LAYER_BYTES, seed: `layers-rss-${Date.now()}` }),
      scratchDir('layers-rss'),
    ]);
    await pushWithSkopeo(image.ociRef, registry, 'big/layers:v1');
  }, 180_000);
  afterAll(async () => {
    await registry?.stop();
  });

  it('a 200 MiB layer is walked in about the memory of a tiny image', async () => {
    const big = `docker://${registry.ref('big/layers:v1')}`;
    const tiny = `oci:${FIXTURE_LAYOUT}:latest`;
    const bigLayers = await ferryPeakRss(work, 'layers-big', ['layers', '--format', 'json', big]);
    const tinyLayers = await ferryPeakRss(work, 'layers-tiny', ['layers', '--format', 'json', tiny]);
    const bigLs = await ferryPeakRss(work, 'ls-big', ['ls', big]);
    const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
    console.log(`peak RSS: layers of a ${LAYER_BYTES / 1024 / 1024} MiB layer ${mb(bigLayers.peak)}, ls ${mb(bigLs.peak)}; tiny image ${mb(tinyLayers.peak)}`);

    // the walk really read the whole layer
    const report = JSON.parse(bigLayers.stdout) as { total: { uncompressedSize: number; addedBytes: number } };
    expect(report.total.addedBytes).toBe(LAYER_BYTES);
    expect(report.total.uncompressedSize).toBeGreaterThan(LAYER_BYTES);
    expect(bigLs.stdout).toContain('/data/random-0.bin');
    // streaming: the layer is never held whole
    expect(bigLayers.peak - tinyLayers.peak).toBeLessThan(LAYER_BYTES / 2);
    expect(bigLs.peak - tinyLayers.peak).toBeLessThan(LAYER_BYTES / 2);
  }, 180_000);
});
