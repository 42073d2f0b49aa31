// Writes OCI image layouts (image-layout spec 1.0) by hand, so fixtures never
// depend on the code under test.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scratchDir } from './scratch.js';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  artifactType?: string;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Creates an empty layout, in a fresh temp dir unless one is given. */
export async function createLayout(dir?: string): Promise<string> {
  const layout = dir ?? (await scratchDir('fixture'));
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return layout;
}

export async function writeBlob(layout: string, bytes: Uint8Array, mediaType: string): Promise<Descriptor> {
  const digest = sha256(bytes);
  await writeFile(join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes);
  return { mediaType, digest, size: bytes.byteLength };
}

/** Serialises a JSON document once and stores those exact bytes: the digest is of these bytes. */
export async function writeJsonBlob(layout: string, document: unknown, mediaType: string): Promise<{ descriptor: Descriptor; bytes: Buffer }> {
  const bytes = Buffer.from(JSON.stringify(document));
  return { descriptor: await writeBlob(layout, bytes, mediaType), bytes };
}

export async function readBlob(layout: string, digest: string): Promise<Buffer> {
  return readFile(join(layout, 'blobs', 'sha256', digest.replace(/^sha256:/, '')));
}

/** Adds a tagged entry to the layout's index.json, replacing any entry with the same tag. */
export async function tagInLayout(layout: string, descriptor: Descriptor, tag: string): Promise<void> {
  const indexPath = join(layout, 'index.json');
  let index: { schemaVersion: number; mediaType?: string; manifests: Descriptor[] };
  try {
    index = JSON.parse(await readFile(indexPath, 'utf8')) as typeof index;
  } catch {
    index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] };
  }
  index.manifests = index.manifests.filter((m) => m.annotations?.[REF_NAME_ANNOTATION] !== tag);
  const { platform: _platform, ...plain } = descriptor;
  index.manifests.push({ ...plain, annotations: { ...descriptor.annotations, [REF_NAME_ANNOTATION]: tag } });
  await writeFile(indexPath, JSON.stringify(index, null, 2));
}
