import { copyImage } from '../copy/copy-image.js';
import type { CopyOptions } from '../copy/options.js';
import { FerryError } from '../errors.js';
import { formatLocation } from '../reference/location.js';
import { openDestination, openSource, type SessionOptions } from '../transport/open.js';
import type { ClientPool } from '../transport/registry/client-pool.js';
import { RegistryDestination } from '../transport/registry/destination.js';
import { RegistrySource } from '../transport/registry/source.js';
import { describeTarget } from './jobs.js';
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

/** Options that make the destination's digest differ from the source's, so a digest match means nothing. */
function transforms(copy: CopyOptions): boolean {
  return copy.format !== undefined || copy.compression !== undefined || Boolean(copy.platforms?.length);
}

/**
 * One image: an unchanged tag costs a HEAD on each side (both answer with the digest;
 * HEAD does not count against Docker Hub's pull quota) and nothing else; otherwise an
 * ordinary copy, which itself skips blobs the destination has. A dry run only asks.
 */
export async function syncImage(planned: PlannedCopy, ctx: ImageContext): Promise<ImageResult> {
  const { task, destHasTag } = planned;
  const base = { source: formatLocation(task.source), destination: formatLocation(task.destination), ...(task.tag !== undefined ? { tag: task.tag } : {}) };
  const signal = ctx.signal;
  const source = await openSource(task.source, task.job.src, ctx.session, ctx.pool);
  try {
    const dest = await openDestination(task.destination, task.job.dest, ctx.session, ctx.pool);
    // both sides are registries and the tag may be there: compare digests by HEAD
    if (destHasTag !== false && task.tag !== undefined && !transforms(ctx.copy) && source instanceof RegistrySource && dest instanceof RegistryDestination) {
      const [src, dst] = await Promise.all([source.headManifest({ signal }), dest.taggedDigest({ signal })]);
      if (src?.digest && src.digest === dst) return { ...base, status: 'unchanged', digest: src.digest };
      if (ctx.dryRun) return { ...base, status: 'would-copy', ...(src?.digest ? { digest: src.digest } : {}), reason: dst ? `destination has ${dst}` : 'destination has no such tag' };
    }
    if (ctx.dryRun) return { ...base, status: 'would-copy', reason: destHasTag === false ? 'destination has no such tag' : 'not compared' };
    // recompression writes blobs under digests known only at the end: nothing to share
    const shared = ctx.copy.compression ? dest : new SharedBlobDestination(dest, ctx.inFlight, describeTarget(task.job.target));
    const r = await copyImage(source, shared, task.tag, { ...ctx.copy, signal })
      .catch((e: unknown) => {
        if (e instanceof FerryError && task.sourceTag !== undefined) e.message = `tag ${task.sourceTag}: ${e.message}`;
        throw e;
      })
      .finally(() => (shared as Partial<SharedBlobDestination>).releaseAll?.());
    return { ...base, status: r.noop ? 'unchanged' : 'copied', digest: r.digest, bytes: r.stats.bytes, stats: r.stats };
  } finally {
    await source.close();
  }
}
