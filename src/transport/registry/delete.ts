import type { Digest } from '../../oci/digest.js';
import type { ReadOptions } from '../types.js';
import { explainDeleteError, isRefusedTagDelete } from './delete-errors.js';
import { deleteManifest, type RepoContext } from './manifests.js';

/** Where a registry destination's deletes go, and how failures are named. */
export interface DeleteContext {
  ctx: RepoContext;
  /** "docker://host/repo", named where the repository is meant. */
  repository: string;
}

/** DELETE by digest: the manifest and every tag on it. */
export async function deleteManifestByDigest(d: DeleteContext, digest: Digest, opts: ReadOptions & { subject?: string } = {}): Promise<void> {
  try {
    await deleteManifest(d.ctx, digest, opts.signal);
  } catch (e) {
    throw explainDeleteError(e, opts.subject ?? `manifest ${digest}`, d.repository, d.repository, d.ctx.client.authenticator.scheme);
  }
}

/** DELETE by tag; false when the registry does not delete tags (distribution 2.8: 400 DIGEST_INVALID). */
export async function deleteTagOnly(d: DeleteContext, tag: string, opts: ReadOptions = {}): Promise<boolean> {
  try {
    await deleteManifest(d.ctx, tag, opts.signal);
    return true;
  } catch (e) {
    if (isRefusedTagDelete(e)) return false;
    throw explainDeleteError(e, `tag ${tag}`, d.ctx.location, d.repository, d.ctx.client.authenticator.scheme);
  }
}
