import { cp, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FerryError } from '../../../src/errors.js';
import type { Digest } from '../../../src/oci/digest.js';
import { parseManifest } from '../../../src/oci/manifest.js';
import { OciLayoutDestination } from '../../../src/transport/oci-layout/destination.js';
import { openOciLayoutSource } from '../../../src/transport/oci-layout/source.js';
import { DigestStream } from '../../../src/stream/verify.js';
import { HELLO, HELLO_DIGEST, MULTI, MULTI_DIGEST, blobsOf, copyLoop, listFiles, readAll, readJson, sha256, tempDir } from './helpers.js';

interface IndexJson {
  manifests: { digest: string; mediaType: string; size: number; annotations?: Record<string, string> }[];
}

const open = (path: string, ref?: string) => openOciLayoutSource(path, ref, `oci:${path}${ref ? `:${ref}` : ''}`);
const openDest = (path: string, ref?: string) => OciLayoutDestination.open(path, { description: `oci:${path}`, ...(ref ? { ref } : {}) });

async function rejection(p: Promise<unknown>): Promise<FerryError> {
  return p.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e as FerryError,
  );
}

describe('OCI layout source', () => {
  it('reads the root manifest named by the ref, byte for byte', async () => {
    const src = await open(HELLO, 'latest');
    const root = await src.getManifest(undefined);
    expect(root.digest).toBe(HELLO_DIGEST);
    expect(sha256(root.bytes)).toBe(HELLO_DIGEST);
    expect(Buffer.from(root.bytes)).toEqual(await readFile(join(HELLO, 'blobs/sha256', HELLO_DIGEST.slice(7))));
    expect(root.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(await src.listTags()).toEqual(['latest']);
  });

  it('takes the only manifest when no ref is given, and serves blobs that match their digests', async () => {
    const src = await open(HELLO);
    const root = await src.getManifest(undefined);
    for (const d of blobsOf(root)) {
      const bytes = await readAll((await src.getBlob(d)).stream);
      expect(sha256(bytes)).toBe(d.digest);
      expect(bytes.length).toBe(d.size);
    }
  });

  it('reads a suffix of a blob when asked for an offset', async () => {
    const src = await open(HELLO, 'latest');
    const layer = blobsOf(await src.getManifest(undefined))[1]!;
    const whole = await readAll((await src.getBlob(layer)).stream);
    const part = await src.getBlob(layer, { offset: 10 });
    expect(part.offset).toBe(10);
    expect(await readAll(part.stream)).toEqual(whole.subarray(10));
  });

  it('reads an index root and its children by digest', async () => {
    const src = await open(MULTI, 'latest');
    const root = await src.getManifest(undefined);
    expect(root.digest).toBe(MULTI_DIGEST);
    const index = parseManifest(root.bytes);
    expect(index.kind).toBe('index');
    if (index.kind !== 'index') return;
    for (const child of index.manifests) {
      const raw = await src.getManifest(child.digest);
      expect(raw.digest).toBe(child.digest);
      expect(raw.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    }
  });

  it('fails with ERR_NOT_FOUND naming path and ref for a missing path or ref', async () => {
    const missing = await rejection(open('/nonexistent/layout', 'v1'));
    expect(missing.code).toBe('ERR_NOT_FOUND');
    expect(missing.message).toContain('/nonexistent/layout');
    const src = await open(HELLO, 'nope');
    const noRef = await rejection(src.getManifest(undefined));
    expect(noRef.code).toBe('ERR_NOT_FOUND');
    expect(noRef.message).toMatch(/hello-oci:nope.*"nope".*latest/);
    expect(noRef.message).not.toContain('\n');
  });

  it('fails with ERR_LAYOUT on a corrupt index.json and on a folder that is no layout', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'index.json'), '{"manifests": [');
    const corrupt = await rejection(open(dir, 'latest'));
    expect(corrupt.code).toBe('ERR_LAYOUT');
    expect(corrupt.message).toContain(dir);
    const empty = await tempDir();
    expect((await rejection(open(empty))).code).toBe('ERR_LAYOUT');
  });

  it('refuses to guess between several images and lists them', async () => {
    const dir = await tempDir();
    await cp(HELLO, dir, { recursive: true });
    const dest = await openDest(dir, 'other');
    await copyLoop(await open(MULTI, 'latest'), dest);
    const err = await rejection((await open(dir)).getManifest(undefined));
    expect(err.code).toBe('ERR_LAYOUT');
    expect(err.message).toContain('latest');
    expect(err.message).toContain('other');
  });

  it('verifies manifests it reads: a flipped byte is a digest mismatch', async () => {
    const dir = await tempDir();
    await cp(HELLO, dir, { recursive: true });
    const file = join(dir, 'blobs/sha256', HELLO_DIGEST.slice(7));
    const bytes = await readFile(file);
    bytes[bytes.length - 2] ^= 1;
    await writeFile(file, bytes);
    const err = await rejection((await open(dir, 'latest')).getManifest(undefined));
    expect(err.code).toBe('ERR_DIGEST_MISMATCH');
  });
});

describe('OCI layout destination', () => {
  it('creates a layout: oci-layout, verified blobs, index.json naming the ref', async () => {
    const out = join(await tempDir(), 'new');
    await copyLoop(await open(HELLO, 'latest'), await openDest(out, 'v1'));
    expect(await readJson(join(out, 'oci-layout'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = await readJson<IndexJson>(join(out, 'index.json'));
    expect(index.manifests).toEqual([
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: HELLO_DIGEST, size: 555, annotations: { 'org.opencontainers.image.ref.name': 'v1' } },
    ]);
    expect(await listFiles(join(out, 'blobs'))).toEqual((await listFiles(join(HELLO, 'blobs'))));
    const back = await (await open(out, 'v1')).getManifest(undefined);
    expect(back.digest).toBe(HELLO_DIGEST);
  });

  it('keeps other entries, replaces an entry with the same ref, and skips blobs it has', async () => {
    const out = await tempDir();
    await copyLoop(await open(HELLO), await openDest(out, 'a'));
    await copyLoop(await open(MULTI, 'latest'), await openDest(out, 'b'));
    const before = await stat(join(out, 'blobs/sha256', HELLO_DIGEST.slice(7)));
    const again = await openDest(out, 'a');
    const source = await open(MULTI, 'latest');
    const root = await source.getManifest(undefined);
    const children = parseManifest(root.bytes);
    if (children.kind !== 'index') throw new Error('expected index');
    const shared = blobsOf(await source.getManifest(children.manifests[0]!.digest))[1]!;
    expect(await again.hasBlob(shared)).toBe(true);
    await copyLoop(source, again);
    const index = await readJson<IndexJson>(join(out, 'index.json'));
    expect(index.manifests.map((m) => [m.annotations?.['org.opencontainers.image.ref.name'], m.digest])).toEqual([
      ['a', MULTI_DIGEST],
      ['b', MULTI_DIGEST],
    ]);
    expect((await stat(join(out, 'blobs/sha256', HELLO_DIGEST.slice(7)))).mtimeMs).toBe(before.mtimeMs);
  });

  it('rejects a corrupted blob and makes nothing visible under its digest', async () => {
    const out = await tempDir();
    const dest = await openDest(out, 'x');
    const src = await open(HELLO, 'latest');
    const layer = blobsOf(await src.getManifest(undefined))[0]!;
    const bytes = await readAll((await src.getBlob(layer)).stream);
    bytes[20] ^= 0xff;
    const err = await rejection(dest.putBlob(layer, Readable.from([bytes])));
    expect(err.code).toBe('ERR_DIGEST_MISMATCH');
    expect(await dest.hasBlob(layer)).toBe(false);
    expect(await listFiles(join(out, 'blobs'))).toEqual([]);
    const short = await rejection(dest.putBlob(layer, Readable.from([bytes.subarray(0, 10)])));
    expect(short.code).toBe('ERR_SIZE_MISMATCH');
    expect(await listFiles(join(out, 'blobs'))).toEqual([]);
  });

  it('abort leaves an existing index.json untouched and removes only temp files', async () => {
    const out = await tempDir();
    await cp(HELLO, out, { recursive: true });
    const indexBefore = await readFile(join(out, 'index.json'));
    const dest = await openDest(out, 'latest');
    const src = await open(MULTI, 'latest');
    const root = await src.getManifest(undefined);
    const index = parseManifest(root.bytes);
    if (index.kind !== 'index') throw new Error('expected index');
    const child = await src.getManifest(index.manifests[1]!.digest);
    const own = blobsOf(child)[2]!;
    await dest.putBlob(own, (await src.getBlob(own)).stream);
    const hanging = new Readable({ read() {} });
    hanging.push(Buffer.alloc(5));
    const pending = dest.putBlob({ ...own, digest: ('sha256:' + 'a'.repeat(64)) as Digest }, hanging).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
    await dest.putManifest(root, 'latest');
    await dest.abort();
    hanging.destroy();
    await pending;
    expect(await readFile(join(out, 'index.json'))).toEqual(indexBefore);
    expect((await readdir(join(out, 'blobs'))).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(await dest.hasBlob(own)).toBe(true);
    expect(await (await open(out, 'latest')).getManifest(undefined)).toMatchObject({ digest: HELLO_DIGEST });
  });

  it('abort removes a layout it created itself', async () => {
    const out = join(await tempDir(), 'fresh');
    const dest = await openDest(out, 'v1');
    const src = await open(HELLO, 'latest');
    const [config] = blobsOf(await src.getManifest(undefined));
    await dest.putBlob(config!, (await src.getBlob(config!)).stream);
    await dest.abort();
    await expect(stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('stores a blob whose digest is known only at the end, checking the claim', async () => {
    const out = await tempDir();
    const dest = await openDest(out);
    const bytes = Buffer.from('recompressed bytes');
    const digester = new DigestStream();
    await dest.putBlobUnknown(Readable.from([bytes]).pipe(digester), () => ({ digest: digester.digest, size: digester.size }));
    expect(await dest.hasBlob({ mediaType: 'x', digest: sha256(bytes) as Digest, size: bytes.length })).toBe(true);
    const wrong = await rejection(dest.putBlobUnknown(Readable.from([bytes]), () => ({ digest: ('sha256:' + '0'.repeat(64)) as Digest, size: bytes.length })));
    expect(wrong.code).toBe('ERR_DIGEST_MISMATCH');
    expect(await listFiles(join(out, 'blobs'))).toEqual([`sha256/${sha256(bytes).slice(7)}`]);
  });

  it('commit is idempotent and hasManifest reflects index.json', async () => {
    const out = await tempDir();
    const dest = await openDest(out, 'v1');
    expect(await dest.hasManifest(HELLO_DIGEST)).toBe(false);
    await copyLoop(await open(HELLO), dest);
    const first = await readFile(join(out, 'index.json'));
    await dest.commit();
    expect(await readFile(join(out, 'index.json'))).toEqual(first);
    expect(await (await openDest(out, 'v2')).hasManifest(HELLO_DIGEST)).toBe(true);
  });

  it('uses the tag given with the root when the location names no ref', async () => {
    const out = await tempDir();
    await copyLoop(await open(HELLO), await openDest(out), 'from-tag');
    expect((await (await open(out, 'from-tag')).getManifest(undefined)).digest).toBe(HELLO_DIGEST);
  });

  it('refuses a non-empty folder that is not a layout, and a corrupt index.json, before any copy', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'notes.txt'), 'mine');
    expect((await rejection(openDest(dir, 'x'))).code).toBe('ERR_LAYOUT');
    const bad = await tempDir();
    await mkdir(join(bad, 'blobs'));
    await writeFile(join(bad, 'index.json'), 'not json');
    const err = await rejection(openDest(bad, 'x'));
    expect(err.code).toBe('ERR_LAYOUT');
    expect(err.message).toContain('index.json');
  });

  it('refuses a manifest whose bytes do not match its digest', async () => {
    const dest = await openDest(await tempDir(), 'x');
    const raw = await (await open(HELLO)).getManifest(undefined);
    const err = await rejection(dest.putManifest({ ...raw, bytes: Buffer.concat([Buffer.from(raw.bytes), Buffer.from(' ')]) }, 'x'));
    expect(err.code).toBe('ERR_DIGEST_MISMATCH');
  });
});
