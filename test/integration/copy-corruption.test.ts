// Faults between ferry and a real registry, injected by test/support/fault-proxy.ts:
// a flipped byte in a blob must fail the copy, naming the blob and both digests, with
// nothing tagged; a connection cut midway through a blob resumes by Range; a burst of
// 503s on uploads is retried. The proxy and the registry are separate hosts to ferry,
// so blobs stream through the proxy rather than being mounted.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatAccessLog } from '../support/access-log.js';
import { describeRun, ferryOk, oneLineError, runFerry } from '../support/ferry-cli.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { buildImage, pushWithSkopeo, type BuiltImage } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { skopeoInspectRaw } from '../support/skopeo.js';
import { leftoverTempFiles, manifestStatus, readRegistryImage } from '../support/stored-image.js';

describe('copy through a faulty connection', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let image: BuiltImage;
  /** The big layer, the one the faults aim at. */
  let layer: BuiltImage['layers'][number];

  beforeAll(async () => {
    [registry, image] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      buildImage({ layers: [{ files: { 'etc/small.txt': 'small\n' } }, { random: { size: 1024 * 1024, seed: 'corruption' } }] }),
    ]);
    proxy = await startFaultProxy(registry);
    await pushWithSkopeo(image, registry, 'faults/source:v1');
    const big = image.layers.reduce((a, b) => (b.size > a.size ? b : a));
    layer = big;
  });
  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });
  beforeEach(() => {
    proxy.setRules([]);
    proxy.resetRequests();
  });

  const viaProxy = (repoTag: string): string => `docker://${proxy.ref(repoTag)}`;
  const direct = (repoTag: string): string => `docker://${registry.ref(repoTag)}`;

  it('fails on a flipped byte, naming the blob and both digests, and tags nothing', async () => {
    proxy.setRules([{ method: 'GET', uri: `/blobs/${layer.digest}`, action: { kind: 'flip-byte' } }]);
    const mark = await registry.mark();
    const run = await runFerry(['copy', '--quiet', viaProxy('faults/source:v1'), direct('faults/flipped:v1')]);
    const line = oneLineError(run);
    expect(run.code).toBe(1);
    expect(line).toContain(layer.digest);
    expect(line).toMatch(new RegExp(`expected ${layer.digest}, got sha256:[a-f0-9]{64}`));
    expect(line).not.toMatch(new RegExp(`got ${layer.digest}`));
    expect(proxy.requests().some((r) => r.fault === 'flip-byte')).toBe(true);
    // Nothing is tagged, and no manifest at all went to the destination.
    expect(await manifestStatus(registry, 'faults/flipped', 'v1')).toBe(404);
    const log = await registry.accessLog(mark);
    expect(log.filter((e) => e.method === 'PUT' && e.path.includes('/manifests/')), formatAccessLog(log)).toEqual([]);
    // The corrupt blob never became visible under its digest.
    expect((await registry.accessLog(mark)).some((e) => e.method === 'PUT' && e.uri.includes(encodeURIComponent(layer.digest)) && e.status === 201)).toBe(false);
  });

  it('fails on a flipped byte into an OCI layout, leaving no index.json, blob or temp file', async () => {
    proxy.setRules([{ method: 'GET', uri: `/blobs/${layer.digest}`, action: { kind: 'flip-byte', offset: 10 } }]);
    const dir = await scratchDir('corrupt-layout');
    const layout = join(dir, 'layout');
    const run = await runFerry(['copy', '--quiet', viaProxy('faults/source:v1'), `oci:${layout}:v1`]);
    expect(oneLineError(run)).toMatch(new RegExp(`${layer.digest}.*expected ${layer.digest}, got sha256:`));
    // The layout did not exist before, so nothing of it may be left.
    expect(await readdir(dir)).toEqual([]);
    expect(await leftoverTempFiles(dir)).toEqual([]);
  });

  it('resumes a blob download cut midway with a Range request, and the copy succeeds', async () => {
    const cutAt = Math.floor(layer.size / 3);
    proxy.setRules([{ method: 'GET', uri: `/blobs/${layer.digest}`, times: 1, action: { kind: 'cut', afterBytes: cutAt } }]);
    const run = await ferryOk(['copy', '--quiet', viaProxy('faults/source:v1'), direct('faults/resumed:v1')]);
    expect(run.stdout.trim()).toBe(image.digest);
    const gets = proxy.requests().filter((r) => r.method === 'GET' && r.uri.includes(`/blobs/${layer.digest}`));
    expect(gets.map((g) => g.fault ?? 'none')).toEqual(['cut', 'none']);
    expect(gets[0]?.range).toBeUndefined();
    const from = Number(/^bytes=(\d+)-$/.exec(gets[1]?.range ?? '')?.[1]);
    expect(from, JSON.stringify(gets)).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(cutAt);
    expect(gets[1]?.status).toBe(206);
    const stored = await readRegistryImage(registry, 'faults/resumed', 'v1');
    expect(stored.digest).toBe(image.digest);
    for (const blob of stored.blobs) expect(blob.actual).toBe(blob.digest);
  });

  it('retries a burst of 503s on uploads and succeeds', async () => {
    proxy.setRules([
      { method: 'POST', uri: '/v2/faults/burst/blobs/uploads/', times: 2, action: { kind: 'status', status: 503 } },
      { method: 'PUT', uri: '/v2/faults/burst/blobs/uploads/', times: 2, action: { kind: 'status', status: 503 } },
    ]);
    // --no-cache: the blobs are in other repositories already; this is about uploads
    const run = await ferryOk(['copy', '--progress', 'json', '--no-cache', image.ociRef, viaProxy('faults/burst:v1')], { timeoutMs: 90_000 });
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; digest?: string });
    expect(events.at(-1)).toMatchObject({ type: 'done', digest: image.digest });
    // Failed PUTs restart the blob from the source (a consumed stream is never replayed).
    expect(events.filter((e) => e.type === 'blob-retry').length, describeRun(run)).toBeGreaterThanOrEqual(1);
    const injected = proxy.requests().filter((r) => r.fault === 'status');
    expect(injected.map((r) => `${r.method} ${r.status}`).sort()).toEqual(['POST 503', 'POST 503', 'PUT 503', 'PUT 503']);
    expect(await skopeoInspectRaw(registry, 'faults/burst:v1')).toBe(image.manifestBytes.toString());
    const stored = await readRegistryImage(registry, 'faults/burst', 'v1');
    for (const blob of stored.blobs) expect(blob.actual).toBe(blob.digest);
  });

  it('gives up on a lasting 503 with one line and tags nothing', async () => {
    proxy.setRules([{ method: 'PUT', uri: '/v2/faults/down/blobs/uploads/', action: { kind: 'status', status: 503 } }]);
    const run = await runFerry(['copy', '--quiet', '--no-cache', '--retry-times', '1', image.ociRef, viaProxy('faults/down:v1')], { timeoutMs: 90_000 });
    expect(oneLineError(run)).toMatch(/503/);
    expect(await manifestStatus(registry, 'faults/down', 'v1')).toBe(404);
  });
});
