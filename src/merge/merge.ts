import { copyWithAttachments } from '../copy/attachments.js';
import type { CopyStats } from '../copy/copy-image.js';
import type { AttachmentSelection } from '../referrers/types.js';
import type { OperationOptions } from '../events.js';
import { MAX_JOBS } from '../copy/options.js';
import { UsageError } from '../errors.js';
import type { Platform } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import type { RawManifest } from '../oci/manifest.js';
import { checkInteger } from '../options/integer.js';
import { isValidTag } from '../reference/docker-reference.js';
import { formatLocation, type Location } from '../reference/location.js';
import { openDestination, openSource, type SessionOptions, type SideOptions } from '../transport/open.js';
import { withPool } from '../transport/session.js';
import { withBlobCache, type BlobCacheOptions } from '../blob-cache/session.js';
import type { BlobLocationCache } from '../blob-cache/cache.js';
import type { ImageDestination, ImageSource } from '../transport/types.js';
import { buildIndexManifest, placeEntries, type IndexFormat } from './build-index.js';
import { collectChildren, type MergeChild, type MergeSource } from './collect.js';
import { readExistingIndex } from './existing-index.js';
import { parseImageName } from './image-name.js';

export interface MergeRequest extends OperationOptions, SessionOptions, BlobCacheOptions {
  /** Connection settings for every source, and for the target. */
  src?: SideOptions;
  dest?: SideOptions;
  /** More tags for the index, besides the target's own. */
  tags?: string[];
  /** Index annotations (OCI only). */
  annotations?: Record<string, string>;
  /** Default: the format of the index appended to, else `oci`. */
  format?: IndexFormat;
  /** Start from what the target tag holds and add to it (replacing platforms given again). */
  append?: boolean;
  /** A later source for a platform replaces an earlier one instead of failing. */
  replace?: boolean;
  /** Read everything, build the index, write nothing. */
  dryRun?: boolean;
  /** Blobs copied at once per child. */
  jobs?: number;
  /** What attached to each child (signatures, SBOMs) comes along; default everything. */
  attachments?: AttachmentSelection;
}

export interface MergedChild {
  digest: Digest;
  origin: string;
  /** `present`: the target repository had the manifest already; `copied`: the copy engine brought it. */
  outcome: 'present' | 'copied';
  stats?: CopyStats;
}

export interface MergeResult {
  /** The index exactly as pushed (or, with dryRun, as it would be). */
  index: RawManifest;
  digest: Digest;
  mediaType: string;
  entries: { digest: Digest; mediaType: string; platform?: Platform; origin: string }[];
  /** Every tag the index was pushed (or would be pushed) under, the target's first. */
  tags: string[];
  pushed: boolean;
  children: MergedChild[];
  notes: string[];
}

function targetOf(target: string | Location, extra: readonly string[]): { loc: Location & { kind: 'docker' }; tags: string[] } {
  const loc = typeof target === 'string' ? parseImageName(target) : target;
  if (loc.kind !== 'docker') throw new UsageError(`the merge target must be a registry (docker://REGISTRY/REPOSITORY:TAG), not ${formatLocation(loc)}`);
  if (loc.ref.digest || !loc.ref.tag) throw new UsageError(`the merge target needs a tag, not a digest: ${formatLocation(loc)}`);
  for (const t of extra) if (!isValidTag(t)) throw new UsageError(`invalid tag "${t}"`);
  const tags = [...new Set([loc.ref.tag, ...extra])];
  return { loc: loc as Location & { kind: 'docker' }, tags };
}

/** Copies each listed child into the target repository, one after another so shared layers go once. */
async function copyChildren(children: MergeChild[], dest: ImageDestination, request: MergeRequest, blobCache: BlobLocationCache | undefined): Promise<MergedChild[]> {
  const done = new Map<Digest, MergedChild>();
  for (const child of children) {
    const digest = child.raw.digest;
    if (done.has(digest)) continue;
    const signal = request.signal;
    // copyImage's first step is one HEAD of the manifest by digest: a manifest the registry
    // accepted had all its blobs, so its presence settles the child (a no-op copy); its
    // attachments are brought along either way
    const r = await copyWithAttachments(child.source, dest, undefined, {
      ...(request.attachments ? { attachments: request.attachments } : {}),
      ...(signal ? { signal } : {}),
      ...(request.jobs ? { jobs: request.jobs } : {}),
      ...(request.onEvent ? { onEvent: request.onEvent } : {}),
      ...(blobCache ? { blobCache } : {}),
    });
    if (r.noop) done.set(digest, { digest, origin: child.entry.origin, outcome: 'present' });
    else done.set(digest, { digest, origin: child.entry.origin, outcome: 'copied', stats: r.stats });
  }
  return [...done.values()];
}

/**
 * `ferry manifest-merge`: one index from per-platform images that may live anywhere.
 * Reads every source (and with `append` the target), builds the index (pure), then
 * copies each child into the target repository and pushes the index under every tag.
 */
export async function mergeManifests(target: string | Location, sources: readonly (string | MergeSource)[], request: MergeRequest = {}): Promise<MergeResult> {
  checkInteger('jobs', request.jobs, { min: 1, max: MAX_JOBS });
  const { loc, tags } = targetOf(target, request.tags ?? []);
  const specs = sources.map((s): MergeSource => (typeof s === 'string' ? { image: s } : s));
  if (specs.length === 0) throw new UsageError('nothing to merge: give at least one source image');
  const signal = request.signal;
  return withBlobCache(request, (blobCache) => withPool(request, async (pool) => {
    const opened: ImageSource[] = [];
    try {
      const open = (l: Location) => openSource(l, request.src ?? {}, request, pool);
      const children = await collectChildren(specs, open, (s) => opened.push(s), signal);
      let existing;
      if (request.append) {
        const current = await openSource(loc, request.dest ?? {}, request, pool);
        opened.push(current);
        existing = await readExistingIndex(current, signal);
      }
      const placed = placeEntries(existing?.entries ?? [], children.map((c) => c.entry), request.replace ?? false);
      const index = buildIndexManifest(placed.entries, {
        format: request.format ?? existing?.format ?? 'oci',
        annotations: { ...existing?.annotations, ...request.annotations },
      });
      for (const message of placed.notes) request.onEvent?.({ type: 'note', message });
      const result: MergeResult = {
        index,
        digest: index.digest,
        mediaType: index.mediaType,
        entries: placed.entries.map((e) => ({ digest: e.descriptor.digest, mediaType: e.descriptor.mediaType, ...(e.platform ? { platform: e.platform } : {}), origin: e.origin })),
        tags,
        pushed: false,
        children: [],
        notes: placed.notes,
      };
      if (request.dryRun) return result;

      const dest = await openDestination(loc, request.dest ?? {}, request, pool);
      const listed = children.filter((c) => placed.entries.includes(c.entry));
      result.children = await copyChildren(listed, dest, request, blobCache);
      for (const tag of tags) {
        await dest.putManifest(index, tag, { signal });
        request.onEvent?.({ type: 'manifest-pushed', digest: index.digest, mediaType: index.mediaType, tag });
      }
      await dest.commit({ signal });
      result.pushed = true;
      return result;
    } finally {
      await Promise.allSettled(opened.map((s) => s.close()));
    }
  }));
}
