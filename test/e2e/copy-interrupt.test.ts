// SIGINT and SIGKILL in the middle of a copy into an existing OCI layout (the source is
// the real registry behind the fault proxy, throttled so the copy is mid-blob when the
// signal lands). Afterwards index.json is valid JSON with only the entries it had, no
// tag points at an incomplete image, and a rerun completes and leaves no temp files.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { describeRun, ferryOk } from '../support/ferry-cli.js';
import { startFerry } from '../support/ferry-process.js';
import { buildImage, pushWithSkopeo, type BuiltImage } from '../support/fixtures.js';
import { buildLargeImage, type LargeImage } from '../support/location-fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { waitUntil } from '../support/wait-until.js';
import { scratchDir } from '../support/scratch.js';
import { leftoverTempFiles, readOciLayout } from '../support/stored-image.js';

const REF = 'org.opencontainers.image.ref.name';
let registry: RunningRegistry;
let proxy: FaultProxy;
let large: LargeImage;
let kept: BuiltImage;

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry);
  large = await buildLargeImage({ size: 6 * 1024 * 1024, layers: 2, seed: 'interrupt' });
  kept = await buildImage({ tag: 'keep' });
  await pushWithSkopeo(large.ociRef, registry, 'intr/big:v1');
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await registry?.stop();
});

async function tagsIn(layout: string): Promise<Record<string, string>> {
  // JSON.parse throws on a half-written index.json
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
  return Object.fromEntries(index.manifests.map((m) => [m.annotations?.[REF] ?? '', m.digest]));
}

async function expectComplete(layout: string): Promise<void> {
  const stored = await readOciLayout(layout, 'v1');
  expect(stored.digest).toBe(large.digest);
  for (const blob of stored.blobs) expect(blob.actual).toBe(blob.digest);
  expect(stored.blobs.map((b) => b.digest).sort()).toEqual([large.config.digest, ...large.layers.map((l) => l.digest)].sort());
}

/** A layout holding `keep`, and a copy of the large image into it, stopped by `signal` mid-blob. */
async function interruptedCopy(signal: NodeJS.Signals) {
  const layout = join(await scratchDir(`interrupt-${signal}`), 'layout');
  await ferryOk(['copy', '--quiet', kept.ociRef, `oci:${layout}:keep`]);
  proxy.setRules([{ method: 'GET', uri: '/blobs/', action: { kind: 'throttle', bytesPerSecond: 1024 * 1024 } }]);
  const ferry = startFerry(['copy', '--quiet', `docker://${proxy.ref('intr/big:v1')}`, `oci:${layout}:v1`]);
  // a layer is being written when its temp file has grown
  await waitUntil('a blob to be half written', async () => (await leftoverTempFiles(layout)).length > 0);
  ferry.child.kill(signal);
  const run = await ferry.exited;
  proxy.setRules([]);
  return { layout, run };
}

describe('a copy to oci: interrupted midway', () => {
  it('SIGINT: stops cleanly, the layout is as before, a rerun completes', async () => {
    const { layout, run } = await interruptedCopy('SIGINT');
    expect(run.code, describeRun(run)).not.toBe(0);
    expect(run.stderrLines.length).toBeLessThanOrEqual(2);
    expect(await tagsIn(layout)).toEqual({ keep: kept.digest });
    expect(await leftoverTempFiles(layout)).toEqual([]);
    const rerun = await ferryOk(['copy', '--quiet', `docker://${proxy.ref('intr/big:v1')}`, `oci:${layout}:v1`]);
    expect(rerun.stdout.trim()).toBe(large.digest);
    expect(await tagsIn(layout)).toEqual({ keep: kept.digest, v1: large.digest });
    await expectComplete(layout);
    expect(await leftoverTempFiles(layout)).toEqual([]);
  });

  it('SIGKILL: the layout keeps its entries, and a rerun completes and sweeps the dead temp files', async () => {
    const { layout, run } = await interruptedCopy('SIGKILL');
    expect(run.signal).toBe('SIGKILL');
    expect(await tagsIn(layout)).toEqual({ keep: kept.digest });
    expect((await leftoverTempFiles(layout)).length).toBeGreaterThan(0);
    const rerun = await ferryOk(['copy', '--quiet', `docker://${proxy.ref('intr/big:v1')}`, `oci:${layout}:v1`]);
    expect(rerun.stdout.trim()).toBe(large.digest);
    expect(await tagsIn(layout)).toEqual({ keep: kept.digest, v1: large.digest });
    await expectComplete(layout);
    expect(await leftoverTempFiles(layout)).toEqual([]);
  });
});
