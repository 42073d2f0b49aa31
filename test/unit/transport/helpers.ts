// Shared by the transport tests: temp folders, the checked-in fixtures, and the tiny
// copy loop the tests drive destinations with (the real engine lives in src/copy).
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach } from 'vitest';
import type { Descriptor } from '../../../src/oci/descriptor.js';
import type { RawManifest } from '../../../src/oci/manifest.js';
import { parseManifest } from '../../../src/oci/manifest.js';
import type { ImageDestination, ImageSource } from '../../../src/transport/types.js';

export const FIXTURES = resolve(import.meta.dirname, '../../../fixtures');
export const HELLO = join(FIXTURES, 'hello-oci');
export const MULTI = join(FIXTURES, 'multi-oci');
export const HELLO_DIGEST = 'sha256:48c8d435e41c2ebc4e3662696cc62fb52117ba1857264eb15c35592eae811d56';
export const MULTI_DIGEST = 'sha256:d5c117ede0caf6e45a1bb20a70df0eb4dc00e4136c14acd0f0f9a2446c5ae98b';

const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A fresh temp folder removed after the current test. */
export async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'ferry-transport-'));
  made.push(d);
  return d;
}

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

/** Every file under `dir`, as relative paths. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

export async function readJson<T = unknown>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

export function blobsOf(raw: RawManifest): Descriptor[] {
  const m = parseManifest(raw.bytes, raw.mediaType);
  return m.kind === 'image' ? [m.config, ...m.layers] : [];
}

/**
 * Reads the source's root, streams every blob (children first for an index), puts the
 * manifests children first and root last, then commits. A destination without index
 * support gets the index's first image.
 */
export async function copyLoop(source: ImageSource, dest: ImageDestination, tag?: string): Promise<RawManifest> {
  let root = await source.getManifest(undefined);
  const parsed = parseManifest(root.bytes, root.mediaType);
  const children: RawManifest[] = [];
  if (parsed.kind === 'index') {
    if (dest.supportsIndex) {
      for (const c of parsed.manifests) children.push(await source.getManifest(c.digest));
    } else {
      root = await source.getManifest(parsed.manifests[0]!.digest);
    }
  }
  for (const raw of [...children, root]) {
    for (const d of blobsOf(raw)) {
      if (await dest.hasBlob(d)) continue;
      const { stream } = await source.getBlob(d);
      await dest.putBlob(d, stream);
    }
  }
  for (const c of children) await dest.putManifest(c, undefined);
  await dest.putManifest(root, tag);
  await dest.commit();
  return root;
}
