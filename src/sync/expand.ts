import { readdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { FerryError } from '../errors.js';
import { openSource, type SessionOptions, type SideOptions } from '../transport/open.js';
import type { ClientPool } from '../transport/session.js';
import { listCatalog } from '../transport/catalog.js';
import { runPool } from '../copy/pool.js';
import { describeSource, describeTarget, sourceImage, targetImage, type ImageTask, type RepoJob, type RepoTarget } from './jobs.js';
import { destinationTag, type NamingOptions } from './naming.js';
import { needsListing, selectTags, type Selection } from './select.js';
import { isAttachmentTag } from '../referrers/tags.js';

/** A whole registry: one job per repository `_catalog` lists (narrowed by `repos`). */
export interface CatalogJob {
  kind: 'catalog';
  registry: string;
  repos?: RegExp;
  target: (repository: string) => RepoTarget;
  selection: Selection;
  src: SideOptions;
  dest: SideOptions;
}

export interface ListContext {
  session: SessionOptions;
  pool: ClientPool;
  signal?: AbortSignal;
  /** Listings at once (each is one or a few requests). */
  parallel: number;
}

export async function expandCatalog(job: CatalogJob, ctx: ListContext): Promise<RepoJob[]> {
  const repos = await listCatalog(job.registry, job.src, ctx.session, ctx.pool, ctx.signal);
  return repos
    .filter((r) => !job.repos || job.repos.test(r))
    .sort()
    .map((repository) => ({ source: { kind: 'docker', registry: job.registry, repository }, target: job.target(repository), selection: job.selection, src: job.src, dest: job.dest }));
}

async function listSourceTags(job: RepoJob, ctx: ListContext): Promise<string[]> {
  if (job.source.kind === 'images') return job.source.images.map((i) => i.tag);
  const lister = await openSource(sourceImage(job.source, {}), job.src, ctx.session, ctx.pool);
  try {
    if (!lister.listTags) throw new FerryError('ERR_UNSUPPORTED', `${lister.description} has no tags to list`);
    return await lister.listTags({ signal: ctx.signal });
  } finally {
    await lister.close();
  }
}

/** Tags left out by the selection, per source repository (for reports). */
export type LeftOut = Map<string, string[]>;

/** Every image the jobs select: each source repository's tag list read once. */
export async function expandJobs(jobs: readonly RepoJob[], naming: NamingOptions, ctx: ListContext): Promise<{ tasks: ImageTask[]; leftOut: LeftOut }> {
  const perJob: ImageTask[][] = jobs.map(() => []);
  const leftOut: LeftOut = new Map();
  await runPool(jobs.map((job, i) => ({ job, i })), ctx.parallel, async ({ job, i }) => {
    const repoTags = needsListing(job.selection) ? await listSourceTags(job, ctx) : undefined;
    // cosign and referrers-schema tags travel with the images they belong to, never as images
    const listed = repoTags?.filter((t) => !isAttachmentTag(t));
    const { tags, left } = selectTags(job.selection, listed);
    leftOut.set(describeSource(job.source), left);
    const out = perJob[i]!;
    for (const sourceTag of tags) {
      const tag = destinationTag(sourceTag, naming);
      out.push({ source: sourceImage(job.source, { tag: sourceTag }), destination: targetImage(job.target, { tag }), tag, sourceTag, key: `${describeTarget(job.target)}:${tag}`, job, ...(repoTags ? { repoTags } : {}) });
    }
    for (const digest of job.selection.digests ?? []) {
      out.push({ source: sourceImage(job.source, { digest }), destination: targetImage(job.target, { digest }), tag: undefined, sourceTag: undefined, digest, key: `${describeTarget(job.target)}@${digest}`, job, ...(repoTags ? { repoTags } : {}) });
    }
  });
  return { tasks: perJob.flat(), leftOut };
}

/** Tags a destination repository holds now; a repository that does not exist yet holds none. */
async function listTargetTags(target: RepoTarget, side: SideOptions, ctx: ListContext): Promise<string[]> {
  if (target.kind === 'dir') {
    const prefix = `${basename(target.path)}:`;
    const names = await readdir(dirname(target.path)).catch(() => [] as string[]);
    return names.filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length));
  }
  try {
    const lister = await openSource(targetImage(target, {}), side, ctx.session, ctx.pool);
    try {
      return (await lister.listTags?.({ signal: ctx.signal })) ?? [];
    } finally {
      await lister.close();
    }
  } catch (e) {
    // distribution: 404 NAME_UNKNOWN for a repository never pushed; a layout not made yet
    if (e instanceof FerryError && (e.code === 'ERR_NOT_FOUND' || e.code === 'ERR_LAYOUT')) return [];
    throw e;
  }
}

/** Each destination repository's tags, listed once. */
export async function listDestinations(jobs: readonly RepoJob[], ctx: ListContext): Promise<Map<string, Set<string>>> {
  const targets = new Map<string, { target: RepoTarget; side: SideOptions }>();
  for (const j of jobs) targets.set(describeTarget(j.target), { target: j.target, side: j.dest });
  const out = new Map<string, Set<string>>();
  await runPool([...targets], ctx.parallel, async ([key, { target, side }]) => {
    out.set(key, new Set(await listTargetTags(target, side, ctx)));
  });
  return out;
}
