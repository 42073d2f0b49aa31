import { FerryError } from '../errors.js';
import type { Location } from '../reference/location.js';
import { checkLocationOptions, destinationTag, openDestination, openSource, toLocation, type SessionOptions, type SideOptions } from '../transport/open.js';
import { withPool } from '../transport/session.js';
import { withBlobCache, type BlobCacheOptions } from '../blob-cache/session.js';
import { copyWithAttachments, type AttachmentCopyResult } from './attachments.js';
import { checkCopyOptions, type CopyOptions } from './options.js';

export interface CopyRequest extends CopyOptions, SessionOptions, BlobCacheOptions {
  src?: SideOptions;
  dest?: SideOptions;
}

/**
 * Copies an image, index or artifact between any two locations (docker://, oci:,
 * oci-archive:, docker-archive:, dir:), with what is attached to it (signatures,
 * attestations, SBOMs; `attachments` selects). Blobs are verified by digest and size on
 * the way; the destination's tag is written last, so a failed or aborted copy tags nothing.
 *
 * @param src - where to read from, as a string ("docker://…") or a parsed Location
 * @param dst - where to write to; a tag in it names the root, a digest in it must match
 * @param request - per-side connection settings (`src`, `dest`), conversion options,
 *   `signal` and `onEvent`
 * @throws FerryError (a subclass for digest, size, reference and registry failures)
 */
export async function copy(src: string | Location, dst: string | Location, request: CopyRequest = {}): Promise<AttachmentCopyResult> {
  checkCopyOptions(request);
  const from = toLocation(src);
  const to = toLocation(dst);
  const extras = request.additionalTags ? { additionalTags: request.additionalTags } : {};
  // before the source is opened: a compressed archive's index pass can take a while
  checkLocationOptions(from, request.src ?? {});
  checkLocationOptions(to, request.dest ?? {}, extras);
  return withBlobCache(request, (blobCache) => withPool(request, async (pool) => {
    const source = await openSource(from, request.src ?? {}, request, pool);
    try {
      const dest = await openDestination(to, request.dest ?? {}, request, pool, extras);
      // --retry-times governs blob attempts too, not only single requests
      const blobRetries = request.blobRetries ?? request.retryTimes;
      const result = await copyWithAttachments(source, dest, destinationTag(to), { ...request, ...(blobRetries !== undefined ? { blobRetries } : {}), ...(blobCache ? { blobCache } : {}) });
      if (to.kind === 'docker' && to.ref.digest && to.ref.digest !== result.digest) {
        throw new FerryError('ERR_DIGEST_MISMATCH', `destination names ${to.ref.digest} but the copied manifest is ${result.digest}`);
      }
      return result;
    } finally {
      await source.close();
    }
  }));
}
