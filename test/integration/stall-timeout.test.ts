// The stall timeout against the real registry, with the fault proxy in front of it to
// make a connection go quiet: a stalled download resumes by Range after the timeout
// and the copy completes; a destination that stops reading an upload fails the copy
// after the timeout with one line naming the destination and the blob.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copy } from '../../src/copy/copy.js';
import { FerryError } from '../../src/errors.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { describeRun, oneLineError, runFerry } from '../support/ferry-cli.js';
import { pushWithSkopeo } from '../support/fixtures.js';
import { buildLargeImage, type LargeImage } from '../support/location-fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { readOciLayout } from '../support/stored-image.js';

let registry: RunningRegistry;
let proxy: FaultProxy;
let small: LargeImage;
let large: LargeImage;

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry);
  small = await buildLargeImage({ size: 2 * 1024 * 1024, seed: 'stall-download' });
  // bigger than what the kernel buffers of two loopback sockets absorb, so the sender blocks
  large = await buildLargeImage({ size: 24 * 1024 * 1024, seed: 'stall-upload' });
  await pushWithSkopeo(small.ociRef, registry, 'stall/down:v1');
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await registry?.stop();
});

describe('a stalled download', () => {
  it('is dropped after --stall-timeout and resumed with a Range request', async () => {
    const layer = small.layers[0]!;
    proxy.resetRequests();
    proxy.setRules([{ method: 'GET', uri: `/blobs/${layer.digest}`, times: 1, action: { kind: 'stall', afterBytes: 512 * 1024 } }]);
    const out = join(await scratchDir('stall-down'), 'layout');
    const run = await runFerry(['copy', '--quiet', '--stall-timeout', '1', `docker://${proxy.ref('stall/down:v1')}`, `oci:${out}:v1`]);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout.trim()).toBe(small.digest);
    const gets = proxy.requests().filter((r) => r.method === 'GET' && r.uri.includes(`/blobs/${layer.digest}`));
    expect(gets.map((g) => g.fault ?? 'ok')).toEqual(['stall', 'ok']);
    expect(gets[1]?.range).toMatch(/^bytes=\d+-$/);
    expect(Number(/^bytes=(\d+)-$/.exec(gets[1]?.range ?? '')?.[1])).toBeGreaterThan(0);
    const stored = await readOciLayout(out, 'v1');
    expect(stored.digest).toBe(small.digest);
  });
});

describe('a stalled upload', () => {
  it('fails after the stall timeout, naming the destination and the blob (library option)', async () => {
    const layer = large.layers[0]!;
    proxy.setRules([{ method: 'PUT', uri: new RegExp(`digest=sha256(%3A|:)${layer.digest.slice('sha256:'.length)}`), action: { kind: 'swallow' } }]);
    const dest = `docker://${proxy.ref('stall/up:v1')}`;
    const e = await copy(large.ociRef, dest, { stallTimeoutMs: 1000, retryTimes: 0 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(FerryError);
    expect((e as FerryError).code).toBe('ERR_TIMEOUT');
    expect((e as FerryError).message).toBe(`uploading blob ${layer.digest} to ${dest}: the destination read nothing for 1 s (stall timeout); giving up on this upload`);
  });

  it('fails the CLI copy with one line, also after a retry', async () => {
    const layer = large.layers[0]!;
    proxy.resetRequests();
    proxy.setRules([{ method: 'PUT', uri: new RegExp(`digest=sha256(%3A|:)${layer.digest.slice('sha256:'.length)}`), action: { kind: 'swallow' } }]);
    const dest = `docker://${proxy.ref('stall/up2:v1')}`;
    const run = await runFerry(['copy', '--quiet', '--stall-timeout', '0.5', '--retry-times', '1', large.ociRef, dest]);
    expect(oneLineError(run)).toBe(`ferry: [ERR_TIMEOUT] uploading blob ${layer.digest} to ${dest}: the destination read nothing for 0.5 s (stall timeout); giving up on this upload`);
    expect(proxy.requests().filter((r) => r.method === 'PUT' && r.fault === 'swallow')).toHaveLength(2);
  });
});
