// Interop of ferry's local location kinds with skopeo 1.9, in both directions: what
// ferry writes skopeo must read (and copy onwards), and what skopeo writes ferry must
// read with the same manifest and blob digests. skopeo missing is a failure, not a skip.
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RawManifest } from '../../src/oci/manifest.js';
import { parseManifest } from '../../src/oci/manifest.js';
import { parseLocation } from '../../src/reference/location.js';
import type { LocalLocation } from '../../src/transport/open-local.js';
import { openLocalDestination, openLocalSource } from '../../src/transport/open-local.js';
import type { ImageSource } from '../../src/transport/types.js';
import { skopeo } from '../support/skopeo.js';
import { HELLO, HELLO_DIGEST, MULTI, MULTI_DIGEST, blobsOf, copyLoop, readAll, sha256, tempDir } from '../unit/transport/helpers.js';

const HELLO_LOC = `oci:${HELLO}:latest`;
const local = (spec: string): LocalLocation => parseLocation(spec) as LocalLocation;

async function copyFrom(from: string | LocalLocation, to: string | LocalLocation): Promise<RawManifest> {
  const src = await openLocalSource(typeof from === 'string' ? local(from) : from);
  const dest = await openLocalDestination(typeof to === 'string' ? local(to) : to);
  try {
    return await copyLoop(src, dest);
  } finally {
    await src.close();
  }
}

async function inspectRaw(location: string): Promise<Buffer> {
  return Buffer.from(await skopeo(['inspect', '--raw', location]), 'utf8');
}

/** Every blob the source serves hashes to the digest its manifest claims. */
async function expectConsistent(src: ImageSource, raw: RawManifest): Promise<void> {
  expect(sha256(raw.bytes)).toBe(raw.digest);
  const blobs = blobsOf(raw);
  expect(blobs.length).toBeGreaterThan(1);
  for (const d of blobs) {
    const bytes = await readAll((await src.getBlob(d)).stream);
    expect(sha256(bytes)).toBe(d.digest);
    expect(bytes.length).toBe(d.size);
  }
}

async function fixtureConfig(): Promise<{ digest: string; diffIds: string[] }> {
  const m = parseManifest(await readFile(join(HELLO, 'blobs/sha256', HELLO_DIGEST.slice(7))));
  if (m.kind !== 'image') throw new Error('fixture is not an image');
  const config = JSON.parse(await readFile(join(HELLO, 'blobs/sha256', m.config.digest.slice(7)), 'utf8')) as { rootfs: { diff_ids: string[] } };
  return { digest: m.config.digest, diffIds: config.rootfs.diff_ids };
}

describe('ferry writes, skopeo reads', () => {
  it('oci: layout — skopeo sees the same manifest bytes and copies it onwards', async () => {
    const dir = await tempDir();
    const root = await copyFrom(HELLO_LOC, `oci:${dir}/out:v1`);
    expect(await inspectRaw(`oci:${dir}/out:v1`)).toEqual(Buffer.from(root.bytes));
    await skopeo(['copy', '--quiet', `oci:${dir}/out:v1`, `oci:${dir}/again:x`]);
    const again = await openLocalSource(local(`oci:${dir}/again:x`));
    expect((await again.getManifest(undefined)).digest).toBe(HELLO_DIGEST);
  });

  it('oci: layout with an index — skopeo copies all platforms', async () => {
    const dir = await tempDir();
    await copyFrom(`oci:${MULTI}:latest`, `oci:${dir}/out:multi`);
    const raw = await inspectRaw(`oci:${dir}/out:multi`);
    expect(sha256(raw)).toBe(MULTI_DIGEST);
    await skopeo(['copy', '--quiet', '--all', `oci:${dir}/out:multi`, `oci:${dir}/again:m`]);
    const again = await openLocalSource(local(`oci:${dir}/again:m`));
    const root = await again.getManifest(undefined);
    expect(root.digest).toBe(MULTI_DIGEST);
    const index = parseManifest(root.bytes);
    if (index.kind !== 'index') throw new Error('expected an index');
    for (const c of index.manifests) await expectConsistent(again, await again.getManifest(c.digest));
  });

  it('oci-archive: — skopeo inspects and copies it', async () => {
    const dir = await tempDir();
    const root = await copyFrom(HELLO_LOC, `oci-archive:${dir}/img.tar:v1`);
    expect(await inspectRaw(`oci-archive:${dir}/img.tar:v1`)).toEqual(Buffer.from(root.bytes));
    await skopeo(['copy', '--quiet', `oci-archive:${dir}/img.tar:v1`, `oci:${dir}/out:v1`]);
    expect(sha256(await inspectRaw(`oci:${dir}/out:v1`))).toBe(HELLO_DIGEST);
  });

  it('docker-archive: — skopeo reads the tag, config and layers', async () => {
    const dir = await tempDir();
    const file = join(dir, 'img.tar');
    const dest: LocalLocation = { kind: 'docker-archive', path: file, ref: 'repo/name:tag' };
    const root = await copyFrom(HELLO_LOC, dest);
    const { digest: configDigest } = await fixtureConfig();
    const inspected = JSON.parse(await skopeo(['inspect', `docker-archive:${file}`])) as { RepoTags: string[]; Layers: string[]; Architecture: string };
    expect(inspected.Architecture).toBe('amd64');
    expect(inspected.Layers).toHaveLength(2);
    const raw = parseManifest(await inspectRaw(`docker-archive:${file}:repo/name:tag`));
    if (raw.kind !== 'image') throw new Error('expected an image');
    expect(raw.config.digest).toBe(configDigest);
    // skopeo copies it on (to dir:, which keeps a Docker manifest as it is); skopeo's
    // docker-archive reader inflates layers, so they arrive as their diff IDs.
    await skopeo(['copy', '--quiet', `docker-archive:${file}:repo/name:tag`, `dir:${dir}/out`]);
    const out = await openLocalSource(local(`dir:${dir}/out`));
    const copied = await out.getManifest(undefined);
    const m = parseManifest(copied.bytes);
    if (m.kind !== 'image') throw new Error('expected an image');
    expect(m.config.digest).toBe(configDigest);
    expect(m.layers.map((l) => l.digest)).toEqual((await fixtureConfig()).diffIds);
    await expectConsistent(out, copied);
    expect(blobsOf(root)[0]!.digest).toBe(configDigest);
  });

  it('dir: — skopeo sees manifest.json byte for byte and copies it', async () => {
    const dir = await tempDir();
    const root = await copyFrom(HELLO_LOC, `dir:${dir}/img`);
    expect(await inspectRaw(`dir:${dir}/img`)).toEqual(Buffer.from(root.bytes));
    await skopeo(['copy', '--quiet', `dir:${dir}/img`, `oci:${dir}/out:v1`]);
    expect(sha256(await inspectRaw(`oci:${dir}/out:v1`))).toBe(HELLO_DIGEST);
  });
});

describe('skopeo writes, ferry reads', () => {
  for (const kind of ['oci', 'oci-archive', 'dir'] as const) {
    it(`${kind}: keeps the fixture's manifest digest and blob digests`, async () => {
      const dir = await tempDir();
      const target = kind === 'dir' ? `dir:${dir}/img` : `${kind}:${dir}/img${kind === 'oci-archive' ? '.tar' : ''}:v1`;
      await skopeo(['copy', '--quiet', HELLO_LOC, target]);
      const src = await openLocalSource(local(target));
      const root = await src.getManifest(undefined);
      expect(root.digest).toBe(HELLO_DIGEST);
      await expectConsistent(src, root);
      await src.close();
    });
  }

  it('oci: with an index copied --all', async () => {
    const dir = await tempDir();
    await skopeo(['copy', '--quiet', '--all', `oci:${MULTI}:latest`, `oci:${dir}/img:v1`]);
    const src = await openLocalSource(local(`oci:${dir}/img:v1`));
    const root = await src.getManifest(undefined);
    expect(root.digest).toBe(MULTI_DIGEST);
    const index = parseManifest(root.bytes);
    if (index.kind !== 'index') throw new Error('expected an index');
    for (const c of index.manifests) await expectConsistent(src, await src.getManifest(c.digest));
  });

  it('docker-archive: uncompressed layers described as stored, config unchanged', async () => {
    const dir = await tempDir();
    const file = join(dir, 'x.tar');
    await skopeo(['copy', '--quiet', HELLO_LOC, `docker-archive:${file}:repo/name:tag`]);
    const src = await openLocalSource({ kind: 'docker-archive', path: file, ref: 'repo/name:tag' });
    const root = await src.getManifest(undefined);
    expect(root.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const m = parseManifest(root.bytes);
    if (m.kind !== 'image') throw new Error('expected an image');
    const fixture = await fixtureConfig();
    expect(m.config.digest).toBe(fixture.digest);
    // skopeo stores layers uncompressed, so each stored file's digest is its diff ID.
    expect(m.layers.map((l) => l.mediaType)).toEqual(['application/vnd.docker.image.rootfs.diff.tar', 'application/vnd.docker.image.rootfs.diff.tar']);
    expect(m.layers.map((l) => l.digest)).toEqual(fixture.diffIds);
    await expectConsistent(src, root);
    // What ferry read, ferry writes on unchanged. (To dir:, because skopeo 1.9's oci:
    // reader ignores index.json entries with Docker media types.)
    await copyLoop(src, await openLocalDestination(local(`dir:${dir}/out`)));
    expect(sha256(await inspectRaw(`dir:${dir}/out`))).toBe(root.digest);
    await src.close();
  });
});

describe('failures leave destinations as they were', () => {
  it('a corrupted source blob fails putBlob, nothing is stored under its digest, index.json is untouched', async () => {
    const dir = await tempDir();
    const corrupt = join(dir, 'corrupt');
    await cp(HELLO, corrupt, { recursive: true });
    const layer = blobsOf({ bytes: await readFile(join(HELLO, 'blobs/sha256', HELLO_DIGEST.slice(7))), mediaType: '', digest: HELLO_DIGEST })[2]!;
    const layerFile = join(corrupt, 'blobs/sha256', layer.digest.slice(7));
    const bytes = await readFile(layerFile);
    bytes[bytes.length >> 1] ^= 0x01;
    await writeFile(layerFile, bytes);

    const out = join(dir, 'out');
    await copyFrom(`oci:${MULTI}:latest`, `oci:${out}:keep`);
    const indexBefore = await readFile(join(out, 'index.json'));
    const dest = await openLocalDestination(local(`oci:${out}:keep`));
    await expect(copyFrom(`oci:${corrupt}:latest`, `oci:${out}:keep`)).rejects.toMatchObject({ code: 'ERR_DIGEST_MISMATCH' });
    await dest.abort();
    expect(await dest.hasBlob(layer)).toBe(false);
    expect(await readdir(join(out, 'blobs/sha256'))).not.toContain(layer.digest.slice(7));
    expect((await readdir(join(out, 'blobs'))).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(await readFile(join(out, 'index.json'))).toEqual(indexBefore);
    expect(sha256(await inspectRaw(`oci:${out}:keep`))).toBe(MULTI_DIGEST);
  });
});
