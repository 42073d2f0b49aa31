// Blobs stream: a registry → registry copy of a 200 MiB single-layer image of random
// bytes needs about as much memory (peak RSS of the whole process, as getrusage reports
// it at exit) as a copy of a tiny image. The two registries are separate hosts, so the
// layer really passes through ferry instead of being mounted. Absolute figures, against
// skopeo's, are measured by bench/copy-bench.mjs; a budget in MB is not asserted here.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/ferry-cli.js';
import { ferryPeakRss } from '../support/peak-rss.js';
import { pushWithSkopeo } from '../support/fixtures.js';
import { probe } from '../support/http-probe.js';
import { buildLargeImage, type LargeImage } from '../support/location-fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { runCommand } from '../support/run-command.js';
import { scratchDir } from '../support/scratch.js';
import { skopeoInspectRaw, skopeoRegistryFlags } from '../support/skopeo.js';

const LAYER_BYTES = 200 * 1024 * 1024;
const FIXTURE_LAYOUT = join(REPO_ROOT, 'fixtures', 'hello-oci');

describe('peak memory of a large copy', () => {
  let source: RunningRegistry;
  let target: RunningRegistry;
  let image: LargeImage;
  let work: string;

  beforeAll(async () => {
    [source, target, image, work] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      startRegistry({ mode: 'plain' }),
      buildLargeImage({ size: LAYER_BYTES, seed: `rss-${Date.now()}` }),
      scratchDir('rss'),
    ]);
    await pushWithSkopeo(image.ociRef, source, 'big/image:v1');
  }, 180_000);
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  /** Runs a ferry copy and returns its peak RSS in bytes. */
  async function peakRss(from: string, to: string): Promise<{ digest: string; peak: number }> {
    const { stdout, peak } = await ferryPeakRss(work, 'copy', ['copy', '--quiet', from, to]);
    return { digest: stdout, peak };
  }

  /** skopeo's peak for the same copy, measured by GNU time, for the record. */
  async function skopeoPeakRss(from: string, to: string): Promise<number> {
    await writeFile(join(work, 'policy.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    const timed = await runCommand('/usr/bin/time', [
      '-v', 'skopeo', '--policy', join(work, 'policy.json'), 'copy', '--quiet',
      ...skopeoRegistryFlags(source, 'src'), ...skopeoRegistryFlags(target, 'dest'), from, to,
    ], { timeoutMs: 170_000 });
    return Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(timed.stderr)?.[1] ?? NaN) * 1024;
  }

  it('a 200 MiB layer streams registry → registry in about the memory of a tiny image', async () => {
    const big = await peakRss(`docker://${source.ref('big/image:v1')}`, `docker://${target.ref('big/image:v1')}`);
    expect(big.digest).toBe(image.digest);
    // the same copy of a tiny image: what the process needs before any data flows
    const tiny = await peakRss(`oci:${FIXTURE_LAYOUT}:latest`, `docker://${target.ref('big/tiny:v1')}`);
    const skopeoPeak = await skopeoPeakRss(`docker://${source.ref('big/image:v1')}`, `docker://${target.ref('big/skopeo:v1')}`);
    const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
    console.log(`peak RSS, ${LAYER_BYTES / 1024 / 1024} MiB registry → registry: ferry ${mb(big.peak)} (tiny image: ${mb(tiny.peak)}), skopeo ${mb(skopeoPeak)}`);

    // streaming: the layer is never held whole, so the peak hardly depends on its size
    expect(big.peak - tiny.peak).toBeLessThan(LAYER_BYTES / 2);
    // the layer arrived whole: the registry checked its digest on the upload
    const layer = image.layers[0];
    const head = await probe(`${target.url}/v2/big/image/blobs/${layer?.digest}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(layer?.size);
    expect(await skopeoInspectRaw(target, 'big/image:v1')).toBe(image.manifestBytes.toString());
  }, 180_000);
});
