import type { CopyStats } from '../copy/copy-image.js';
import type { Digest } from '../oci/digest.js';

export type ImageStatus = 'copied' | 'unchanged' | 'skipped' | 'failed' | 'deleted' | 'would-copy' | 'would-delete';

/** What happened to one image (or, for deletions, one destination tag). */
export interface ImageResult {
  status: ImageStatus;
  /** Source reference as text (empty for deletions). */
  source: string;
  destination: string;
  /** Destination tag, when the image has one. */
  tag?: string;
  digest?: Digest;
  /** Bytes of blobs transferred. */
  bytes?: number;
  stats?: CopyStats;
  /** One-line error of a failed image. */
  error?: string;
  code?: string;
  /** Why an image is skipped or would be copied/deleted. */
  reason?: string;
  /** What the copy said about this image (attachments left out, a format conversion). */
  notes?: string[];
}

export interface SyncSummary {
  results: ImageResult[];
  copied: number;
  unchanged: number;
  skipped: number;
  failed: number;
  deleted: number;
  /** --dry-run: what would be copied / deleted. */
  wouldCopy: number;
  wouldDelete: number;
  bytes: number;
  durationMs: number;
}

export function summarize(results: ImageResult[], durationMs: number): SyncSummary {
  const count = (s: ImageStatus) => results.filter((r) => r.status === s).length;
  return {
    results,
    copied: count('copied'),
    unchanged: count('unchanged'),
    skipped: count('skipped'),
    failed: count('failed'),
    deleted: count('deleted'),
    wouldCopy: count('would-copy'),
    wouldDelete: count('would-delete'),
    bytes: results.reduce((n, r) => n + (r.bytes ?? 0), 0),
    durationMs,
  };
}
