import { FerryError } from '../../errors.js';
import type { Descriptor } from '../../oci/descriptor.js';
import { validateDescriptor } from '../../oci/descriptor.js';
import type { Digest } from '../../oci/digest.js';
import { digestAlgorithm, digestHex, isDigest } from '../../oci/digest.js';
import { MediaType } from '../../oci/media-types.js';
import { isAttachmentTag } from '../../oci/attachment-tag.js';

/** The files of an OCI image layout (image-spec image-layout.md) and index.json handling. */

export const INDEX_FILE = 'index.json';
export const LAYOUT_FILE = 'oci-layout';
export const BLOBS_DIR = 'blobs';
export const LAYOUT_VERSION = '1.0.0';
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export function blobPath(digest: Digest): string {
  if (!isDigest(digest)) throw new FerryError('ERR_MANIFEST_INVALID', `invalid digest "${digest}"`);
  return `${BLOBS_DIR}/${digestAlgorithm(digest)}/${digestHex(digest)}`;
}

/** A blob's path inside a shared blob directory: the layout's path without "blobs/". */
export function sharedBlobPath(digest: Digest): string {
  return blobPath(digest).slice(BLOBS_DIR.length + 1);
}

export function layoutFileBytes(): Uint8Array {
  return Buffer.from(JSON.stringify({ imageLayoutVersion: LAYOUT_VERSION }), 'utf8');
}

export function checkLayoutFile(bytes: Uint8Array, where: string): void {
  let version: unknown;
  try {
    version = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
  } catch {
    throw new FerryError('ERR_LAYOUT', `${where}: corrupt oci-layout file (not JSON)`);
  }
  if (typeof version !== 'string' || !version.startsWith('1.')) {
    throw new FerryError('ERR_LAYOUT', `${where}: unsupported OCI layout version ${JSON.stringify(version)}`);
  }
}

/** index.json as read: the whole document (unknown fields survive a rewrite) and its entries. */
export interface LayoutIndex {
  doc: Record<string, unknown>;
  manifests: Descriptor[];
}

export function emptyIndex(): LayoutIndex {
  return { doc: { schemaVersion: 2, mediaType: MediaType.OciIndex }, manifests: [] };
}

export function parseIndexJson(bytes: Uint8Array, where: string): LayoutIndex {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw new FerryError('ERR_LAYOUT', `${where}: corrupt index.json: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new FerryError('ERR_LAYOUT', `${where}: corrupt index.json: not a JSON object`);
  }
  const record = doc as Record<string, unknown>;
  const list = record['manifests'] ?? [];
  if (!Array.isArray(list)) throw new FerryError('ERR_LAYOUT', `${where}: corrupt index.json: "manifests" is not an array`);
  try {
    return { doc: record, manifests: list.map((m, i) => validateDescriptor(m, `index.json entry ${i}`)) };
  } catch (e) {
    throw new FerryError('ERR_LAYOUT', `${where}: corrupt index.json: ${(e as Error).message}`);
  }
}

export function encodeIndexJson(index: LayoutIndex): Uint8Array {
  return Buffer.from(JSON.stringify({ ...index.doc, schemaVersion: 2, manifests: index.manifests }), 'utf8');
}

export function refNameOf(desc: Descriptor): string | undefined {
  const name = desc.annotations?.[REF_NAME_ANNOTATION];
  return name === '' ? undefined : name;
}

function describeEntries(manifests: Descriptor[]): string {
  return manifests.map((m) => refNameOf(m) ?? m.digest).join(', ');
}

/** The entry a location names: by ref name, or the only entry when no ref was given. */
export function resolveRef(index: LayoutIndex, ref: string | undefined, where: string): Descriptor {
  if (ref !== undefined) {
    const hit = index.manifests.filter((m) => refNameOf(m) === ref);
    const last = hit[hit.length - 1];
    if (last) return last;
    const known = index.manifests.length ? ` (index.json has: ${describeEntries(index.manifests)})` : ' (index.json is empty)';
    throw new FerryError('ERR_NOT_FOUND', `${where}: no image named "${ref}"${known}`);
  }
  // attachments kept beside an image (cosign tags, the referrers index) are not candidates
  const images = index.manifests.filter((m) => !isAttachmentTag(refNameOf(m) ?? ''));
  const candidates = images.length ? images : index.manifests;
  const [only, ...rest] = candidates;
  if (!only) throw new FerryError('ERR_NOT_FOUND', `${where}: index.json lists no images`);
  if (rest.length) {
    throw new FerryError('ERR_LAYOUT', `${where}: index.json lists ${rest.length + 1} images, name one with :REF (${describeEntries(candidates)})`);
  }
  return only;
}

/**
 * index.json with `desc` added. Like containers/image: an entry with the same ref name
 * is replaced; an unnamed entry replaces an unnamed one with the same digest; all other
 * entries are kept in order.
 */
export function withEntry(index: LayoutIndex, desc: Descriptor): LayoutIndex {
  const name = refNameOf(desc);
  const same = (m: Descriptor): boolean => (name === undefined ? refNameOf(m) === undefined && m.digest === desc.digest : refNameOf(m) === name);
  const i = index.manifests.findIndex(same);
  const manifests = i < 0 ? [...index.manifests, desc] : index.manifests.map((m, j) => (j === i ? desc : m)).filter((m, j) => j <= i || !same(m));
  return { doc: index.doc, manifests };
}
