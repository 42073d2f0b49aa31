import type { Digest } from './oci/digest.js';

/**
 * What an operation reports while it runs (the CLI renders them; `--progress json`
 * prints them). Copy, sync and merge report blob and manifest events; sync adds one
 * `tag-synced` per tag; delete reports a `note` when it falls back to a placeholder.
 */
export type FerryEvent =
  | { type: 'blob-start'; digest: Digest; size: number; mediaType: string }
  | { type: 'blob-progress'; digest: Digest; bytes: number; size: number }
  | { type: 'blob-done'; digest: Digest; size: number; newDigest?: Digest; newSize?: number }
  | { type: 'blob-skipped'; digest: Digest; size: number; reason: 'exists' | 'manifest-exists' }
  | { type: 'blob-mounted'; digest: Digest; size: number; from: string }
  | { type: 'blob-retry'; digest: Digest; attempt: number; error: string }
  | { type: 'manifest-pushed'; digest: Digest; mediaType: string; tag?: string }
  | { type: 'tag-synced'; tag: string; digest: Digest; noop: boolean }
  | { type: 'note'; message: string }
  | { type: 'done'; digest: Digest; mediaType: string };

export type EventSink = (event: FerryEvent) => void;

/** What every operation accepts: a way to stop it, and a way to watch it. */
export interface OperationOptions {
  /** Aborting stops the operation; it then rejects with an AbortedError and tags nothing. */
  signal?: AbortSignal;
  /** Receives progress events; must not throw. */
  onEvent?: EventSink;
}
