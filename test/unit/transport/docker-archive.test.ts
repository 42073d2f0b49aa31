import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../../src/oci/manifest.js';
import { DockerArchiveDestination } from '../../../src/transport/docker-archive/destination.js';
import { DockerArchiveSource } from '../../../src/transport/docker-archive/source.js';
import { openArchiveStore } from '../../../src/transport/local/archive-store.js';
import type { TarStore } from '../../../src/transport/local/tar-store.js';
import { openOciLayoutSource } from '../../../src/transport/oci-layout/source.js';
import { HELLO, HELLO_DIGEST, MULTI, blobsOf, copyLoop, readAll, sha256, tempDir } from './helpers.js';

const hello = () => openOciLayoutSource(HELLO, 'latest', 'oci:hello');
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const LAYER_TAR = 'application/vnd.docker.image.rootfs.diff.tar';
const LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

type Entry = { name: string; body?: Buffer; symlink?: string };

async function makeTar(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const out = readAll(pack as unknown as NodeJS.ReadableStream);
  for (const e of entries) {
    if (e.symlink) pack.entry({ name: e.name, type: 'symlink', linkname: e.symlink });
    else pack.entry({ name: e.name }, e.body ?? Buffer.alloc(0));
  }
  pack.finalize();
  return out;
}

/** An archive as older `docker save` writes it: plain tar layers in <id>/layer.tar, one shared by symlink. */
async function legacyArchive(): Promise<{ bytes: Buffer; layerTar: Buffer; gzLayer: Buffer; config: Buffer }> {
  const layerTar = await makeTar([{ name: 'etc/hello.txt', body: Buffer.from('hi\n') }]);
  const gzLayer = gzipSync(await makeTar([{ name: 'app/x', body: Buffer.from('x') }]));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] } }));
  const configName = `${sha256(config).slice(7)}.json`;
  const manifest = [
    { Config: configName, RepoTags: ['foo:1', 'registry.example:5000/team/app:2'], Layers: ['aaa/layer.tar', 'bbb/layer.tar'] },
    { Config: configName, RepoTags: ['bar:latest'], Layers: ['ccc/layer.tar'] },
  ];
  const bytes = await makeTar([
    { name: configName, body: config },
    { name: 'aaa/layer.tar', body: layerTar },
    { name: 'bbb/layer.tar', body: gzLayer },
    { name: 'ccc/layer.tar', symlink: '../aaa/layer.tar' },
    { name: 'manifest.json', body: Buffer.from(JSON.stringify(manifest)) },
  ]);
  return { bytes, layerTar, gzLayer, config };
}

describe('docker-archive source', () => {
  it('makes a schema 2 manifest describing each layer file as stored', async () => {
    const dir = await tempDir();
    const file = join(dir, 'legacy.tar');
    const { bytes, layerTar, gzLayer, config } = await legacyArchive();
    await writeFile(file, bytes);
    const src = await DockerArchiveSource.open(file, 'foo:1', `docker-archive:${file}:foo:1`);
    const root = await src.getManifest(undefined);
    expect(root.mediaType).toBe(DOCKER_MANIFEST);
    expect(sha256(root.bytes)).toBe(root.digest);
    const m = parseManifest(root.bytes);
    if (m.kind !== 'image') throw new Error('expected image');
    expect(m.config).toEqual({ mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha256(config), size: config.length });
    expect(m.layers).toEqual([
      { mediaType: LAYER_TAR, digest: sha256(layerTar), size: layerTar.length },
      { mediaType: LAYER_GZIP, digest: sha256(gzLayer), size: gzLayer.length },
    ]);
    for (const d of blobsOf(root)) expect(sha256(await readAll((await src.getBlob(d)).stream))).toBe(d.digest);
    expect((await src.getManifest(undefined)).bytes).toBe(root.bytes);
    await expect(src.getManifest(HELLO_DIGEST)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  });

  it('selects images by normalised name or @index, follows symlinked layers, and lists choices on a miss', async () => {
    const dir = await tempDir();
    const file = join(dir, 'legacy.tar');
    const { bytes, layerTar } = await legacyArchive();
    await writeFile(file, bytes);
    const byIndex = parseManifest((await (await DockerArchiveSource.open(file, '@1', 'x')).getManifest(undefined)).bytes);
    expect(byIndex.kind === 'image' && byIndex.layers.map((l) => l.digest)).toEqual([sha256(layerTar)]);
    const full = await DockerArchiveSource.open(file, 'docker.io/library/bar', 'x');
    expect(full.repoTags).toEqual(['bar:latest']);
    expect((await DockerArchiveSource.open(file, 'registry.example:5000/team/app:2', 'x')).repoTags).toContain('foo:1');
    await expect(DockerArchiveSource.open(file, 'baz:1', 'docker-archive:legacy.tar:baz:1')).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
      message: expect.stringMatching(/baz:1.*@0 foo:1.*@1 bar:latest/),
    });
    await expect(DockerArchiveSource.open(file, undefined, 'x')).rejects.toMatchObject({ code: 'ERR_LAYOUT', message: expect.stringContaining('2 images') });
    await expect(DockerArchiveSource.open(join(dir, 'none.tar'), undefined, 'x')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  });

  it('reads a gzip-compressed archive (docker save | gzip)', async () => {
    const dir = await tempDir();
    const file = join(dir, 'legacy.tar.gz');
    await writeFile(file, gzipSync((await legacyArchive()).bytes));
    const src = await DockerArchiveSource.open(file, '@0', 'x');
    expect(parseManifest((await src.getManifest(undefined)).bytes).kind).toBe('image');
    await src.close();
  });
});

describe('docker-archive destination', () => {
  it('writes manifest.json over an OCI layout, blobs stored as given', async () => {
    const dir = await tempDir();
    const file = join(dir, 'out.tar');
    const dest = await DockerArchiveDestination.open(file, 'repo/name:tag', `docker-archive:${file}`);
    const root = await copyLoop(await hello(), dest);
    const store = (await openArchiveStore(file, 'x')) as TarStore;
    const [item] = JSON.parse((await store.readFile('manifest.json', 10_000))!.toString()) as { Config: string; RepoTags: string[]; Layers: string[] }[];
    const [config, ...layers] = blobsOf(root);
    expect(item).toEqual({
      Config: `blobs/sha256/${config!.digest.slice(7)}`,
      RepoTags: ['repo/name:tag'],
      Layers: layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`),
    });
    const index = JSON.parse((await store.readFile('index.json', 10_000))!.toString()) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    expect(index.manifests[0]).toMatchObject({
      digest: HELLO_DIGEST,
      annotations: { 'org.opencontainers.image.ref.name': 'tag', 'io.containerd.image.name': 'docker.io/repo/name:tag' },
    });
    expect(store.names()).toContain('oci-layout');

    const back = await DockerArchiveSource.open(file, 'repo/name:tag', 'x');
    const m = parseManifest((await back.getManifest(undefined)).bytes);
    if (m.kind !== 'image') throw new Error('expected image');
    expect(m.config.digest).toBe(config!.digest);
    expect(m.layers.map((l) => [l.digest, l.size, l.mediaType])).toEqual(layers.map((l) => [l.digest, l.size, LAYER_GZIP]));
  });

  it('refuses an index and a digest tag; abort leaves an existing archive and no temp files', async () => {
    const dir = await tempDir();
    const file = join(dir, 'out.tar');
    await writeFile(file, 'previous archive');
    await expect(DockerArchiveDestination.open(file, `repo@${HELLO_DIGEST}`, 'x')).rejects.toMatchObject({ code: 'ERR_REFERENCE' });
    const dest = await DockerArchiveDestination.open(file, 'repo:1', 'x');
    const multi = await openOciLayoutSource(MULTI, 'latest', 'oci:multi');
    await expect(dest.putManifest(await multi.getManifest(undefined), 'repo:1')).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED' });
    const src = await hello();
    const [config] = blobsOf(await src.getManifest(undefined));
    await dest.putBlob(config!, (await src.getBlob(config!)).stream);
    await dest.abort();
    expect(await readFile(file, 'utf8')).toBe('previous archive');
    expect(await readdir(dir)).toEqual(['out.tar']);
  });

  it('will not write an archive missing a layer', async () => {
    const dir = await tempDir();
    const file = join(dir, 'out.tar');
    const dest = await DockerArchiveDestination.open(file, undefined, 'x');
    await dest.putManifest(await (await hello()).getManifest(undefined), undefined);
    await expect(dest.commit()).rejects.toMatchObject({ code: 'ERR_LAYOUT' });
    await dest.abort();
    expect(await readdir(dir)).toEqual([]);
  });
});
