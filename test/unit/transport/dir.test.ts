import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DirDestination } from '../../../src/transport/dir/destination.js';
import { DirSource } from '../../../src/transport/dir/source.js';
import { openOciLayoutSource } from '../../../src/transport/oci-layout/source.js';
import { HELLO, HELLO_DIGEST, MULTI, blobsOf, copyLoop, readAll, sha256, tempDir } from './helpers.js';

const hello = () => openOciLayoutSource(HELLO, 'latest', 'oci:hello');
const openDest = (path: string) => DirDestination.open(path, `dir:${path}`);

describe('dir: transport', () => {
  it('writes skopeo\'s layout: version, manifest.json byte for byte, blobs by hex', async () => {
    const out = join(await tempDir(), 'img');
    const root = await copyLoop(await hello(), await openDest(out));
    expect(await readFile(join(out, 'version'), 'utf8')).toBe('Directory Transport Version: 1.1\n');
    expect(await readFile(join(out, 'manifest.json'))).toEqual(Buffer.from(root.bytes));
    const hexes = blobsOf(root).map((d) => d.digest.slice(7));
    expect((await readdir(out)).sort()).toEqual([...hexes, 'manifest.json', 'version'].sort());
  });

  it('reads back what it wrote with the same digests', async () => {
    const out = join(await tempDir(), 'img');
    await copyLoop(await hello(), await openDest(out));
    const src = await DirSource.open(out, `dir:${out}`);
    const root = await src.getManifest(undefined);
    expect(root.digest).toBe(HELLO_DIGEST);
    expect((await src.getManifest(HELLO_DIGEST)).digest).toBe(HELLO_DIGEST);
    await expect(src.getManifest(`sha256:${'1'.repeat(64)}`)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    for (const d of blobsOf(root)) expect(sha256(await readAll((await src.getBlob(d)).stream))).toBe(d.digest);
  });

  it('replaces an older image, dropping its blobs only after commit', async () => {
    const out = join(await tempDir(), 'img');
    const multi = await openOciLayoutSource(MULTI, 'latest', 'oci:multi');
    const first = await copyLoop(multi, await openDest(out));
    const oldOwnLayer = blobsOf(first)[2]!.digest.slice(7);

    const aborted = await openDest(out);
    const src = await hello();
    const root = await src.getManifest(undefined);
    const config = blobsOf(root)[0]!;
    await aborted.putBlob(config, (await src.getBlob(config)).stream);
    await aborted.putManifest(root, undefined);
    await aborted.abort();
    expect(await readFile(join(out, 'manifest.json'))).toEqual(Buffer.from(first.bytes));
    expect(await readdir(out)).toContain(oldOwnLayer);

    await copyLoop(await hello(), await openDest(out));
    const names = await readdir(out);
    expect(names).not.toContain(oldOwnLayer);
    expect(names.sort()).toEqual([...blobsOf(root).map((d) => d.digest.slice(7)), 'manifest.json', 'version'].sort());
  });

  it('refuses an index, a non-empty folder without version, and a corrupt blob', async () => {
    const dest = await openDest(join(await tempDir(), 'img'));
    const multi = await openOciLayoutSource(MULTI, 'latest', 'oci:multi');
    await expect(dest.putManifest(await multi.getManifest(undefined), undefined)).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED' });
    const busy = await tempDir();
    await writeFile(join(busy, 'important.txt'), 'x');
    await expect(openDest(busy)).rejects.toMatchObject({ code: 'ERR_LAYOUT', message: expect.stringContaining('version') });
    const out = await tempDir();
    const d = await openDest(out);
    const layer = blobsOf(await (await hello()).getManifest(undefined))[1]!;
    await expect(d.putBlob(layer, Readable.from([Buffer.alloc(layer.size)]))).rejects.toMatchObject({ code: 'ERR_DIGEST_MISMATCH' });
    expect(await readdir(out)).toEqual([]);
  });

  it('reads a dir: folder skopeo would write, and fails clearly on a missing one', async () => {
    const out = await tempDir();
    await cp(join(HELLO, 'blobs/sha256'), out, { recursive: true });
    await writeFile(join(out, 'manifest.json'), await readFile(join(HELLO, 'blobs/sha256', HELLO_DIGEST.slice(7))));
    expect((await (await DirSource.open(out, 'dir:x')).getManifest(undefined)).digest).toBe(HELLO_DIGEST);
    await expect(DirSource.open(join(out, 'nope'), 'dir:nope')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: expect.stringContaining('nope') });
  });
});
