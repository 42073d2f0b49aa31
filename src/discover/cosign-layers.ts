import type { Descriptor } from '../oci/descriptor.js';
import { parseManifest } from '../oci/manifest.js';
import type { Attachment } from '../referrers/types.js';
import type { ImageSource, ReadOptions } from '../transport/types.js';
import type { DiscoveredAttachment } from './discover.js';

/**
 * A cosign tag's listing says nothing but its digest: what it holds (how many signatures,
 * which predicate types, when they were logged) is in its layers' annotations, so
 * discover reads each cosign manifest once. Referrers need no read: their listing
 * carries artifactType and annotations already.
 */
export async function withCosignLayers(source: ImageSource, a: Attachment, opts: ReadOptions): Promise<DiscoveredAttachment> {
  const attachments = await Promise.all(a.attachments.map((child) => withCosignLayers(source, child, opts)));
  if (a.via !== 'cosign-tag') return { ...a, attachments };
  const raw = await source.getManifest(a.descriptor.digest, opts);
  const doc = parseManifest(raw.bytes, raw.mediaType);
  const layers: Descriptor[] = doc.kind === 'image' ? doc.layers : [];
  return { ...a, layers, attachments };
}
