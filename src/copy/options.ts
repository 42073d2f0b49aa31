import type { Platform } from '../oci/descriptor.js';
import { checkInteger } from '../options/integer.js';
import type { OperationOptions } from '../events.js';
import type { BlobLocationCache } from '../blob-cache/cache.js';
import type { Digest } from '../oci/digest.js';
import type { AttachmentSelection } from '../referrers/types.js';

export type MultiArch = 'all' | 'system' | 'index-only';
export type ManifestFormat = 'oci' | 'v2s2';
export type CompressionTarget = 'gzip' | 'zstd';

export interface CopyOptions extends OperationOptions {
  /** Copy only these platforms of an index, writing a rewritten index of just them. */
  platforms?: Platform[];
  /** skopeo's --multi-arch; ferry's default is "all" (skopeo's is "system"). */
  multiArch?: MultiArch;
  /** Convert manifests (`--format`). */
  format?: ManifestFormat;
  /** Refuse any change to a manifest digest. */
  preserveDigests?: boolean;
  compression?: { format: CompressionTarget; level?: number; force?: boolean };
  /** Blobs copied at once (default 6); blobs under 1 MiB copied as they are have as many places again beside them. */
  jobs?: number;
  /** Attempts per blob after the first (a broken source resumes by Range; a failed upload restarts). */
  blobRetries?: number;
  /** Fixed wait between blob attempts in ms (skopeo's --retry-delay); unset or 0: 250 ms doubling. */
  retryDelayMs?: number;
  /** More names for the image in a docker-archive: destination (skopeo's --additional-tag); refused elsewhere. */
  additionalTags?: string[];
  /** Platform picked from an index when the destination keeps one image (dir:, docker-archive:) or multiArch is "system". */
  systemPlatform?: Platform;
  /** Where blobs were seen before (cross-repository mounts, reused recompressed layers); none: no cache. */
  blobCache?: BlobLocationCache;
  /**
   * What the destination tag points at, when the caller has just asked (a sync's tag
   * list or HEAD); null: no such tag, and the manifest is not looked for by digest
   * either (its blobs are checked anyway, in one parallel round).
   */
  knownDestinationTag?: Digest | null;
  /**
   * Which signatures, attestations, SBOMs and other referrers come along (copy, sync and
   * manifest-merge; docs/referrers.md). Default: all of them.
   */
  attachments?: AttachmentSelection;
}

/** Measured on 2 cores against distribution 2.8 (docs/benchmarks.md); skopeo uses 6. */
export const DEFAULT_JOBS = 6;
export const DEFAULT_BLOB_RETRIES = 3;

/** Highest compression level per format (gzip: zlib's 9; zstd: 22 without --ultra memory limits). */
export const MAX_COMPRESSION_LEVEL: Record<CompressionTarget, number> = { gzip: 9, zstd: 22 };
/** More blobs at once than this only adds connections and memory. */
export const MAX_JOBS = 1024;

/** Number options checked where the library is entered, so a NaN never reaches a loop bound. */
export function checkCopyOptions(opts: CopyOptions): void {
  checkInteger('jobs', opts.jobs, { min: 1, max: MAX_JOBS });
  checkInteger('blobRetries', opts.blobRetries, { min: 0 });
  const c = opts.compression;
  if (c) checkInteger(`compression.level for ${c.format}`, c.level, { min: 1, max: MAX_COMPRESSION_LEVEL[c.format] ?? 1 });
}
