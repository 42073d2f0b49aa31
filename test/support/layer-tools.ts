// Checks for recompressed images that do not use ferry's code: layer blobs are
// decompressed by the real `zstd` and `gzip` programs and hashed, images are
// unpacked by `umoci` into a file tree that is listed with a hash per file, and
// fixtures with deliberately broken layers are written by hand.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { probe } from './http-probe.js';
import { createLayout, tagInLayout, writeBlob, writeJsonBlob, type Descriptor } from './oci-layout-writer.js';
import type { RunningRegistry } from './registry.js';
import { runCommand } from './run-command.js';
import { scratchDir } from './scratch.js';
import { skopeoCopy } from './skopeo.js';
import { MANIFEST_ACCEPT } from './stored-image.js';

export const LAYER_TYPES = {
  ociGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociTar: 'application/vnd.oci.image.layer.v1.tar',
  dockerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerTar: 'application/vnd.docker.image.rootfs.diff.tar',
} as const;

export const MANIFEST_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

export type BlobCompression = 'gzip' | 'zstd' | 'none';

export interface ManifestDoc {
  schemaVersion: number;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface IndexDoc {
  schemaVersion: number;
  mediaType: string;
  manifests: Descriptor[];
}

/** The compression the first bytes of a blob announce (gzip 1f 8b, zstd 28 b5 2f fd). */
export function magicOf(head: Uint8Array): BlobCompression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** The compression a layer media type names. */
export function compressionOfMediaType(mediaType: string): BlobCompression {
  if (mediaType.endsWith('+zstd')) return 'zstd';
  if (mediaType.endsWith('+gzip') || mediaType.endsWith('.tar.gzip')) return 'gzip';
  return 'none';
}

/**
 * sha256 of what `zstd -dc` / `gzip -dc` (or nothing, for `none`) makes of `source`:
 * the uncompressed layer as the real tools see it. Streams, so large layers are fine.
 * A tool that fails rejects with its stderr.
 */
export function cliUncompressedDigest(source: Readable, format: BlobCompression): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  if (format === 'none') {
    return new Promise((resolve, reject) => {
      source.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
      });
      source.on('error', reject);
      source.on('end', () => resolve({ digest: `sha256:${hash.digest('hex')}`, size }));
    });
  }
  const program = format === 'zstd' ? 'zstd' : 'gzip';
  const args = format === 'zstd' ? ['-d', '-c', '-q'] : ['-d', '-c'];
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.stdin.on('error', () => {
      // The tool may stop reading on bad input; its exit status says why.
    });
    source.on('error', (error) => {
      child.kill();
      reject(error);
    });
    source.pipe(child.stdin);
    child.on('close', (code, signal) => {
      if (code === 0) resolve({ digest: `sha256:${hash.digest('hex')}`, size });
      else reject(new Error(`${program} ${args.join(' ')} failed (${signal ?? code}): ${Buffer.concat(err).toString('utf8').trim()}`));
    });
  });
}

/** A blob streamed from a plain-HTTP harness registry. */
export function registryBlobStream(registry: RunningRegistry, repository: string, digest: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    httpGet(`${registry.url}/v2/${repository}/blobs/${digest}`, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET blob ${digest} of ${repository}: HTTP ${res.statusCode}`));
        return;
      }
      resolve(res);
    }).on('error', reject);
  });
}

/** The first bytes of a registry blob. */
export async function registryBlobHead(registry: RunningRegistry, repository: string, digest: string): Promise<Buffer> {
  const res = await probe(`${registry.url}/v2/${repository}/blobs/${digest}`, { headers: { range: 'bytes=0-15' } });
  if (res.status !== 206 && res.status !== 200) throw new Error(`GET blob ${digest} of ${repository}: HTTP ${res.status}`);
  return res.body.subarray(0, 16);
}

/** A manifest (or index) as the registry stores it, fetched with every type accepted. */
export async function registryManifest(registry: RunningRegistry, repository: string, reference: string): Promise<{ bytes: Buffer; contentType: string; digest: string }> {
  const res = await probe(`${registry.url}/v2/${repository}/manifests/${reference}`, { headers: { accept: MANIFEST_ACCEPT } });
  if (res.status !== 200) throw new Error(`GET manifest ${reference} of ${repository}: HTTP ${res.status} ${res.text().slice(0, 200)}`);
  return {
    bytes: res.body,
    contentType: String(res.headers['content-type']),
    digest: `sha256:${createHash('sha256').update(res.body).digest('hex')}`,
  };
}

/** The config's rootfs.diff_ids of a registry image. */
export async function registryDiffIds(registry: RunningRegistry, repository: string, manifest: ManifestDoc): Promise<string[]> {
  const res = await probe(`${registry.url}/v2/${repository}/blobs/${manifest.config.digest}`);
  if (res.status !== 200) throw new Error(`GET config ${manifest.config.digest}: HTTP ${res.status}`);
  return (res.json<{ rootfs: { diff_ids: string[] } }>()).rootfs.diff_ids;
}

/** Every layer of a registry image decompressed by the real CLI tool its media type names. */
export async function registryLayerContents(registry: RunningRegistry, repository: string, manifest: ManifestDoc): Promise<string[]> {
  const out: string[] = [];
  for (const layer of manifest.layers) {
    const stream = await registryBlobStream(registry, repository, layer.digest);
    out.push((await cliUncompressedDigest(stream, compressionOfMediaType(layer.mediaType))).digest);
  }
  return out;
}

/** Path of a blob in an OCI layout. */
export function layoutBlobPath(layout: string, digest: string): string {
  return join(layout, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
}

/** The manifest an OCI layout's index.json tags `ref`. */
export async function layoutManifest(layout: string, ref: string): Promise<{ bytes: Buffer; descriptor: Descriptor }> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as IndexDoc;
  const descriptor = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === ref);
  if (!descriptor) throw new Error(`${layout}: no index.json entry for ${ref}`);
  return { bytes: await readFile(layoutBlobPath(layout, descriptor.digest)), descriptor };
}

/** Every layer of an OCI-layout image decompressed by the real CLI tool its media type names. */
export async function layoutLayerContents(layout: string, manifest: ManifestDoc): Promise<string[]> {
  const out: string[] = [];
  for (const layer of manifest.layers) {
    out.push((await cliUncompressedDigest(createReadStream(layoutBlobPath(layout, layer.digest)), compressionOfMediaType(layer.mediaType))).digest);
  }
  return out;
}

/**
 * `umoci unpack` of `layout:tag`, then a listing of the root filesystem: one line per
 * entry with its type, mode, and a sha256 for files or the target for symlinks.
 * Times are left out (umoci sets them from the tar; they are not what recompression is about).
 */
export async function umociTree(layout: string, tag: string): Promise<string[]> {
  const bundle = join(await scratchDir('umoci'), 'bundle');
  await runCommand('umoci', ['unpack', '--rootless', '--image', `${layout}:${tag}`, bundle], { timeoutMs: 120_000 });
  return listTree(join(bundle, 'rootfs'));
}

async function listTree(root: string): Promise<string[]> {
  const lines: string[] = [];
  const entries = await readdir(root, { recursive: true });
  for (const name of entries.sort()) {
    const path = join(root, name);
    const st = await lstat(path);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) lines.push(`l ${name} -> ${await readlink(path)}`);
    else if (st.isDirectory()) lines.push(`d ${name} ${mode}`);
    else if (st.isFile()) lines.push(`f ${name} ${mode} ${st.size} ${createHash('sha256').update(await readFile(path)).digest('hex')}`);
    else lines.push(`? ${name} ${mode}`);
  }
  return lines;
}

/** `skopeo copy` of a registry image into a fresh OCI layout; returns the layout path. */
export async function skopeoToLayout(registry: RunningRegistry, repoTag: string, tag = 'latest', options: { all?: boolean } = {}): Promise<string> {
  const layout = join(await scratchDir('skopeo-layout'), 'layout');
  await skopeoCopy(`docker://${registry.ref(repoTag)}`, `oci:${layout}:${tag}`, { src: registry, all: options.all });
  return layout;
}

/**
 * The image as skopeo decompresses it, in a fresh OCI layout with uncompressed layers:
 * `skopeo copy --dest-decompress` to `dir:`, then to `oci:` accepting uncompressed
 * layers. umoci 0.4.7 (Debian's) cannot unpack `+zstd` layers ("blob is not correct
 * mediatype"), so this is how a zstd image reaches umoci, with skopeo as the decoder.
 */
export async function skopeoDecompressedLayout(registry: RunningRegistry, repoTag: string, tag = 'latest'): Promise<string> {
  const dir = await scratchDir('skopeo-decompressed');
  await skopeoCopy(`docker://${registry.ref(repoTag)}`, `dir:${join(dir, 'dir')}`, { src: registry, extraArgs: ['--dest-decompress'] });
  const layout = join(dir, 'layout');
  await skopeoCopy(`dir:${join(dir, 'dir')}`, `oci:${layout}:${tag}`, { extraArgs: ['--dest-oci-accept-uncompressed-layers'] });
  return layout;
}

export interface HandLayer {
  blob: Buffer;
  mediaType: string;
  /** What the config lists as this layer's diff_id. */
  diffId: string;
}

export interface HandImage {
  layoutPath: string;
  tag: string;
  ociRef: string;
  digest: string;
  manifestBytes: Buffer;
  layers: Descriptor[];
  config: Descriptor;
}

/**
 * An OCI image whose layer blobs and diff_ids are given as they are, right or wrong:
 * the way to make a layer whose bytes match its digest but do not decompress, or
 * whose content does not match its diff_id.
 */
export async function buildHandImage(layers: HandLayer[], tag = 'latest'): Promise<HandImage> {
  const layoutPath = await createLayout();
  const descs: Descriptor[] = [];
  for (const l of layers) descs.push(await writeBlob(layoutPath, l.blob, l.mediaType));
  const configJson = {
    created: '2024-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'ferry recompression fixture' })),
  };
  const config = await writeJsonBlob(layoutPath, configJson, MANIFEST_TYPES.ociConfig);
  const manifest = { schemaVersion: 2, mediaType: MANIFEST_TYPES.ociManifest, config: config.descriptor, layers: descs };
  const written = await writeJsonBlob(layoutPath, manifest, manifest.mediaType);
  await tagInLayout(layoutPath, written.descriptor, tag);
  return {
    layoutPath, tag, ociRef: `oci:${layoutPath}:${tag}`, digest: written.descriptor.digest,
    manifestBytes: written.bytes, layers: descs, config: config.descriptor,
  };
}

export function sha256Of(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
