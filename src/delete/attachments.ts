import { FerryError, isFerryError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { discoverAttachments } from '../referrers/discover.js';
import { isAttachmentTag, referrersTag } from '../referrers/tags.js';
import type { Attachment, AttachmentKind } from '../referrers/types.js';
import type { ImageDestination, ImageSource } from '../transport/types.js';
import { deleteTagViaPlaceholder, type DeletingDestination } from './placeholder.js';

/** One manifest `delete --referrers` removed besides the one named. */
export interface DeletedAttachment {
  digest: Digest;
  /** The attachment's kind, or 'referrers-index' for a `sha256-<hex>` index of the tag schema. */
  kind: AttachmentKind | 'referrers-index';
  /** What it was attached to. */
  subject: Digest;
  /** The tag it lived under (cosign tags, the referrers index), removed with it. */
  tag?: string;
  artifactType?: string;
  /** false when it was already gone (a stale entry of a referrers index). */
  deleted: boolean;
  /** Set when only the tag went: these other tags point at the same manifest, which stays. */
  sharedWith?: string[];
}

/** Where attachments are read and deleted, and how the repository is named in messages. */
export interface AttachmentDeletion {
  source: ImageSource;
  dest: DeletingDestination;
  /** "docker://host/repo" */
  repository: string;
  signal?: AbortSignal;
}

/**
 * Deletes everything attached to `subject`, deepest first, so that a failure midway never
 * leaves an attachment whose subject is gone: each attachment's own attachments, then its
 * `sha256-<hex>` index, then itself; last the subject's own index. The subject itself is
 * the caller's to delete. Deleting by digest takes every tag on that manifest along
 * (cosign's tags go that way).
 */
export async function deleteAttachments(d: AttachmentDeletion, subject: Digest): Promise<DeletedAttachment[]> {
  const { source, dest, signal } = d;
  const read = signal ? { signal } : {};
  const tags = source.listTags ? await source.listTags(read) : [];
  const tree = (await discoverAttachments(source, [subject], { ...read, tags })).get(subject) ?? [];
  const tagSet = new Set(tags);
  const done: DeletedAttachment[] = [];

  const removeIndexOf = async (digest: Digest) => {
    const tag = referrersTag(digest);
    if (!tagSet.has(tag) || !source.headTag) return;
    const head = await source.headTag(tag, read);
    if (!head?.digest) return;
    const deleted = await removeManifest(dest, head.digest, `referrers index ${tag} of ${digest}`, signal);
    done.push({ digest: head.digest, kind: 'referrers-index', subject: digest, tag, deleted });
  };
  const removeTree = async (a: Attachment): Promise<void> => {
    for (const child of a.attachments) await removeTree(child);
    await removeIndexOf(a.descriptor.digest);
    const shared = a.tag?.endsWith('.sbom') ? await otherTagsOn(source, a.descriptor.digest, a.tag, tags, signal) : [];
    const deleted = shared.length
      ? await removeTagOnly(d, a.tag!, a.descriptor.digest)
      : await removeManifest(dest, a.descriptor.digest, `${a.kind} ${a.descriptor.digest} attached to ${a.subject}`, signal);
    done.push({
      digest: a.descriptor.digest,
      kind: a.kind,
      subject: a.subject,
      ...(a.tag ? { tag: a.tag } : {}),
      ...(a.descriptor.artifactType ? { artifactType: a.descriptor.artifactType } : {}),
      deleted,
      ...(shared.length ? { sharedWith: shared } : {}),
    });
  };
  for (const a of tree) await removeTree(a);
  await removeIndexOf(subject);
  return done;
}

/**
 * Other `.sbom` tags on the same manifest. cosign's `.sig` and `.att` manifests name
 * their subject inside (the signed payload, the in-toto statement), so no two images
 * share one; an SBOM attached as is does not, and two images with the same SBOM share
 * the `.sbom` manifest. Deleting it by digest would take the other image's tag along.
 */
async function otherTagsOn(source: ImageSource, digest: Digest, tag: string, tags: readonly string[], signal?: AbortSignal): Promise<string[]> {
  if (!source.headTag) return [];
  const others = tags.filter((t) => t !== tag && t.endsWith('.sbom') && isAttachmentTag(t));
  const heads = await Promise.all(others.map(async (t) => ((await source.headTag!(t, signal ? { signal } : {}))?.digest === digest ? t : undefined)));
  return heads.filter((t): t is string => t !== undefined);
}

/** Only the tag goes (the manifest stays for the other tags on it): the registry's tag delete, else the placeholder route. */
async function removeTagOnly(d: AttachmentDeletion, tag: string, digest: Digest): Promise<boolean> {
  if (await d.dest.deleteTag(tag, d.signal ? { signal: d.signal } : {})) return true;
  await deleteTagViaPlaceholder(d.source, d.dest, { tag, original: digest, repository: d.repository, ...(d.signal ? { signal: d.signal } : {}) });
  return true;
}

/** false when the manifest was already gone (a referrers index can outlive what it lists). */
async function removeManifest(dest: DeletingDestination, digest: Digest, subject: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await dest.deleteManifest(digest, { ...(signal ? { signal } : {}), subject });
    return true;
  } catch (e) {
    if (isFerryError(e) && e.code === 'ERR_NOT_FOUND' && e.status === 404) return false;
    throw e;
  }
}

/** The manifest must be there before anything attached to it is deleted. */
export async function requireManifest(dest: Pick<ImageDestination, 'hasManifest' | 'description'>, digest: Digest, signal?: AbortSignal): Promise<void> {
  if (!(await dest.hasManifest(digest, signal ? { signal } : {}))) {
    throw new FerryError('ERR_NOT_FOUND', `cannot delete manifest ${digest}: not found in ${dest.description}; nothing was deleted`);
  }
}
