// The same fixture image in every location kind ferry reads, each made without
// ferry: an oci-archive is a tar of the layout, a docker-archive is the layout plus
// the manifest.json `docker save` (Docker 25+) writes beside it, a dir: image is
// skopeo's directory format. Also a large single-layer image, streamed to disk so
// that building it never holds the layer in memory.
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { cp, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import type { BuiltImage, Descriptor } from './fixtures.js';
import { createLayout, tagInLayout, writeJsonBlob } from './oci-layout-writer.js';
import { runCommand } from './run-command.js';
import { scratchDir } from './scratch.js';
import { skopeoDirCopy } from './skopeo-dir.js';

/** `oci-archive:PATH:TAG` of a tar holding the fixture's layout. */
export async function ociArchiveOf(image: { layoutPath: string; tag: string }): Promise<string> {
  const path = join(await scratchDir('oci-archive'), 'image.tar');
  await runCommand('tar', ['-cf', path, '-C', image.layoutPath, '.']);
  return `oci-archive:${path}:${image.tag}`;
}

/** `docker-archive:PATH` holding the fixture as Docker 25+ saves it (blobs stored as they are). */
export async function dockerArchiveOf(image: BuiltImage, repoTag: string): Promise<string> {
  const root = await scratchDir('docker-archive');
  const staging = join(root, 'content');
  await cp(image.layoutPath, staging, { recursive: true });
  const path = (d: Descriptor): string => `blobs/sha256/${d.digest.slice('sha256:'.length)}`;
  const item = { Config: path(image.config), RepoTags: [repoTag], Layers: image.layers.map(path) };
  await writeFile(join(staging, 'manifest.json'), JSON.stringify([item]));
  const archive = join(root, 'image.tar');
  await runCommand('tar', ['-cf', archive, '-C', staging, '.']);
  return `docker-archive:${archive}`;
}

/** `dir:PATH` of the fixture's root manifest in skopeo's directory format. */
export function dirOf(image: { layoutPath: string; digest: string; mediaType: string }): Promise<string> {
  return skopeoDirCopy(image.layoutPath, image.digest, image.mediaType);
}

/** Passes bytes through, counting them and hashing them (sha256). */
export class Sha256Counter extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }
  digest(): string {
    return `sha256:${this.hash.copy().digest('hex')}`;
  }
}

/** Reproducible incompressible bytes, `size` of them, produced a MiB at a time. */
function randomStream(size: number, seed: string): Readable {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const MIB = 1024 * 1024;
  return Readable.from(
    (function* () {
      for (let left = size; left > 0; left -= MIB) yield cipher.update(Buffer.alloc(Math.min(MIB, left)));
    })(),
  );
}

export interface LargeImage {
  layoutPath: string;
  tag: string;
  ociRef: string;
  digest: string;
  mediaType: string;
  manifestBytes: Buffer;
  config: Descriptor;
  layers: Descriptor[];
}

/**
 * An OCI image whose gzip layers each hold `size` random bytes in one file. gzip runs
 * at level 0 (stored blocks): random data would not shrink anyway, and building stays quick.
 */
export async function buildLargeImage(spec: { size: number; seed?: string; tag?: string; layers?: number }): Promise<LargeImage> {
  const layoutPath = await createLayout();
  const tag = spec.tag ?? 'latest';
  const count = spec.layers ?? 1;
  const layers: Descriptor[] = [];
  const diffIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const tar = pack();
    const tarHash = new Sha256Counter();
    const blobHash = new Sha256Counter();
    const temp = join(layoutPath, 'blobs', 'sha256', `.building-${i}`);
    const written = pipeline(Readable.from(tar), tarHash, createGzip({ level: 0 }), blobHash, createWriteStream(temp));
    const header = { name: `data/random-${i}.bin`, size: spec.size, mode: 0o644, mtime: new Date('2024-01-01T00:00:00Z'), uid: 0, gid: 0 };
    await new Promise<void>((resolve, reject) => {
      const entry = tar.entry(header, (error) => (error ? reject(error) : resolve()));
      randomStream(spec.size, `${spec.seed ?? 'large'}-${i}`).on('error', reject).pipe(entry);
    });
    tar.finalize();
    await written;
    const digest = blobHash.digest();
    await rename(temp, join(layoutPath, 'blobs', 'sha256', digest.slice('sha256:'.length)));
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: blobHash.size });
    diffIds.push(tarHash.digest());
  }
  const configJson = {
    created: '2024-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
  };
  const config = await writeJsonBlob(layoutPath, configJson, 'application/vnd.oci.image.config.v1+json');
  const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: config.descriptor, layers };
  const written = await writeJsonBlob(layoutPath, manifest, manifest.mediaType);
  await tagInLayout(layoutPath, written.descriptor, tag);
  return {
    layoutPath, tag, ociRef: `oci:${layoutPath}:${tag}`, digest: written.descriptor.digest, mediaType: manifest.mediaType,
    manifestBytes: written.bytes, config: config.descriptor, layers,
  };
}
