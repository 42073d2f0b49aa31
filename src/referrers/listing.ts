import { FerryError, isFerryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { parseManifest } from '../oci/manifest.js';
import type { ImageSource, ReadOptions } from '../transport/types.js';
import { kindOfCosignTag, kindOfReferrer } from './classify.js';
import { COSIGN_SUFFIXES, cosignTag, referrersTag } from './tags.js';
import type { Attachment } from './types.js';

/** An attachment found for one subject, before its own attachments are looked for. */
export type DirectAttachment = Omit<Attachment, 'attachments'>;

/** What discovery reads from: a source, or a destination that can read (delete --referrers). */
export type AttachmentReader = Pick<ImageSource, 'description' | 'listReferrers' | 'getTaggedManifest' | 'headTag'>;

export interface ListingOptions extends ReadOptions {
  /** The repository's tags, read once by the caller: cosign and fallback tags are looked up here. */
  tags: ReadonlySet<string>;
  /** Sent to a referrers API's filter (the caller filters again). */
  artifactType?: string;
}

/**
 * Everything directly attached to `subject`: the referrers API where the location has
 * one, else the `sha256-<hex>` index when the tag list has it; then cosign's tags that
 * the tag list has. Costs nothing for a tag that is not in the list.
 */
export async function listAttachedTo(reader: AttachmentReader, subject: Digest, opts: ListingOptions): Promise<DirectAttachment[]> {
  const [referrers, cosign] = await Promise.all([listReferrersOf(reader, subject, opts), listCosignTags(reader, subject, opts)]);
  return [...referrers, ...cosign];
}

async function listReferrersOf(reader: AttachmentReader, subject: Digest, opts: ListingOptions): Promise<DirectAttachment[]> {
  const read: ReadOptions = opts.signal ? { signal: opts.signal } : {};
  const api = reader.listReferrers ? await reader.listReferrers(subject, { ...read, ...(opts.artifactType ? { artifactType: opts.artifactType } : {}) }) : 'unsupported';
  if (api !== 'unsupported') return unique(api).map((descriptor) => ({ subject, descriptor, via: 'referrers-api', kind: kindOfReferrer(descriptor) }));
  const tag = referrersTag(subject);
  if (!opts.tags.has(tag) || !reader.getTaggedManifest) return [];
  return unique(await readFallbackIndex(reader, tag, read)).map((descriptor) => ({ subject, descriptor, via: 'referrers-tag', kind: kindOfReferrer(descriptor) }));
}

/** The descriptors of a `sha256-<hex>` index; a tag that is not a readable index is an error naming it. */
export async function readFallbackIndex(reader: AttachmentReader, tag: string, opts: ReadOptions = {}): Promise<Descriptor[]> {
  const where = `referrers index ${tag} of ${reader.description}`;
  try {
    const raw = await reader.getTaggedManifest!(tag, opts);
    if (!raw) return [];
    const doc = parseManifest(raw.bytes, raw.mediaType);
    if (doc.kind !== 'index') throw new FerryError('ERR_MANIFEST_INVALID', `it is ${doc.kind === 'image' ? 'an image manifest' : 'a schema 1 manifest'}, not an index`);
    return doc.manifests;
  } catch (e) {
    if (!isFerryError(e) || e.code === 'ERR_ABORTED' || e.message.includes(where)) throw e;
    throw new FerryError(e.code, `${where}: ${e.message}`, { cause: e, ...(e.status ? { status: e.status } : {}), ...(e.registryCode ? { registryCode: e.registryCode } : {}) });
  }
}

async function listCosignTags(reader: AttachmentReader, subject: Digest, opts: ListingOptions): Promise<DirectAttachment[]> {
  const present = COSIGN_SUFFIXES.map((suffix) => ({ suffix, tag: cosignTag(subject, suffix) })).filter((t) => opts.tags.has(t.tag));
  const found = await Promise.all(
    present.map(async ({ suffix, tag }): Promise<DirectAttachment | undefined> => {
      const descriptor = await tagDescriptor(reader, tag, opts);
      return descriptor && { subject, descriptor, via: 'cosign-tag', tag, kind: kindOfCosignTag(suffix) };
    }),
  );
  return found.filter((a): a is DirectAttachment => a !== undefined);
}

/** A tag's descriptor from one HEAD; a GET when the HEAD gave no digest. Undefined when it vanished since the tag list. */
async function tagDescriptor(reader: AttachmentReader, tag: string, opts: ReadOptions): Promise<Descriptor | undefined> {
  const read: ReadOptions = opts.signal ? { signal: opts.signal } : {};
  const head = reader.headTag ? await reader.headTag(tag, read) : undefined;
  if (head?.digest && head.mediaType && head.size !== undefined) return { mediaType: head.mediaType, digest: head.digest, size: head.size };
  if ((reader.headTag && !head) || !reader.getTaggedManifest) return undefined;
  const raw = await reader.getTaggedManifest(tag, read);
  return raw && { mediaType: raw.mediaType, digest: raw.digest, size: raw.bytes.byteLength };
}

/** First of each digest: a registry or an index may list one referrer twice. */
function unique(list: readonly Descriptor[]): Descriptor[] {
  const seen = new Set<string>();
  return list.filter((d) => !seen.has(d.digest) && (seen.add(d.digest), true));
}
