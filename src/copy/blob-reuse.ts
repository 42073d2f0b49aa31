import { AbortedError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import type { RepositoryIdentity } from '../transport/types.js';
import type { BlobCopyContext } from './blob-copy.js';

/**
 * The ladder's first rungs, before any byte is uploaded: HEAD when the blob cache has
 * seen the blob in the destination repository; mount from another repository of the
 * destination's registry that the cache remembers (unless the source is one: then it is
 * the one to mount from); else HEAD (already there); else mount from the source when it
 * is in the same registry. The cache only proposes: a mount counts when the registry
 * answers 201, and a 202 opens the upload that follows.
 */

/** Cached repositories asked per blob; a stale cache costs at most this many requests, each of which opens the upload anyway. */
const MAX_CACHED_MOUNTS = 3;

export type Reuse = { kind: 'skipped' } | { kind: 'mounted'; from: string } | { kind: 'none' };

/** Records where the blob was just seen (no-op without a cache). */
export function remember(ctx: BlobCopyContext, digest: Digest, ...homes: (RepositoryIdentity | undefined)[]): void {
  if (!ctx.cache) return;
  for (const home of homes) if (home) ctx.cache.recordLocation(digest, home);
}

/** Asks the cached repositories in turn; stops at a 201. */
async function mountFromCache(ctx: BlobCopyContext, desc: Descriptor, home: RepositoryIdentity, known: readonly string[]): Promise<{ mountedFrom?: string; uploadOpen: boolean }> {
  const candidates = known.filter((r) => r !== home.repository && !ctx.refusedMounts.has(r)).slice(0, MAX_CACHED_MOUNTS);
  let uploadOpen = false;
  for (const repository of candidates) {
    let answer;
    try {
      answer = await ctx.dest.mountFromRepository!(desc, repository, { signal: ctx.signal });
    } catch (e) {
      // a suggestion that fails is no reason to fail the copy: the usual ladder follows
      if (ctx.signal?.aborted) throw new AbortedError();
      answer = 'refused' as const;
    }
    if (answer === 'mounted') return { mountedFrom: repository, uploadOpen: false };
    if (answer === 'refused') ctx.refusedMounts.add(repository);
    else {
      uploadOpen = true;
      ctx.cache?.forgetLocation(desc.digest, { registry: home.registry, repository });
    }
  }
  return { uploadOpen };
}

async function present(ctx: BlobCopyContext, desc: Descriptor): Promise<boolean> {
  // a HEAD sent ahead (headBlobsAhead) answers once; a second look asks again
  const ahead = ctx.headsAhead?.get(desc.digest);
  ctx.headsAhead?.delete(desc.digest);
  if (!(await (ahead ?? ctx.dest.hasBlob(desc, { signal: ctx.signal })))) return false;
  ctx.emit({ type: 'blob-skipped', digest: desc.digest, size: desc.size, reason: 'exists' });
  remember(ctx, desc.digest, ctx.dest.identity);
  return true;
}

/**
 * Skip, mount or nothing (then the caller uploads); emits the event and records what it
 * learnt. `onlyWhereCached`: for a blob the source does not have (a known recompressed
 * form), ask only where the cache has seen it.
 */
export async function reuseAtDestination(ctx: BlobCopyContext, desc: Descriptor, opts: { onlyWhereCached?: boolean } = {}): Promise<Reuse> {
  const home = ctx.dest.identity;
  const source = ctx.source.identity;
  const onlyWhereCached = opts.onlyWhereCached ?? false;
  const known = await cachedRepositories(ctx, desc, onlyWhereCached);
  const headFirst = startsWithHead(ctx, known, onlyWhereCached);
  if (headFirst && (await present(ctx, desc))) return { kind: 'skipped' };
  const cached = home && known.length > 0 ? await mountFromCache(ctx, desc, home, known) : { uploadOpen: false };
  if (cached.mountedFrom !== undefined) {
    const from = { registry: home!.registry, repository: cached.mountedFrom };
    ctx.emit({ type: 'blob-mounted', digest: desc.digest, size: desc.size, from: `docker://${from.registry}/${from.repository}` });
    remember(ctx, desc.digest, home, from);
    return { kind: 'mounted', from: `${from.registry}/${from.repository}` };
  }
  // a 202 just said the upload is open: a HEAD or another mount would only add requests
  if (cached.uploadOpen || onlyWhereCached) return { kind: 'none' };
  if (!headFirst && (await present(ctx, desc))) return { kind: 'skipped' };
  if (ctx.dest.mountBlob && (await ctx.dest.mountBlob(desc, ctx.source, { signal: ctx.signal }))) {
    ctx.emit({ type: 'blob-mounted', digest: desc.digest, size: desc.size, from: ctx.source.description });
    remember(ctx, desc.digest, home, source);
    return { kind: 'mounted', from: ctx.source.description };
  }
  return { kind: 'none' };
}

/**
 * Whether the ladder's first request is the HEAD: the cache has seen the blob in the
 * destination repository itself (a HEAD settles it before any mount), or proposes no
 * repository at all (and the blob is not one only the cache knows of). headBlobsAhead
 * sends exactly these HEADs early.
 */
function startsWithHead(ctx: BlobCopyContext, known: readonly string[], onlyWhereCached: boolean): boolean {
  const home = ctx.dest.identity;
  return (home !== undefined && known.includes(home.repository)) || (known.length === 0 && !onlyWhereCached);
}

/** The destination registry's repositories the cache has seen the blob in, when the ladder asks the cache. */
async function cachedRepositories(ctx: BlobCopyContext, desc: Descriptor, onlyWhereCached: boolean): Promise<string[]> {
  const home = ctx.dest.identity;
  const source = ctx.source.identity;
  // A source in the destination's registry is the repository to mount from (it has the
  // blob, and its token is needed anyway): the cache could only add requests and tokens.
  const sourceInRegistry = home !== undefined && source?.registry === home.registry && source.repository !== home.repository;
  const useCache = ctx.cache && home && ctx.dest.mountFromRepository && (onlyWhereCached || !sourceInRegistry);
  return useCache ? ctx.cache!.repositoriesWith(desc.digest, home.registry) : [];
}

/**
 * Sends now the HEADs these blobs' ladders would start with (those the cache has no
 * mount to propose for), so they travel with the copy's HEAD of the manifest by digest
 * instead of one round trip after it. Resolves once every HEAD sent has been answered,
 * rightly or wrongly; each answer waits in `ctx.headsAhead` for its ladder.
 */
export async function headBlobsAhead(ctx: BlobCopyContext, descs: readonly Descriptor[]): Promise<void> {
  const heads = (ctx.headsAhead ??= new Map());
  const sent = await Promise.all(
    descs.map(async (desc) => {
      if (!startsWithHead(ctx, await cachedRepositories(ctx, desc, false), false)) return undefined;
      if (heads.has(desc.digest)) return undefined;
      const head = ctx.dest.hasBlob(desc, { signal: ctx.signal });
      heads.set(desc.digest, head);
      // its ladder awaits it, or no one does (the manifest was there after all)
      return head.catch(() => false);
    }),
  );
  await Promise.all(sent);
}
