import type { Descriptor, Platform } from './descriptor.js';
import { validateDescriptor } from './descriptor.js';
import type { Digest } from './digest.js';
import { digestOf } from './digest.js';
import { MediaType, isIndexMediaType, isSchema1MediaType } from './media-types.js';
import { FerryError } from '../errors.js';
import { MAX_MANIFEST_BYTES, formatLimit } from './limits.js';

/**
 * The one error for a manifest over MAX_MANIFEST_BYTES; `what` names it and where it
 * is ("manifest v1 of docker://host/app:v1"), `size` is exact or "more than N".
 */
export function manifestTooLarge(what: string, size: number | string): FerryError {
  return new FerryError('ERR_TOO_LARGE', `${what} is ${size} bytes, over the ${formatLimit(MAX_MANIFEST_BYTES)} limit for manifests (${MAX_MANIFEST_BYTES} bytes)`);
}

/** Manifest bytes exactly as received: the truth digests are computed from. */
export interface RawManifest {
  bytes: Uint8Array;
  mediaType: string;
  digest: Digest;
}

export interface ImageManifest {
  kind: 'image';
  schemaVersion: 2;
  mediaType: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface IndexManifest {
  kind: 'index';
  schemaVersion: 2;
  mediaType: string;
  artifactType?: string;
  manifests: (Descriptor & { platform?: Platform })[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface Schema1Manifest {
  kind: 'schema1';
  mediaType: string;
  name?: string;
  tag?: string;
  architecture?: string;
}

export type Manifest = ImageManifest | IndexManifest | Schema1Manifest;

export function rawManifest(bytes: Uint8Array, mediaType?: string): RawManifest {
  const parsed = parseManifest(bytes, mediaType);
  return { bytes, mediaType: parsed.mediaType, digest: digestOf(bytes) };
}

/**
 * Parses manifest bytes. The media type comes from the body when present, else from
 * the Content-Type the registry sent, else from the document's shape.
 */
export function parseManifest(bytes: Uint8Array, contentType?: string): Manifest {
  if (bytes.byteLength > MAX_MANIFEST_BYTES) throw manifestTooLarge('manifest', bytes.byteLength);
  let doc: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    doc = v as Record<string, unknown>;
  } catch (e) {
    throw new FerryError('ERR_MANIFEST_INVALID', `manifest is not valid JSON: ${(e as Error).message}`);
  }
  const ct = contentType?.split(';')[0]?.trim();
  const bodyType = typeof doc['mediaType'] === 'string' ? (doc['mediaType'] as string) : undefined;
  if (doc['schemaVersion'] === 1 || isSchema1MediaType(bodyType ?? ct)) {
    return {
      kind: 'schema1',
      mediaType: isSchema1MediaType(ct) ? ct! : MediaType.DockerSchema1Signed,
      name: typeof doc['name'] === 'string' ? doc['name'] : undefined,
      tag: typeof doc['tag'] === 'string' ? doc['tag'] : undefined,
      architecture: typeof doc['architecture'] === 'string' ? doc['architecture'] : undefined,
    } as Schema1Manifest;
  }
  if (doc['schemaVersion'] !== 2) {
    throw new FerryError('ERR_MANIFEST_INVALID', `unsupported manifest schemaVersion ${String(doc['schemaVersion'])}`);
  }
  const generic = ct && ct !== 'application/json' && ct !== 'application/octet-stream' && ct !== 'text/plain' ? ct : undefined;
  const isIndex = Array.isArray(doc['manifests']) || isIndexMediaType(bodyType);
  const mediaType = bodyType ?? generic ?? (isIndex ? MediaType.OciIndex : MediaType.OciManifest);
  const artifactType = typeof doc['artifactType'] === 'string' ? doc['artifactType'] : undefined;
  const annotations = doc['annotations'] as Record<string, string> | undefined;
  const subject = doc['subject'] === undefined ? undefined : validateDescriptor(doc['subject'], 'manifest subject');
  if (isIndex) {
    const list = doc['manifests'];
    if (!Array.isArray(list)) throw new FerryError('ERR_MANIFEST_INVALID', 'index has no "manifests" array');
    const manifests = list.map((m, i) => validateDescriptor(m, `index entry ${i}`));
    return { kind: 'index', schemaVersion: 2, mediaType, artifactType, manifests, subject, annotations };
  }
  const config = validateDescriptor(doc['config'], 'manifest config');
  const layersRaw = doc['layers'] ?? [];
  if (!Array.isArray(layersRaw)) throw new FerryError('ERR_MANIFEST_INVALID', 'manifest "layers" is not an array');
  const layers = layersRaw.map((l, i) => validateDescriptor(l, `layer ${i}`));
  return { kind: 'image', schemaVersion: 2, mediaType, artifactType, config, layers, subject, annotations };
}

/** Image manifests only; an index or schema 1 is an error naming what it is. */
export function expectImage(m: Manifest, where: string): ImageManifest {
  if (m.kind === 'image') return m;
  throw new FerryError('ERR_UNSUPPORTED', `${where} is ${m.kind === 'index' ? 'an index' : 'a Docker schema 1 manifest'}, expected an image manifest`);
}

/** Serialises a manifest ferry built or rewrote (never used for manifests copied unchanged). */
export function encodeManifest(doc: object): Uint8Array {
  return Buffer.from(JSON.stringify(doc), "utf8");
}

const imageConfigTypes = new Set<string>([MediaType.OciConfig, MediaType.DockerConfig]);

/** A manifest is an image (not a Helm chart or other artifact) when its config says so. */
export function isImage(m: ImageManifest): boolean {
  return imageConfigTypes.has(m.config.mediaType) && m.artifactType === undefined;
}
