import { carryForPresent, copyWithAttachments, type CarryingOptions } from '../copy/attachments.js';
import type { CopyOptions } from '../copy/options.js';
import { FerryError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { formatLocation } from '../reference/location.js';
import { openDestination, openSource, type SessionOptions } from '../transport/open.js';
import type { ClientPool } from '../transport/session.js';
import { describeTarget, type ImageTask } from './jobs.js';
import type { PlannedCopy } from './plan.js';
import { SharedBlobDestination, type InFlightBlobs } from './shared-blobs.js';
import type { ImageResult } from './summary.js';

export interface ImageContext {
  inFlight: InFlightBlobs;
  copy: CopyOptions;
  session: SessionOptions;
  pool: ClientPool;
  signal?: AbortSignal;
  dryRun?: boolean;
}

export function resultBase(task: ImageTask): Pick<ImageResult, 'source' | 'destination' | 'tag'> {
  return { source: formatLocation(task.source), destination: formatLocation(task.destination), ...(task.tag !== undefined ? { tag: task.tag } : {}) };
}

/** Options that make the destination's digest differ from the source's, so a digest match means nothing. */
function transforms(copy: CopyOptions): boolean {
  return copy.format !== undefined || copy.compression !== undefined || Boolean(copy.platforms?.length);
}

/** Whether an image can be settled by comparing digests: registry to registry, a tag the destination has, no conversion. */
export function comparable(planned: PlannedCopy, copy: CopyOptions): boolean {
  const { task } = planned;
  return planned.destHasTag !== false && task.tag !== undefined && !transforms(copy) && task.source.kind === 'docker' && task.destination.kind === 'docker';
}

/**
 * An unchanged tag costs a HEAD on each side (both answer with the digest; a HEAD does
 * not count against Docker Hub's pull quota) and nothing else. Returns the result when
 * settled, or what the destination tag points at for the copy that follows.
 */
export async function compareImage(planned: PlannedCopy, ctx: ImageContext): Promise<ImageResult | { destination: Digest | null }> {
  const { task } = planned;
  const signal = ctx.signal;
  const source = await openSource(task.source, task.job.src, ctx.session, ctx.pool);
  const dest = await openDestination(task.destination, task.job.dest, ctx.session, ctx.pool);
  // only where both answers are one cheap HEAD (registries); a layout copy compares by itself
  if (!source.headManifest || !dest.taggedDigest) return { destination: null };
  const [src, dst] = await Promise.all([source.headManifest({ signal }), dest.taggedDigest({ signal })]);
  if (src?.digest && src.digest === dst) {
    // the image is there; what is attached to it may have grown since (a new signature)
    if (!ctx.dryRun) await carryForPresent(source, dest, { digest: src.digest, ...(src.mediaType ? { mediaType: src.mediaType } : {}) }, carrying(task, ctx));
    return { ...resultBase(task), status: 'unchanged', digest: src.digest };
  }
  if (ctx.dryRun) return { ...resultBase(task), status: 'would-copy', ...(src?.digest ? { digest: src.digest } : {}), reason: dst ? `destination has ${dst}` : 'destination has no such tag' };
  return { destination: dst ?? null };
}

/** The copy options of one image, with the source tag list expansion read (attachments are found in it). */
function carrying(task: ImageTask, ctx: ImageContext): CarryingOptions {
  return { ...ctx.copy, signal: ctx.signal, ...(task.repoTags ? { sourceTags: task.repoTags } : {}) };
}

/** One image copied: an ordinary copy, which itself skips blobs the destination has. */
export async function copyPlanned(planned: PlannedCopy, known: Digest | null | undefined, ctx: ImageContext): Promise<ImageResult> {
  const { task } = planned;
  if (ctx.dryRun) return { ...resultBase(task), status: 'would-copy', reason: planned.destHasTag === false ? 'destination has no such tag' : 'not compared' };
  const source = await openSource(task.source, task.job.src, ctx.session, ctx.pool);
  try {
    const dest = await openDestination(task.destination, task.job.dest, ctx.session, ctx.pool);
    // recompression writes blobs under digests known only at the end: nothing to share
    const shared = ctx.copy.compression ? undefined : new SharedBlobDestination(dest, ctx.inFlight, describeTarget(task.job.target));
    const hint = known !== undefined && !transforms(ctx.copy) ? { knownDestinationTag: known } : {};
    const r = await copyWithAttachments(source, shared ?? dest, task.tag, { ...carrying(task, ctx), ...hint })
      .catch((e: unknown) => {
        if (e instanceof FerryError && task.sourceTag !== undefined) e.message = `tag ${task.sourceTag}: ${e.message}`;
        throw e;
      })
      .finally(() => shared?.releaseAll());
    return { ...resultBase(task), status: r.noop ? 'unchanged' : 'copied', digest: r.digest, bytes: r.stats.bytes, stats: r.stats, ...(r.notes.length ? { notes: r.notes } : {}) };
  } finally {
    await source.close();
  }
}
