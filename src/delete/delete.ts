import { FerryError } from '../errors.js';
import type { OperationOptions } from '../events.js';
import type { Digest } from '../oci/digest.js';
import { repositoryName } from '../reference/docker-reference.js';
import type { Location } from '../reference/location.js';
import { openDestination, openSource, toLocation, type SessionOptions, type SideOptions } from '../transport/open.js';
import { withPool } from '../transport/session.js';
import type { ImageDestination, ImageSource } from '../transport/types.js';
import { deleteTagViaPlaceholder, type DeletingDestination } from './placeholder.js';

/** Options of {@link deleteImage}. */
export interface DeleteRequest extends OperationOptions, SessionOptions, SideOptions {
  /** skopeo's behaviour for a tag: delete the manifest behind it (and every other tag on it). */
  manifest?: boolean;
}

export interface DeleteResult {
  /** What was removed: a manifest (with all its tags) or one tag. */
  removed: 'manifest' | 'tag';
  digest: Digest;
  /** How a tag was removed: the registry's tag delete, or a placeholder manifest. */
  method?: 'tag-delete' | 'placeholder';
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
  return withPool(request, async (pool) => {
    const source = await openSource(loc, request, request, pool);
    try {
      const dest = await openDestination(loc, request, request, pool);
      const target = deletable(dest);
      if (ref.digest) {
        await target.deleteManifest(ref.digest, { signal });
        return { removed: 'manifest', digest: ref.digest };
      }
      const tag = ref.tag ?? 'latest';
      const digest = await resolveTag(source, tag, signal);
      if (request.manifest) {
        await target.deleteManifest(digest, { signal });
        return { removed: 'manifest', digest };
      }
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
