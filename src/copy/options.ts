import type { Platform } from '../oci/descriptor.js';
import type { EventSink } from './events.js';

export type MultiArch = 'all' | 'system' | 'index-only';
export type ManifestFormat = 'oci' | 'v2s2';
export type CompressionTarget = 'gzip' | 'zstd';

export interface CopyOptions {
  signal?: AbortSignal;
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
  /** Fixed wait between blob attempts in ms (skopeo's --retry-delay); unset or 0: 250 ms doubling. */
  retryDelayMs?: number;
  /** More names for the image in a docker-archive: destination (skopeo's --additional-tag); refused elsewhere. */
  additionalTags?: string[];
  /** Platform picked from an index when the destination keeps one image (dir:, docker-archive:) or multiArch is "system". */
  systemPlatform?: Platform;
  onEvent?: EventSink;
}

/** Measured on 2 cores against distribution 2.8 (docs/benchmarks.md); skopeo uses 6. */
export const DEFAULT_JOBS = 6;
export const DEFAULT_BLOB_RETRIES = 3;
