import { Readable } from 'node:stream';
import { AbortedError, FerryError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { formatDockerReference, repositoryName } from '../reference/docker-reference.js';
import type { Location } from '../reference/location.js';
import { registryClient, toLocation, type SessionOptions, type SideOptions } from '../transport/open.js';
import { headBlob, putUpload, startUpload } from '../transport/registry/blobs.js';
import { deleteManifest, getManifest, headManifest, putManifest, type RepoContext } from '../transport/registry/manifests.js';
import { withPool } from '../transport/session.js';
import { explainDeleteError, explainPlaceholderError, isRefusedTagDelete } from './delete-errors.js';
import { EMPTY_CONFIG, EMPTY_CONFIG_DESCRIPTOR, placeholderManifest } from './placeholder.js';

export interface DeleteRequest extends SessionOptions, SideOptions {
  signal?: AbortSignal;
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

/** The digest a tag points at: one HEAD, or a GET when the registry's HEAD names no digest. */
async function resolveTag(ctx: RepoContext, tag: string, signal?: AbortSignal): Promise<Digest> {
  const head = await headManifest(ctx, tag, signal);
  if (!head) throw new FerryError('ERR_NOT_FOUND', `cannot delete tag ${tag}: not found in ${ctx.location}`);
  return head.digest ?? (await getManifest(ctx, tag, signal)).digest;
}

async function deleteByDigest(ctx: RepoContext, digest: Digest, repository: string, signal?: AbortSignal): Promise<void> {
  try {
    await deleteManifest(ctx, digest, signal);
  } catch (e) {
    throw explainDeleteError(e, `manifest ${digest}`, repository, repository, ctx.client.authenticator.scheme);
  }
}

/**
 * Pushes a placeholder under the tag, then deletes the placeholder by digest: the tag
 * goes, the image and its other tags stay. Should that delete fail, or the caller abort
 * once the tag has moved, the tag is put back on the image before the error is
 * reported, so a failed or interrupted delete never retags anything. The put-back runs
 * without the caller's signal: stopping it halfway is what would lose the tag. Only a
 * kill between the two steps leaves the tag on the placeholder; deleting the tag again
 * then completes the job.
 */
async function deleteTagViaPlaceholder(ctx: RepoContext, tag: string, original: Digest, repository: string, signal?: AbortSignal): Promise<void> {
  const placeholder = placeholderManifest(tag);
  try {
    if ((await headBlob(ctx, EMPTY_CONFIG_DESCRIPTOR.digest, signal, 'push')) === undefined) {
      const upload = await startUpload(ctx, signal);
      await putUpload(ctx, upload, EMPTY_CONFIG_DESCRIPTOR, Readable.from([EMPTY_CONFIG]), signal);
    }
    if (signal?.aborted) throw new AbortedError();
    await putManifest(ctx, tag, placeholder, signal);
  } catch (e) {
    // an interrupted PUT may still have landed: put the tag back to be sure
    if (signal?.aborted) throw await restoreTag(ctx, tag, original, placeholder.digest, interrupted(tag, original), e);
    throw explainPlaceholderError(e, tag, repository);
  }
  try {
    await deleteManifest(ctx, placeholder.digest, signal);
  } catch (e) {
    const reported = signal?.aborted ? interrupted(tag, original) : (explainDeleteError(e, `tag ${tag}`, ctx.location, repository, ctx.client.authenticator.scheme) as Error);
    throw await restoreTag(ctx, tag, original, placeholder.digest, reported, e);
  }
}

function interrupted(tag: string, original: Digest): AbortedError {
  return new AbortedError(`delete of tag ${tag} interrupted; the tag is on ${original} as before`);
}

/** Puts `tag` back on `original` (without the abort signal) and answers the error to throw. */
async function restoreTag(ctx: RepoContext, tag: string, original: Digest, placeholder: Digest, reported: Error, cause: unknown): Promise<Error> {
  try {
    await putManifest(ctx, tag, await getManifest(ctx, original));
    return reported;
  } catch (restoreError) {
    return new FerryError(
      'ERR_REGISTRY',
      `${reported instanceof AbortedError ? `delete of tag ${tag} interrupted` : reported.message}; tag ${tag} is left on placeholder ${placeholder} and could not be put back on ${original}: ${(restoreError as Error).message}`,
      { cause },
    );
  }
}

/**
 * `ferry delete`: by digest, the manifest (every tag on it goes too); by tag, only that
 * tag unless `manifest` is set.
 */
export async function deleteImage(input: string | Location, request: DeleteRequest = {}): Promise<DeleteResult> {
  const loc = toLocation(input);
  if (loc.kind !== 'docker') throw new FerryError('ERR_UNSUPPORTED', `delete works on docker:// locations, not ${loc.kind}:`);
  const ref = loc.ref;
  const location = `docker://${formatDockerReference(ref)}`;
  const repository = `docker://${repositoryName(ref)}`;
  const signal = request.signal;
  return withPool(request, async (pool) => {
    const ctx: RepoContext = { client: registryClient(ref.registry, ref.repository, request, request, pool), repository: ref.repository, location };
    if (ref.digest) {
      await deleteByDigest(ctx, ref.digest, repository, signal);
      return { removed: 'manifest', digest: ref.digest };
    }
    const tag = ref.tag ?? 'latest';
    const digest = await resolveTag(ctx, tag, signal);
    if (request.manifest) {
      await deleteByDigest(ctx, digest, repository, signal);
      return { removed: 'manifest', digest };
    }
    try {
      await deleteManifest(ctx, tag, signal);
      return { removed: 'tag', digest, method: 'tag-delete' };
    } catch (e) {
      if (!isRefusedTagDelete(e)) throw explainDeleteError(e, `tag ${tag}`, location, repository, ctx.client.authenticator.scheme);
      request.log?.(`registry refused deleting tag ${tag} (${(e as Error).message}); using a placeholder manifest`);
    }
    await deleteTagViaPlaceholder(ctx, tag, digest, repository, signal);
    return { removed: 'tag', digest, method: 'placeholder' };
  });
}
