import { FerryError, UsageError } from '../errors.js';
import type { OperationOptions } from '../events.js';
import type { Digest } from '../oci/digest.js';
import { repositoryName } from '../reference/docker-reference.js';
import { formatLocation, type Location } from '../reference/location.js';
import { openDestination, openSource, toLocation, type SessionOptions, type SideOptions } from '../transport/open.js';
import { withPool } from '../transport/session.js';
import type { ImageDestination, ImageSource } from '../transport/types.js';
import { deleteAttachments, requireManifest, type DeletedAttachment } from './attachments.js';
import { deleteTagViaPlaceholder, type DeletingDestination } from './placeholder.js';

/** Options of {@link deleteImage}. */
export interface DeleteRequest extends OperationOptions, SessionOptions, SideOptions {
  /** skopeo's behaviour for a tag: delete the manifest behind it (and every other tag on it). */
  manifest?: boolean;
  /**
   * Delete what is attached to the manifest too (signatures, attestations, SBOMs, their
   * `sha256-<hex>` referrers indexes and cosign tags), transitively, before the manifest.
   * Only where a manifest is deleted: by digest, or a tag with `manifest`.
   */
  referrers?: boolean;
}

export interface DeleteResult {
  /** What was removed: a manifest (with all its tags) or one tag. */
  removed: 'manifest' | 'tag';
  digest: Digest;
  /** How a tag was removed: the registry's tag delete, or a placeholder manifest. */
  method?: 'tag-delete' | 'placeholder';
  /** With `referrers`: what was deleted besides the manifest, in the order it went. */
  attachments?: DeletedAttachment[];
}

/** The digest a tag points at: one HEAD, or a GET when the HEAD names no digest. */
async function resolveTag(source: ImageSource, tag: string, signal?: AbortSignal): Promise<Digest> {
  if (source.headManifest) {
    const head = await source.headManifest({ signal });
    if (!head) throw new FerryError('ERR_NOT_FOUND', `cannot delete tag ${tag}: not found in ${source.description}`);
    if (head.digest) return head.digest;
  }
  return (await source.getManifest(undefined, { signal })).digest;
}

function deletable(dest: ImageDestination): DeletingDestination {
  if (!dest.deleteManifest || !dest.deleteTag) throw new FerryError('ERR_UNSUPPORTED', `${dest.description}: this location cannot delete images`);
  return dest as DeletingDestination;
}

/**
 * `ferry delete`: by digest, the manifest (every tag on it goes too); by tag, only that
 * tag unless `manifest` is set. Registries only: the location is opened through the
 * transport like any other, and the destination's delete capabilities do the work.
 */
export async function deleteImage(input: string | Location, request: DeleteRequest = {}): Promise<DeleteResult> {
  const loc = toLocation(input);
  if (loc.kind !== 'docker') throw new FerryError('ERR_UNSUPPORTED', `delete works on docker:// locations, not ${loc.kind}:`);
  const ref = loc.ref;
  const repository = `docker://${repositoryName(ref)}`;
  const signal = request.signal;
  if (request.referrers && !ref.digest && !request.manifest) {
    throw new UsageError(`deleting what is attached to ${formatLocation(loc)} needs the manifest deleted too`, { hint: 'name it by digest, or add `manifest: true`' });
  }
  return withPool(request, async (pool) => {
    const source = await openSource(loc, request, request, pool);
    try {
      const dest = await openDestination(loc, request, request, pool);
      const target = deletable(dest);
      const removeManifest = async (digest: Digest): Promise<DeleteResult> => {
        let attachments: DeletedAttachment[] | undefined;
        if (request.referrers) {
          await requireManifest(target, digest, signal);
          attachments = await deleteAttachments({ source, dest: target, repository, ...(signal ? { signal } : {}) }, digest);
        }
        await target.deleteManifest(digest, { signal });
        return { removed: 'manifest', digest, ...(attachments ? { attachments } : {}) };
      };
      if (ref.digest) return await removeManifest(ref.digest);
      const tag = ref.tag ?? 'latest';
      const digest = await resolveTag(source, tag, signal);
      if (request.manifest) return await removeManifest(digest);
      if (await target.deleteTag(tag, { signal })) return { removed: 'tag', digest, method: 'tag-delete' };
      const note = `the registry does not delete tags by themselves; moving tag ${tag} to a placeholder manifest and deleting that`;
      request.log?.(note);
      request.onEvent?.({ type: 'note', message: note });
      await deleteTagViaPlaceholder(source, target, { tag, original: digest, repository, signal });
      return { removed: 'tag', digest, method: 'placeholder' };
    } finally {
      await source.close();
    }
  });
}
