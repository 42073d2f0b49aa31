import type { Platform } from '../oci/descriptor.js';
import type { OperationOptions } from '../events.js';
import type { BlobLocationCache } from '../blob-cache/cache.js';

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
  /** Blobs copied at once. */
  jobs?: number;
  /** Attempts per blob after the first (a broken source resumes by Range; a failed upload restarts). */
  blobRetries?: number;
  /** Platform picked from an index when the destination keeps one image (dir:, docker-archive:) or multiArch is "system". */
  systemPlatform?: Platform;
  /** Where blobs were seen before (cross-repository mounts, reused recompressed layers); none: no cache. */
  blobCache?: BlobLocationCache;
}

/** Measured on 2 cores against distribution 2.8 (docs/benchmarks.md); skopeo uses 6. */
export const DEFAULT_JOBS = 6;
export const DEFAULT_BLOB_RETRIES = 3;
