import type { Platform } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
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
  /** Platform picked from an index when the destination keeps one image (dir:, docker-archive:) or multiArch is "system". */
  systemPlatform?: Platform;
  onEvent?: EventSink;
  /**
   * What the destination tag points at, when the caller has just asked (a sync's tag
   * list or HEAD); null: no such tag, and the manifest is not looked for by digest
   * either (its blobs are checked anyway, in one parallel round).
   */
  knownDestinationTag?: Digest | null;
}

/** Measured on 2 cores against distribution 2.8 (docs/benchmarks.md); skopeo uses 6. */
export const DEFAULT_JOBS = 6;
export const DEFAULT_BLOB_RETRIES = 3;
