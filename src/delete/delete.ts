import { Readable } from 'node:stream';
import { FerryError, RegistryError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { formatDockerReference } from '../reference/docker-reference.js';
import type { Location } from '../reference/location.js';
import { registryClient, toLocation, type SessionOptions, type SideOptions } from '../transport/open.js';
import { headBlob, putUpload, startUpload } from '../transport/registry/blobs.js';
import { deleteManifest, headManifest, putManifest, type RepoContext } from '../transport/registry/manifests.js';
import { withPool } from '../transport/session.js';
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

function isRefusedTagDelete(e: unknown): boolean {
  // distribution 2.8 answers a tag DELETE with a misleading 400 DIGEST_INVALID; others 400/404 UNSUPPORTED
  return e instanceof RegistryError && (e.status === 400 || (e.status === 404 && e.registryCode !== 'MANIFEST_UNKNOWN') || e.registryCode === 'UNSUPPORTED') && e.status !== 405;
}

/** Pushes a placeholder under the tag, then deletes the placeholder: the tag goes, the image and its other tags stay. */
async function deleteTagViaPlaceholder(ctx: RepoContext, tag: string, signal?: AbortSignal): Promise<void> {
  if ((await headBlob(ctx, EMPTY_CONFIG_DESCRIPTOR.digest, signal, 'push')) === undefined) {
    const upload = await startUpload(ctx, signal);
    await putUpload(ctx, upload, EMPTY_CONFIG_DESCRIPTOR, Readable.from([EMPTY_CONFIG]), signal);
  }
  const placeholder = placeholderManifest(tag);
  await putManifest(ctx, tag, placeholder, signal);
  await deleteManifest(ctx, placeholder.digest, signal);
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
  const signal = request.signal;
  return withPool(request, async (pool) => {
    const ctx: RepoContext = { client: registryClient(ref.registry, ref.repository, request, request, pool), repository: ref.repository, location };
    if (ref.digest) {
      await deleteManifest(ctx, ref.digest, signal);
      return { removed: 'manifest', digest: ref.digest };
    }
    const tag = ref.tag!;
    const head = await headManifest(ctx, tag, signal);
    if (!head?.digest) throw new FerryError('ERR_NOT_FOUND', `tag not found: ${location}`);
    if (request.manifest) {
      await deleteManifest(ctx, head.digest, signal);
      return { removed: 'manifest', digest: head.digest };
    }
    try {
      await deleteManifest(ctx, tag, signal);
      return { removed: 'tag', digest: head.digest, method: 'tag-delete' };
    } catch (e) {
      if (!isRefusedTagDelete(e)) throw e;
      request.log?.(`registry refused deleting tag ${tag} (${(e as Error).message}); using a placeholder manifest`);
    }
    await deleteTagViaPlaceholder(ctx, tag, signal);
    return { removed: 'tag', digest: head.digest, method: 'placeholder' };
  });
}
