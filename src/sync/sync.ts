import { copyImage, type CopyStats } from '../copy/copy-image.js';
import { checkCopyOptions, type CopyOptions } from '../copy/options.js';
import { FerryError, UsageError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { parseDockerReference } from '../reference/docker-reference.js';
import { formatLocation, parseLocation, type Location } from '../reference/location.js';
import { openDestination, openSource, type SessionOptions, type SideOptions } from '../transport/open.js';
import { withPool } from '../transport/session.js';
import { withBlobCache, type BlobCacheOptions } from '../blob-cache/session.js';

export interface SyncRequest extends CopyOptions, SessionOptions, BlobCacheOptions {
  src?: SideOptions;
  dest?: SideOptions;
  /** Only tags this pattern matches in full (a string is compiled as `^(?:…)$`). */
  tags?: RegExp | string;
  /** Called as each tag is done, for progress lines. */
  onTag?: (result: SyncedTag) => void;
}

export interface SyncedTag {
  tag: string;
  digest: Digest;
  /** The destination already had this tag on this manifest. */
  noop: boolean;
  stats: CopyStats;
}

export interface SyncResult {
  source: string;
  destination: string;
  synced: SyncedTag[];
  /** Tags the pattern left out. */
  skipped: string[];
}

type RepoLocation = Extract<Location, { kind: 'docker' | 'oci' }>;

/** A repository: docker://REGISTRY/REPO or oci:PATH, with no tag, digest or ref (every tag is meant). */
function repository(input: string | Location, role: string): RepoLocation {
  const loc = typeof input === 'string' ? parseLocation(input) : input;
  if (loc.kind === 'docker') {
    // parseLocation adds ":latest"; look at what was written
    const written = typeof input === 'string' ? parseDockerReference(input.slice('docker://'.length)) : loc.ref;
    if (written.tag || written.digest) throw new UsageError(`sync ${role} is a repository, without tag or digest: ${formatLocation(loc)}`);
    return loc;
  }
  if (loc.kind === 'oci') {
    if (loc.ref) throw new UsageError(`sync ${role} is a whole layout, without :REF: ${formatLocation(loc)}`);
    return loc;
  }
  throw new UsageError(`sync works between docker:// repositories and oci: layouts, not ${loc.kind}:`);
}

function tagged(loc: RepoLocation, tag: string): Location {
  return loc.kind === 'docker' ? { kind: 'docker', ref: { registry: loc.ref.registry, repository: loc.ref.repository, tag } } : { ...loc, ref: tag };
}

export function tagFilter(pattern: RegExp | string | undefined): (tag: string) => boolean {
  if (pattern === undefined) return () => true;
  if (pattern instanceof RegExp) return (tag) => pattern.test(tag);
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`);
  } catch (e) {
    throw new UsageError(`tags: invalid regular expression "${pattern}": ${(e as Error).message}`);
  }
  return (tag) => re.test(tag);
}

/**
 * `ferry sync`: every tag of a repository (or those matching `tags`) copied to another,
 * one after another, each an ordinary copy: byte for byte unless conversion options are
 * given, blobs already there skipped, same-registry blobs mounted, unchanged tags a
 * single HEAD. Stops at the first failure, naming the tag.
 */
export async function syncRepository(src: string | Location, dst: string | Location, request: SyncRequest = {}): Promise<SyncResult> {
  checkCopyOptions(request);
  const from = repository(src, 'source');
  const to = repository(dst, 'destination');
  const wanted = tagFilter(request.tags);
  return withBlobCache(request, (blobCache) => withPool(request, async (pool) => {
    const lister = await openSource(from, request.src ?? {}, request, pool);
    let all: string[];
    try {
      if (!lister.listTags) throw new FerryError('ERR_UNSUPPORTED', `${lister.description} has no tags to list`);
      all = await lister.listTags({ signal: request.signal });
    } finally {
      await lister.close();
    }
    const tags = [...new Set(all)].sort();
    const result: SyncResult = { source: formatLocation(from), destination: formatLocation(to), synced: [], skipped: tags.filter((t) => !wanted(t)) };
    for (const tag of tags.filter(wanted)) {
      const source = await openSource(tagged(from, tag), request.src ?? {}, request, pool);
      try {
        const dest = await openDestination(tagged(to, tag), request.dest ?? {}, request, pool);
        const r = await copyImage(source, dest, tag, { ...request, ...(blobCache ? { blobCache } : {}) }).catch((e: unknown) => {
          if (e instanceof FerryError) e.message = `tag ${tag}: ${e.message}`;
          throw e;
        });
        const done: SyncedTag = { tag, digest: r.digest, noop: r.noop, stats: r.stats };
        result.synced.push(done);
        request.onTag?.(done);
        request.onEvent?.({ type: 'tag-synced', tag, digest: r.digest, noop: r.noop });
      } finally {
        await source.close();
      }
    }
    return result;
  }));
}
