import { pipeline, Readable } from 'node:stream';
import { AbortedError, FerryError } from '../errors.js';
import { isRetryable } from '../transport/retryable.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { ProgressCounter } from '../stream/progress.js';
import { resumableStream } from '../stream/resumable.js';
import { VerifyStream } from '../stream/verify.js';
import type { ImageDestination, ImageSource } from '../transport/types.js';
import type { BlobLocationCache } from '../blob-cache/cache.js';
import { remember, reuseAtDestination } from './blob-reuse.js';
import type { EventSink } from '../events.js';

export interface BlobCopyContext {
  source: ImageSource;
  dest: ImageDestination;
  signal?: AbortSignal;
  retries: number;
  /** Fixed wait between attempts; unset: 250 ms doubling. */
  retryDelayMs?: number;
  emit: EventSink;
  /** Where blobs were seen before; absent with --no-cache. */
  cache?: BlobLocationCache;
  /** Repositories whose mounts this copy's credentials may not read from (401/403): not asked again. */
  refusedMounts: Set<string>;
  /** Blob HEADs sent ahead of their ladders (headBlobsAhead), by digest; each is taken once. */
  headsAhead?: Map<Digest, Promise<boolean>>;
}

export type BlobOutcome = 'skipped' | 'mounted' | 'copied';

/** A source read that resumes by Range after a break, as one continuous stream. */
export function openSourceBlob(ctx: BlobCopyContext, desc: Descriptor): Readable {
  return resumableStream((offset) => ctx.source.getBlob(desc, { offset, signal: ctx.signal }), {
    retries: ctx.retries,
    retryable: isRetryable,
    signal: ctx.signal,
    finalError: (e, offset) => sourceError(ctx, desc, e, offset),
    onRetry: (e, attempt, offset) =>
      ctx.emit({ type: 'blob-retry', digest: desc.digest, attempt, error: `source broke at byte ${offset}: ${(e as Error).message}` }),
  });
}

/** Resolves once `stream` has data to give, has ended or has failed; nothing is consumed. */
function dataReady(stream: Readable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('readable', done);
      stream.off('error', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('readable', done);
    stream.on('error', done);
    stream.on('close', done);
  });
}

/**
 * A source read that failed for good, as an error naming the source and the blob: a raw
 * socket error ("other side closed") would otherwise surface as the upload's failure.
 */
export function sourceError(ctx: BlobCopyContext, desc: Descriptor, e: unknown, offset: number): Error {
  if (e instanceof FerryError) return e;
  const cause = (e as { code?: string; message?: string }) ?? {};
  const detail = [cause.code, cause.message].filter(Boolean).join(' ') || String(e);
  return new FerryError('ERR_NETWORK', `reading blob ${desc.digest} from ${ctx.source.description}: the connection broke after ${offset} of ${desc.size} bytes (${detail})`, { cause: e });
}

/**
 * Streams source → verifier → progress → destination. The verifier's error wins over
 * whatever the upload reports, so a corrupt source is named as such.
 *
 * The upload starts only once the source has data: a compressed archive may decompress
 * for a long time before it reaches a blob, and an upload request with an idle body is
 * what proxies in front of registries time out (nginx: 60 s).
 */
export async function streamVerified(ctx: BlobCopyContext, desc: Descriptor, source: Readable): Promise<void> {
  await dataReady(source);
  const progress = new ProgressCounter((bytes) => ctx.emit({ type: 'blob-progress', digest: desc.digest, bytes, size: desc.size }));
  const verify = new VerifyStream({ digest: desc.digest, size: desc.size }, `blob ${desc.digest} from ${ctx.source.description}`, progress);
  let pipeError: unknown;
  const body = pipeline(source, verify, (e) => {
    if (e) pipeError = e;
  }) as Readable;
  try {
    await ctx.dest.putBlob(desc, body, { signal: ctx.signal, verified: true });
  } catch (e) {
    const first = body.errored ?? pipeError;
    body.destroy();
    throw preferred(first, e);
  }
  if (pipeError) throw pipeError;
}

/**
 * When both the body and the upload failed, the body's error (a source read, the
 * verifier's verdict) is the cause and the upload's only its echo. `pipeError` must be
 * read before the caller destroys the body itself, or it would be the caller's doing.
 */
export function preferred(pipeError: unknown, uploadError: unknown): unknown {
  if (pipeError instanceof FerryError && pipeError.code !== 'ERR_ABORTED') return pipeError;
  return uploadError;
}

/** Runs `attempt` again after transient failures, reopening the source each time. */
export async function withBlobRetries(ctx: BlobCopyContext, desc: Descriptor, attempt: () => Promise<void>): Promise<void> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (ctx.signal?.aborted) throw new AbortedError();
      if (n >= ctx.retries || !isRetryable(e)) throw e;
      ctx.emit({ type: 'blob-retry', digest: desc.digest, attempt: n + 1, error: (e as Error).message });
      await new Promise((r) => setTimeout(r, ctx.retryDelayMs || 250 * 2 ** n));
    }
  }
}

/** The ladder: cached repository → mount; present → skip; same registry → mount; otherwise stream, verified. */
export async function copyBlob(ctx: BlobCopyContext, desc: Descriptor, bytes?: Buffer): Promise<BlobOutcome> {
  const reuse = await reuseAtDestination(ctx, desc);
  if (reuse.kind !== 'none') return reuse.kind;
  ctx.emit({ type: 'blob-start', digest: desc.digest, size: desc.size, mediaType: desc.mediaType });
  // the upload session opens while the source's first bytes are on their way
  ctx.dest.prepareUpload?.(desc, { signal: ctx.signal });
  // bytes already in memory (a config the plan read) are not fetched again
  const open = (): Readable => (bytes ? Readable.from([bytes]) : openSourceBlob(ctx, desc));
  await withBlobRetries(ctx, desc, () => streamVerified(ctx, desc, open()));
  ctx.emit({ type: 'blob-done', digest: desc.digest, size: desc.size });
  remember(ctx, desc.digest, ctx.dest.identity, ctx.source.identity);
  return 'copied';
}
