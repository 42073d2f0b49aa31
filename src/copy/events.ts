import type { Digest } from '../oci/digest.js';

/** What a copy reports while it runs (the CLI renders them; `--progress json` prints them). */
export type CopyEvent =
  | { type: 'blob-start'; digest: Digest; size: number; mediaType: string }
  | { type: 'blob-progress'; digest: Digest; bytes: number; size: number }
  | { type: 'blob-done'; digest: Digest; size: number; newDigest?: Digest; newSize?: number }
  | { type: 'blob-skipped'; digest: Digest; size: number; reason: 'exists' | 'manifest-exists' }
  | { type: 'blob-mounted'; digest: Digest; size: number; from: string }
  | { type: 'blob-retry'; digest: Digest; attempt: number; error: string }
  | { type: 'manifest-pushed'; digest: Digest; mediaType: string; tag?: string }
  | { type: 'note'; message: string }
  | { type: 'done'; digest: Digest; mediaType: string };

export type EventSink = (event: CopyEvent) => void;
