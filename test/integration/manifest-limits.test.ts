// Manifests over 4 MiB are refused wherever they come from: a registry (distribution
// itself neither stores nor serves one, so the fault proxy in front of it answers the
// manifest GET), an OCI layout, an oci-archive and a dir: image. The refusal is one
// line naming the location, the tag or digest and the size, and comes before parsing.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MANIFEST_BYTES } from '../../src/oci/limits.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { describeRun, oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildImage, type BuiltImage } from '../support/fixtures.js';
import { ociArchiveOf } from '../support/location-fixtures.js';
import { sha256, tagInLayout, writeBlob } from '../support/oci-layout-writer.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';

let registry: RunningRegistry;
let proxy: FaultProxy;
let image: BuiltImage;
let big: Buffer;
let bigDigest: string;

/** The fixture's manifest with an annotation that takes it past the limit. */
function oversized(base: BuiltImage): Buffer {
  const doc = { ...base.manifest, annotations: { pad: 'x'.repeat(MAX_MANIFEST_BYTES) } };
  return Buffer.from(JSON.stringify(doc));
}

beforeAll(async () => {
  registry = await startRegistry();
  image = await buildImage({ tag: 'v1' });
  big = oversized(image);
  bigDigest = sha256(big);
  proxy = await startFaultProxy(registry);
  await writeBlob(image.layoutPath, big, image.mediaType);
  await tagInLayout(image.layoutPath, { mediaType: image.mediaType, digest: bigDigest, size: big.length }, 'big');
});

afterAll(async () => {
  await proxy?.close();
  await registry?.stop();
});

function expectTooLarge(line: string, where: string, name: string, size = big.length): void {
  expect(line).toContain(where);
  expect(line).toContain(name);
  expect(line).toContain(`is ${size} bytes, over the 4 MiB limit for manifests`);
}

describe('manifests over 4 MiB', () => {
  it('are refused from a registry by Content-Length, before the body is read', async () => {
    proxy.setRules([{ method: 'GET', uri: '/manifests/big', action: { kind: 'respond', body: big, contentType: image.mediaType } }]);
    const out = join(await scratchDir('limits'), 'out');
    const run = await runFerry(['copy', '--quiet', `docker://${proxy.ref('limits/app:big')}`, `oci:${out}:big`]);
    expectTooLarge(oneLineError(run), `docker://${proxy.ref('limits/app:big')}`, 'manifest big');
  });

  it('are refused from a registry that sends no Content-Length, once the limit is passed', async () => {
    proxy.setRules([{ method: 'GET', uri: `/manifests/${bigDigest}`, action: { kind: 'respond', body: big, contentType: image.mediaType, chunked: true } }]);
    const run = await runFerry(['inspect', '--raw', `docker://${proxy.ref(`limits/app@${bigDigest}`)}`]);
    expect(oneLineError(run)).toContain(`manifest ${bigDigest} of docker://${proxy.ref(`limits/app@${bigDigest}`)} is more than ${MAX_MANIFEST_BYTES} bytes, over the 4 MiB limit`);
  });

  it('are refused from an OCI layout and an oci-archive', async () => {
    const run = await runFerry(['inspect', '--raw', `oci:${image.layoutPath}:big`]);
    expectTooLarge(oneLineError(run), image.layoutPath, `manifest ${bigDigest}`);
    const archive = await ociArchiveOf({ layoutPath: image.layoutPath, tag: 'big' });
    const fromArchive = await runFerry(['inspect', '--raw', archive]);
    expectTooLarge(oneLineError(fromArchive), archive.replace(/:big$/, ''), `manifest ${bigDigest}`);
  });

  it('are refused from a dir: image', async () => {
    const dir = await scratchDir('limits-dir');
    await writeFile(join(dir, 'manifest.json'), big);
    await writeFile(join(dir, 'version'), 'Directory Transport Version: 1.1\n');
    const run = await runFerry(['inspect', '--raw', `dir:${dir}`]);
    expectTooLarge(oneLineError(run), dir, 'manifest.json');
  });

  it('a manifest of exactly 4 MiB is still read', async () => {
    const doc = { ...image.manifest, annotations: { pad: '' } };
    const padLength = MAX_MANIFEST_BYTES - Buffer.byteLength(JSON.stringify(doc));
    const exact = Buffer.from(JSON.stringify({ ...doc, annotations: { pad: 'y'.repeat(padLength) } }));
    expect(exact.length).toBe(MAX_MANIFEST_BYTES);
    await writeBlob(image.layoutPath, exact, image.mediaType);
    await tagInLayout(image.layoutPath, { mediaType: image.mediaType, digest: sha256(exact), size: exact.length }, 'exact');
    const run = await runFerry(['inspect', '--raw', `oci:${image.layoutPath}:exact`]);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdoutBytes.subarray(0, exact.length).equals(exact)).toBe(true);
  });
});
