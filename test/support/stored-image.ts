// Reads back what a copy stored, without ferry's code: the root manifest and every
// blob it references (recursively for an index), each hashed from the bytes actually
// stored, for any location kind (registry via plain HTTP, OCI layout, oci-archive,
// docker-archive, dir). Archives are unpacked with the system tar.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { probe } from './http-probe.js';
import { REF_NAME_ANNOTATION } from './oci-layout-writer.js';
import type { RunningRegistry } from './registry.js';
import { runCommand } from './run-command.js';
import { scratchDir } from './scratch.js';

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export interface StoredBlob {
  /** The digest a manifest names. */
  digest: string;
  /** sha256 of the bytes stored under that name. */
  actual: string;
  size: number;
}

export interface StoredImage {
  /** Digest of the root manifest as stored; undefined for docker-archive, which keeps no manifest. */
  digest: string | undefined;
  mediaType: string | undefined;
  manifestBytes: Buffer | undefined;
  /** Every manifest below the root (index children), digest → bytes. */
  children: Map<string, Buffer>;
  /** Config and layer blobs of every image, deduplicated. */
  blobs: StoredBlob[];
}

interface ManifestDoc {
  mediaType?: string;
  config?: { digest: string; size: number };
  layers?: Array<{ digest: string; size: number }>;
  manifests?: Array<{ digest: string; size: number; mediaType: string }>;
}

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function sha256File(path: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/** How to fetch manifests and blobs by digest from one store. */
interface Store {
  manifest(digest: string): Promise<Buffer>;
  blob(digest: string): Promise<{ digest: string; size: number }>;
}

async function walk(store: Store, rootBytes: Buffer, rootDigest: string | undefined): Promise<StoredImage> {
  const children = new Map<string, Buffer>();
  const blobs = new Map<string, StoredBlob>();
  const visit = async (bytes: Buffer): Promise<void> => {
    const doc = JSON.parse(bytes.toString('utf8')) as ManifestDoc;
    for (const child of doc.manifests ?? []) {
      const childBytes = await store.manifest(child.digest);
      children.set(child.digest, childBytes);
      await visit(childBytes);
    }
    for (const d of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])]) {
      if (blobs.has(d.digest)) continue;
      const stored = await store.blob(d.digest);
      blobs.set(d.digest, { digest: d.digest, actual: stored.digest, size: stored.size });
    }
  };
  await visit(rootBytes);
  const mediaType = (JSON.parse(rootBytes.toString('utf8')) as ManifestDoc).mediaType;
  return { digest: rootDigest, mediaType, manifestBytes: rootBytes, children, blobs: [...blobs.values()] };
}

function hex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

/** An OCI image layout directory; `ref` picks the index.json entry (the only one when absent). */
export async function readOciLayout(path: string, ref?: string): Promise<StoredImage> {
  const index = JSON.parse(await readFile(join(path, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
  const entries = ref === undefined ? index.manifests : index.manifests.filter((m) => m.annotations?.[REF_NAME_ANNOTATION] === ref);
  if (entries.length !== 1) throw new Error(`${path}: ${entries.length} index.json entries for ref ${ref ?? '(any)'}`);
  const blobFile = (digest: string): string => join(path, 'blobs', digest.slice(0, digest.indexOf(':')), hex(digest));
  const store: Store = { manifest: (d) => readFile(blobFile(d)), blob: (d) => sha256File(blobFile(d)) };
  const digest = entries[0]!.digest;
  return walk(store, await readFile(blobFile(digest)), digest);
}

/** A tar unpacked into a fresh scratch directory. */
export async function unpackTar(archive: string): Promise<string> {
  const dir = await scratchDir('unpacked');
  await runCommand('tar', ['-xf', archive, '-C', dir]);
  return dir;
}

export async function readOciArchive(archive: string, ref?: string): Promise<StoredImage> {
  return readOciLayout(await unpackTar(archive), ref);
}

/** skopeo's dir: format: manifest.json, blobs named by their hex digest, a version file. */
export async function readDir(path: string): Promise<StoredImage> {
  const bytes = await readFile(join(path, 'manifest.json'));
  const store: Store = {
    manifest: (d) => readFile(join(path, `${hex(d)}.manifest.json`)),
    blob: (d) => sha256File(join(path, hex(d))),
  };
  return walk(store, bytes, sha256(bytes));
}

/** A `docker save` archive: manifest.json names the config and layer files; no manifest is kept. */
export async function readDockerArchive(archive: string): Promise<StoredImage & { repoTags: string[] }> {
  const dir = await unpackTar(archive);
  const items = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Array<{ Config: string; Layers: string[]; RepoTags?: string[] }>;
  if (items.length !== 1) throw new Error(`${archive}: ${items.length} images in manifest.json`);
  const item = items[0]!;
  const blobs: StoredBlob[] = [];
  for (const path of [item.Config, ...item.Layers]) {
    const stored = await sha256File(join(dir, path));
    // Docker 25+ names blobs by digest; older archives name layers `<id>/layer.tar`.
    const named = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(path);
    blobs.push({ digest: named ? `sha256:${named[1]}` : stored.digest, actual: stored.digest, size: stored.size });
  }
  return { digest: undefined, mediaType: undefined, manifestBytes: undefined, children: new Map(), blobs, repoTags: item.RepoTags ?? [] };
}

/** A registry image over plain HTTP (or HTTPS with the harness CA), read with the test's own client. */
export async function readRegistryImage(registry: RunningRegistry, repository: string, reference: string): Promise<StoredImage> {
  const basicAuth = registry.mode === 'htpasswd-tls' && registry.username ? { username: registry.username, password: registry.password ?? '' } : undefined;
  const get = async (path: string, accept?: string): Promise<Buffer> => {
    const res = await probe(`${registry.url}/v2/${repository}/${path}`, { ca: registry.caPem, basicAuth, headers: accept ? { accept } : {}, timeoutMs: 60_000 });
    if (res.status !== 200) throw new Error(`GET ${path} of ${repository}: HTTP ${res.status} ${res.text().slice(0, 200)}`);
    return res.body;
  };
  const store: Store = {
    manifest: (d) => get(`manifests/${d}`, MANIFEST_ACCEPT),
    blob: async (d) => {
      const body = await get(`blobs/${d}`);
      return { digest: sha256(body), size: body.length };
    },
  };
  const root = await get(`manifests/${reference}`, MANIFEST_ACCEPT);
  return walk(store, root, sha256(root));
}

/** Status of a manifest HEAD with every manifest type accepted (404 when absent). */
export async function manifestStatus(registry: RunningRegistry, repository: string, reference: string): Promise<number> {
  const basicAuth = registry.mode === 'htpasswd-tls' && registry.username ? { username: registry.username, password: registry.password ?? '' } : undefined;
  const res = await probe(`${registry.url}/v2/${repository}/manifests/${reference}`, { method: 'HEAD', ca: registry.caPem, basicAuth, headers: { accept: MANIFEST_ACCEPT } });
  return res.status;
}

/** Names in a directory tree that look like temp files a writer left behind. */
export async function leftoverTempFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((name) => /(^|\/)\.ferry-|\.tmp$|\.partial$/.test(name));
}
