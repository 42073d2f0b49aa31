import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import type { RawManifest } from '../oci/manifest.js';
import { encodeManifest, rawManifest } from '../oci/manifest.js';
import { convertMediaType } from './convert.js';
import type { ManifestFormat } from './options.js';

/**
 * Manifest rewrites (pure). They edit the parsed JSON document so fields ferry does not
 * model survive, and return the original RawManifest untouched when nothing changed, so
 * digests are preserved unless a change was asked for.
 */

type Doc = Record<string, unknown> & { mediaType?: string };

function parse(raw: RawManifest): Doc {
  return JSON.parse(Buffer.from(raw.bytes).toString('utf8')) as Doc;
}

function finish(raw: RawManifest, doc: Doc, changed: boolean): RawManifest {
  return changed ? rawManifest(encodeManifest(doc)) : raw;
}

export interface ImageRewrite {
  /** Replacement descriptors by old digest (recompressed layers). */
  layers?: Map<Digest, Descriptor>;
  format?: ManifestFormat;
}

export function rewriteImage(raw: RawManifest, change: ImageRewrite): RawManifest {
  const doc = parse(raw);
  let changed = false;
  const layers = (doc['layers'] as Descriptor[] | undefined) ?? [];
  const config = doc['config'] as Descriptor;
  if (change.format) {
    const mt = convertMediaType(raw.mediaType, change.format, `manifest ${raw.digest}`);
    if (mt !== raw.mediaType) {
      doc.mediaType = mt;
      config.mediaType = convertMediaType(config.mediaType, change.format, `config of ${raw.digest}`);
      for (const l of layers) l.mediaType = convertMediaType(l.mediaType, change.format, `layer ${l.digest}`);
      if (change.format === 'v2s2') {
        // Docker v2 schema 2 has no place for these OCI fields
        delete doc['annotations'];
        delete doc['artifactType'];
        delete doc['subject'];
      }
      changed = true;
    }
  }
  if (change.layers && change.layers.size > 0) {
    doc['layers'] = layers.map((l) => {
      const replacement = change.layers!.get(l.digest);
      if (!replacement) return l;
      changed = true;
      return { ...l, mediaType: replacement.mediaType, digest: replacement.digest, size: replacement.size };
    });
  }
  return finish(raw, doc, changed);
}

export interface IndexRewrite {
  /** The children to list, in order; a child whose digest changed carries its new descriptor. */
  children: Descriptor[];
  format?: ManifestFormat;
}

export function rewriteIndex(raw: RawManifest, change: IndexRewrite): RawManifest {
  const doc = parse(raw);
  const before = JSON.stringify(doc['manifests']);
  const byDigest = new Map((doc['manifests'] as Descriptor[]).map((m) => [m.digest, m]));
  doc['manifests'] = change.children.map((c) => ({ ...(byDigest.get(c.digest) ?? {}), ...c }));
  let changed = JSON.stringify(doc['manifests']) !== before;
  if (change.format) {
    const mt = convertMediaType(raw.mediaType, change.format, `index ${raw.digest}`);
    if (mt !== raw.mediaType) {
      doc.mediaType = mt;
      if (change.format === 'v2s2') {
        delete doc['annotations'];
        delete doc['artifactType'];
        delete doc['subject'];
      }
      changed = true;
    }
  }
  return finish(raw, doc, changed);
}
