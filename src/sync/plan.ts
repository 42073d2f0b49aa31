import type { Location } from '../reference/location.js';
import { describeTarget, targetImage, type ImageTask, type RepoJob, type RepoTarget } from './jobs.js';
import { matchesTag, needsListing } from './select.js';
import { inShard, type Shard } from './shard.js';
import { isAttachmentTag } from '../referrers/tags.js';

export interface PlanOptions {
  skipExisting?: boolean;
  deleteMissing?: boolean;
  shard?: Shard;
  appendSuffix?: string;
}

export interface PlannedCopy {
  task: ImageTask;
  /** false: the destination has no such tag (no need to ask); undefined: not known. */
  destHasTag: boolean | undefined;
}

export interface PlannedDelete {
  target: RepoTarget;
  tag: string;
  destination: Location;
  key: string;
}

export interface SyncPlan {
  copies: PlannedCopy[];
  /** --skip-existing: tags the destination already has, left alone without reading the source. */
  skipped: ImageTask[];
  deletes: PlannedDelete[];
}

/**
 * Decides, without I/O, what each image costs: skipped, copied (knowing whether the
 * destination has the tag), and which destination tags go with --delete-missing. A
 * destination tag is deleted only when the selection would take it (same filter, same
 * suffix) and the source no longer has it, so tags outside the mirror's scope stay.
 */
export function planSync(jobs: readonly RepoJob[], tasks: readonly ImageTask[], destTags: ReadonlyMap<string, ReadonlySet<string>>, opts: PlanOptions): SyncPlan {
  const mine = tasks.filter((t) => inShard(t.key, opts.shard));
  const plan: SyncPlan = { copies: [], skipped: [], deletes: [] };
  for (const task of mine) {
    const present = task.tag === undefined ? undefined : destTags.get(describeTarget(task.job.target))?.has(task.tag);
    if (opts.skipExisting && present) plan.skipped.push(task);
    else plan.copies.push({ task, destHasTag: present });
  }
  if (!opts.deleteMissing) return plan;
  const byTarget = new Map<string, { target: RepoTarget; jobs: Set<RepoJob>; wanted: Set<string> }>();
  const entryOf = (job: RepoJob) => {
    const key = describeTarget(job.target);
    const entry = byTarget.get(key) ?? { target: job.target, jobs: new Set<RepoJob>(), wanted: new Set<string>() };
    entry.jobs.add(job);
    byTarget.set(key, entry);
    return entry;
  };
  for (const job of jobs) entryOf(job);
  for (const task of tasks) if (task.tag !== undefined) entryOf(task.job).wanted.add(task.tag);
  const suffix = opts.appendSuffix ?? '';
  for (const [key, { target, jobs, wanted }] of byTarget) {
    for (const tag of [...(destTags.get(key) ?? [])].sort()) {
      // attachment tags (cosign, sha256-<hex>) belong to images, not to the selection
      if (wanted.has(tag) || !tag.endsWith(suffix) || isAttachmentTag(tag)) continue;
      const sourceName = tag.slice(0, tag.length - suffix.length);
      // a job that names its tags outright never lists the source, so it claims nothing else
      if (![...jobs].some((j) => needsListing(j.selection) && matchesTag(j.selection, sourceName))) continue;
      const destination = targetImage(target, { tag });
      const refKey = `${key}:${tag}`;
      if (inShard(refKey, opts.shard)) plan.deletes.push({ target, tag, destination, key: refKey });
    }
  }
  return plan;
}
