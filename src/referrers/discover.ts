import type { Digest } from '../oci/digest.js';
import type { ReadOptions } from '../transport/types.js';
import { listAttachedTo, type AttachmentReader, type DirectAttachment } from './listing.js';
import { isSelected, serverFilter, wantsAttachments } from './selection.js';
import type { Attachment, AttachmentSelection } from './types.js';

/** Levels below a subject that are followed (a signature on an SBOM on an image is 2). */
export const MAX_ATTACHMENT_DEPTH = 4;
/** Subjects looked at in parallel; each costs a few small requests at most. */
const PARALLEL_SUBJECTS = 4;

export interface DiscoverOptions extends ReadOptions {
  selection?: AttachmentSelection;
  /**
   * The repository's tag list, read once by the caller (sync has it already). Cosign and
   * referrers-schema tags are looked up in it, never probed one by one. When absent it is
   * read here, once, if the location can list tags.
   */
  tags?: Iterable<string>;
}

/**
 * What is attached to each subject, transitively (a signature on an SBOM comes with the
 * SBOM), down to MAX_ATTACHMENT_DEPTH levels and never around a cycle. Subjects with
 * nothing attached map to an empty list.
 *
 * Cost: nothing for a tag the tag list does not have; one referrers query per subject and
 * attachment where the location has the API (a registry without it is asked once per
 * host and client pool); one GET per `sha256-<hex>` index and one HEAD per cosign tag found.
 */
export async function discoverAttachments(
  reader: AttachmentReader & { listTags?: (opts?: ReadOptions) => Promise<string[]> },
  subjects: readonly Digest[],
  opts: DiscoverOptions = {},
): Promise<Map<Digest, Attachment[]>> {
  const result = new Map<Digest, Attachment[]>();
  for (const s of subjects) result.set(s, []);
  const selection = opts.selection ?? {};
  if (!wantsAttachments(selection) || subjects.length === 0) return result;
  const read: ReadOptions = opts.signal ? { signal: opts.signal } : {};
  const tags = new Set(opts.tags ?? (reader.listTags ? await reader.listTags(read) : []));
  const artifactType = serverFilter(selection);
  const listing = { ...read, tags, ...(artifactType ? { artifactType } : {}) };

  const walk = async (subject: Digest, ancestors: ReadonlySet<Digest>): Promise<Attachment[]> => {
    if (ancestors.size >= MAX_ATTACHMENT_DEPTH) return [];
    const direct = (await listAttachedTo(reader, subject, listing)).filter((a) => isSelected(a, selection));
    const below = new Set(ancestors).add(subject);
    const fresh = direct.filter((a: DirectAttachment) => !below.has(a.descriptor.digest));
    return Promise.all(fresh.map(async (a) => ({ ...a, attachments: await walk(a.descriptor.digest, below) })));
  };

  const queue = [...new Set(subjects)];
  // the first subject goes alone: it settles whether the location has the referrers API
  const first = queue.shift()!;
  result.set(first, await walk(first, new Set()));
  const worker = async () => {
    for (let s = queue.shift(); s !== undefined; s = queue.shift()) result.set(s, await walk(s, new Set()));
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_SUBJECTS, queue.length) }, worker));
  return result;
}

/** Every attachment of a tree, depth first, parents before what is attached to them. */
export function flattenAttachments(list: readonly Attachment[]): Attachment[] {
  return list.flatMap((a) => [a, ...flattenAttachments(a.attachments)]);
}
