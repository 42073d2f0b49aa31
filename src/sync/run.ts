import { withBlobCache, type BlobCacheOptions } from '../blob-cache/session.js';
import { setMaxListeners } from 'node:events';
import { DEFAULT_JOBS, type CopyOptions } from '../copy/options.js';
import type { Digest } from '../oci/digest.js';
import { deleteImage } from '../delete/delete.js';
import { AbortedError, FerryError, UsageError } from '../errors.js';
import { formatLocation } from '../reference/location.js';
import type { SessionOptions } from '../transport/open.js';
import type { ClientPool } from '../transport/session.js';
import { withPool } from '../transport/session.js';
import { runPool } from '../copy/pool.js';
import { expandCatalog, expandJobs, listDestinations, type CatalogJob, type LeftOut, type ListContext } from './expand.js';
import type { ImageTask, RepoJob } from './jobs.js';
import type { NamingOptions } from './naming.js';
import { planSync, type PlannedCopy, type PlannedDelete } from './plan.js';
import { LAYOUT_PREFIX, RegistrySlots } from './registry-slots.js';
import { comparable, compareImage, copyPlanned, resultBase, type ImageContext } from './run-image.js';
import { InFlightBlobs } from './shared-blobs.js';
import type { Shard } from './shard.js';
import { summarize, type ImageResult, type SyncSummary } from './summary.js';

/** Images copied at once (each with its own blob jobs): 4 keeps a 25 ms link busy without crowding 2 cores. */
export const DEFAULT_IMAGE_JOBS = 4;

export interface SyncEngineOptions extends CopyOptions, SessionOptions, NamingOptions, BlobCacheOptions {
  /** Images in flight per registry (default 4); blob jobs per image stay `jobs`. */
  imageJobs?: number;
  /** A destination tag that exists is taken as final: skipped without reading the source. */
  skipExisting?: boolean;
  /** Try every image and report failures at the end, instead of stopping at the first. */
  keepGoing?: boolean;
  /** Ask, never write: report what would be copied, skipped and deleted. */
  dryRun?: boolean;
  /** Remove destination tags the source selection no longer has (tag-only delete). */
  deleteMissing?: boolean;
  shard?: Shard;
  /** Called once per image result and per deleted tag, as it happens. */
  onImage?: (result: ImageResult) => void;
}

export interface EngineResult {
  summary: SyncSummary;
  tasks: ImageTask[];
  leftOut: LeftOut;
}

function hostsOf(planned: PlannedCopy): string[] {
  const hosts: string[] = [];
  if (planned.task.source.kind === 'docker') hosts.push(planned.task.source.ref.registry);
  const to = planned.task.destination;
  if (to.kind === 'docker') hosts.push(to.ref.registry);
  if (to.kind === 'oci') hosts.push(`${LAYOUT_PREFIX}${to.path}`);
  return hosts;
}

function failure(base: Omit<ImageResult, 'status'>, e: unknown): ImageResult {
  const message = (e as Error)?.message ?? String(e);
  return { ...base, status: 'failed', error: message, ...(e instanceof FerryError ? { code: e.code } : {}) };
}

/**
 * The mirror engine: expand (catalog, tag lists, once each) → plan (pure) → copy images
 * in parallel under a per-registry budget → delete what the source no longer has →
 * summary. Without keepGoing the first failure stops every worker and is thrown.
 */
export async function runSync(sources: ReadonlyArray<RepoJob | CatalogJob>, opts: SyncEngineOptions): Promise<EngineResult> {
  const started = Date.now();
  const imageJobs = opts.imageJobs ?? DEFAULT_IMAGE_JOBS;
  if (!Number.isInteger(imageJobs) || imageJobs < 1) throw new UsageError(`--image-jobs takes a whole number of at least 1, not ${imageJobs}`);
  // one failure (without keepGoing) stops the other workers mid-image
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  // every in-flight request of every image listens on it
  setMaxListeners(0, signal);
  // one blob-location cache for the whole run: every image mounts what another already pushed
  return withBlobCache(opts, (blobCache) => withPool(opts, async (pool) => {
    const listCtx: ListContext = { session: opts, pool, signal, parallel: imageJobs };
    const jobs: RepoJob[] = [];
    for (const s of sources) jobs.push(...('kind' in s && s.kind === 'catalog' ? await expandCatalog(s, listCtx) : [s as RepoJob]));
    if (opts.deleteMissing && jobs.some((j) => j.target.kind !== 'docker')) throw new UsageError('--delete-missing works on docker destinations only');
    const { tasks, leftOut } = await expandJobs(jobs, opts, listCtx);
    // one tag list per destination repository: a tag it lacks is copied without asking the source for a HEAD first
    const destTags = await listDestinations(jobs, listCtx);
    const plan = planSync(jobs, tasks, destTags, opts);

    const results: ImageResult[] = [];
    const report = (r: ImageResult) => {
      results.push(r);
      opts.onImage?.(r);
    };
    for (const t of plan.skipped) report({ ...resultBase(t), status: 'skipped', reason: 'destination tag exists' });

    let firstError: unknown;
    const inFlight = new InFlightBlobs();
    const hosts = new Set(plan.copies.flatMap(hostsOf));
    const copyOpts: CopyOptions = { ...opts, ...(blobCache ? { blobCache } : {}), ...((opts.blobRetries ?? opts.retryTimes) !== undefined ? { blobRetries: opts.blobRetries ?? opts.retryTimes } : {}) };
    const ctx: ImageContext = { inFlight, copy: copyOpts, session: opts, pool, signal, ...(opts.dryRun ? { dryRun: true } : {}) };
    /** Runs one image's step; a failure stops the run, or (keepGoing) is reported. */
    const guarded = async <T>(planned: PlannedCopy, step: () => Promise<T>): Promise<T | undefined> => {
      if (firstError !== undefined) return undefined;
      try {
        return await step();
      } catch (e) {
        if (opts.signal?.aborted) throw new AbortedError();
        if (!opts.keepGoing) {
          if (firstError === undefined && !(e instanceof AbortedError)) {
            firstError = e;
            stop.abort();
          }
          return undefined;
        }
        report(failure(resultBase(planned.task), e));
        return undefined;
      }
    };
    // Phase 1: tags the destination has are compared by a HEAD on each side. A HEAD pair
    // holds two connections for one round trip, so this phase may use the whole
    // connection budget (image jobs × blob jobs) per registry.
    const toCopy: Array<{ planned: PlannedCopy; known: Digest | null | undefined }> = [];
    const headSlots = new RegistrySlots(imageJobs * (opts.jobs ?? DEFAULT_JOBS));
    const width = (slotsPerHost: number) => slotsPerHost * Math.max(1, hosts.size);
    await runPool(plan.copies, width(imageJobs * (opts.jobs ?? DEFAULT_JOBS)), async (planned) => {
      if (!comparable(planned, copyOpts)) return void toCopy.push({ planned, known: planned.destHasTag === false ? null : undefined });
      const r = await guarded(planned, () => headSlots.run(hostsOf(planned), () => compareImage(planned, ctx)));
      if (r === undefined) return;
      if ('status' in r) report(r);
      else toCopy.push({ planned, known: r.destination });
    });
    // Phase 2: the images that need copying, image jobs at a time per registry.
    const slots = new RegistrySlots(imageJobs);
    await runPool(toCopy, width(imageJobs), async ({ planned, known }) => {
      const r = await guarded(planned, () => slots.run(hostsOf(planned), () => copyPlanned(planned, known, ctx)));
      if (r) report(r);
    });
    if (firstError !== undefined) throw firstError;
    for (const d of plan.deletes) await deleteTag(d, jobs, opts, pool, signal, report);
    return { summary: summarize(results, Date.now() - started), tasks, leftOut };
  }));
}

async function deleteTag(d: PlannedDelete, jobs: readonly RepoJob[], opts: SyncEngineOptions, pool: ClientPool, signal: AbortSignal, report: (r: ImageResult) => void): Promise<void> {
  const base = { source: '', destination: formatLocation(d.destination), tag: d.tag };
  if (opts.dryRun) return report({ ...base, status: 'would-delete', reason: 'source no longer has it' });
  const side = jobs.find((j) => j.target === d.target)?.dest ?? {};
  try {
    const r = await deleteImage(d.destination, { ...opts, ...side, pool, signal });
    report({ ...base, status: 'deleted', digest: r.digest, reason: 'source no longer has it' });
  } catch (e) {
    if (!opts.keepGoing) throw e;
    report(failure(base, e));
  }
}
