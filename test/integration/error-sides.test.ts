// Every failure names the side it happened on. A blob missing at the source (its file
// removed from the real registry's storage) is reported as a failed read of the
// source, with the digest, the status and the registry's code, never as a failure to
// reach the destination. distribution answers such a blob 404 BLOB_UNKNOWN when its
// blob descriptor cache is off, and 200 followed by a closed connection when the
// cache still knows the blob: both are covered.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildImage, pushWithSkopeo, type BuiltImage } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';

let uncached: RunningRegistry;
let cached: RunningRegistry;
let proxy: FaultProxy;
let image: BuiltImage;

async function removeLayerFile(registry: RunningRegistry): Promise<void> {
  const hex = image.layers[0]!.digest.slice('sha256:'.length);
  await rm(join(registry.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex), { recursive: true });
}

beforeAll(async () => {
  [uncached, cached] = await Promise.all([startRegistry({ blobDescriptorCache: false }), startRegistry()]);
  proxy = await startFaultProxy(uncached);
  image = await buildImage({ tag: 'v1' });
  await Promise.all([pushWithSkopeo(image, uncached, 'sides/src:v1'), pushWithSkopeo(image, cached, 'sides/src:v1')]);
  await Promise.all([removeLayerFile(uncached), removeLayerFile(cached)]);
});

afterAll(async () => {
  await proxy?.close();
  await Promise.all([uncached?.stop(), cached?.stop()]);
});

describe('a blob missing at the source', () => {
  it('answered 404 BLOB_UNKNOWN: named as a source read when copying to another registry', async () => {
    const source = `docker://${uncached.ref('sides/src:v1')}`;
    // through the proxy the destination is another registry as far as ferry knows, so it streams instead of mounting
    const dest = `docker://${proxy.ref('sides/dst:v1')}`;
    const mark = await uncached.mark();
    const line = oneLineError(await runFerry(['copy', '--quiet', '--retry-times', '0', source, dest]));
    expect(line).toBe(`ferry: [ERR_NOT_FOUND] reading blob ${image.layers[0]!.digest} from ${source}: HTTP 404 BLOB_UNKNOWN: blob unknown to registry`);
    expect(line).not.toContain(proxy.host);
    // upload sessions open while the source is read: none is left behind by the failure
    const uploads = (await uncached.accessLog(mark)).filter((e) => e.path.startsWith('/v2/sides/dst/blobs/uploads/'));
    const opened = uploads.filter((e) => e.method === 'POST' && e.status === 202).length;
    const closed = uploads.filter((e) => (e.method === 'PUT' && e.status === 201) || (e.method === 'DELETE' && e.status === 204)).length;
    expect(opened, uploads.map((e) => `${e.method} ${e.status}`).join(', ')).toBeGreaterThan(0);
    expect(closed, uploads.map((e) => `${e.method} ${e.status}`).join(', ')).toBe(opened);
  });

  it('answered 404 BLOB_UNKNOWN: named as a source read when copying to a layout', async () => {
    const source = `docker://${uncached.ref('sides/src:v1')}`;
    const out = join(await scratchDir('sides'), 'layout');
    const line = oneLineError(await runFerry(['copy', '--quiet', '--retry-times', '0', source, `oci:${out}:v1`]));
    expect(line).toBe(`ferry: [ERR_NOT_FOUND] reading blob ${image.layers[0]!.digest} from ${source}: HTTP 404 BLOB_UNKNOWN: blob unknown to registry`);
  });

  it('cut off after its headers: named as a source read, also after retries', async () => {
    const source = `docker://${cached.ref('sides/src:v1')}`;
    const dest = `docker://${proxy.ref('sides/dst2:v1')}`;
    for (const target of [dest, `oci:${join(await scratchDir('sides-cut'), 'layout')}:v1`]) {
      const line = oneLineError(await runFerry(['copy', '--quiet', '--retry-times', '1', source, target]));
      expect(line).toMatch(new RegExp(`^ferry: \\[ERR_NETWORK\\] reading blob ${image.layers[0]!.digest} from ${source.replace(/[.]/g, '\\.')}: the connection broke after 0 of ${image.layers[0]!.size} bytes`));
    }
  });
});
