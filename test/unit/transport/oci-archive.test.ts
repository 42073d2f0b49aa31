import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../../src/oci/manifest.js';
import { OciArchiveDestination } from '../../../src/transport/oci-archive/destination.js';
import { openOciArchiveSource } from '../../../src/transport/oci-archive/source.js';
import { openOciLayoutSource } from '../../../src/transport/oci-layout/source.js';
import { HELLO, HELLO_DIGEST, MULTI, MULTI_DIGEST, blobsOf, copyLoop, readAll, sha256, tempDir } from './helpers.js';

describe('oci-archive transport', () => {
  it('round-trips an index with its children, digests unchanged, archive bytes reproducible', async () => {
    const dir = await tempDir();
    const a = join(dir, 'a.tar');
    const b = join(dir, 'b.tar');
    await copyLoop(await openOciLayoutSource(MULTI, 'latest', 'oci:multi'), await OciArchiveDestination.open(a, 'v1', `oci-archive:${a}:v1`));
    await copyLoop(await openOciLayoutSource(MULTI, 'latest', 'oci:multi'), await OciArchiveDestination.open(b, 'v1', `oci-archive:${b}:v1`));
    expect(await readFile(a)).toEqual(await readFile(b));

    const src = await openOciArchiveSource(a, 'v1', `oci-archive:${a}:v1`);
    const root = await src.getManifest(undefined);
    expect(root.digest).toBe(MULTI_DIGEST);
    const index = parseManifest(root.bytes);
    if (index.kind !== 'index') throw new Error('expected index');
    for (const child of index.manifests) {
      const raw = await src.getManifest(child.digest);
      for (const d of blobsOf(raw)) expect(sha256(await readAll((await src.getBlob(d)).stream))).toBe(d.digest);
    }
    expect(await src.listTags!()).toEqual(['v1']);
    await src.close();
  });

  it('replaces an existing archive only on commit, and abort leaves it as it was', async () => {
    const dir = await tempDir();
    const file = join(dir, 'img.tar');
    await copyLoop(await openOciLayoutSource(HELLO, 'latest', 'oci:hello'), await OciArchiveDestination.open(file, 'old', 'x'));
    const before = await readFile(file);

    const dest = await OciArchiveDestination.open(file, 'new', 'x');
    const src = await openOciLayoutSource(HELLO, 'latest', 'oci:hello');
    const root = await src.getManifest(undefined);
    for (const d of blobsOf(root)) await dest.putBlob(d, (await src.getBlob(d)).stream);
    await dest.putManifest(root, 'new');
    await dest.abort();
    expect(await readFile(file)).toEqual(before);
    expect(await readdir(dir)).toEqual(['img.tar']);

    await copyLoop(await openOciLayoutSource(HELLO, 'latest', 'oci:hello'), await OciArchiveDestination.open(file, 'new', 'x'));
    const after = await openOciArchiveSource(file, undefined, 'x');
    expect(await after.listTags!()).toEqual(['new']);
    expect((await after.getManifest(undefined)).digest).toBe(HELLO_DIGEST);
  });

  it('names the archive and ref in errors', async () => {
    const dir = await tempDir();
    const file = join(dir, 'img.tar');
    await copyLoop(await openOciLayoutSource(HELLO, 'latest', 'oci:hello'), await OciArchiveDestination.open(file, 'v1', 'x'));
    const src = await openOciArchiveSource(file, 'v2', `oci-archive:${file}:v2`);
    await expect(src.getManifest(undefined)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: expect.stringContaining(`oci-archive:${file}:v2`) });
    await expect(OciArchiveDestination.open(join(dir, 'no/such/dir.tar'), 'v1', 'x')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    const notTar = join(dir, 'plain.txt');
    await writeFile(notTar, 'hello there, this is not a tar archive at all'.repeat(20));
    await expect(openOciArchiveSource(notTar, undefined, 'x')).rejects.toMatchObject({ code: 'ERR_LAYOUT' });
  });
});
