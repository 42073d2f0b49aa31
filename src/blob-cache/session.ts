import { homedir as osHomedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { BlobLocationCache } from './cache.js';

/** How an operation (copy, sync, manifest-merge) uses the blob-location cache. */
export interface BlobCacheOptions {
  /** false: neither read nor write the cache (`--no-cache`). Default true. */
  cache?: boolean;
  /** Where the cache lives. Default: $FERRY_CACHE_DIR, else $XDG_CACHE_HOME/ferry, else ~/.cache/ferry. */
  cacheDir?: string;
  /** A cache shared with other calls (the caller flushes it); wins over `cache` and `cacheDir`. */
  blobCache?: BlobLocationCache;
}

interface Environment {
  env?: Readonly<Record<string, string | undefined>>;
  homedir?: string;
  log?: (line: string) => void;
}

const nonEmpty = (v: string | undefined): string | undefined => (v && v.trim() !== '' ? v : undefined);

/** The cache directory the options and environment name (XDG base directory rules). */
export function blobCacheDir(opts: BlobCacheOptions & Environment): string {
  if (opts.cacheDir) return opts.cacheDir;
  const env = opts.env ?? process.env;
  const own = nonEmpty(env['FERRY_CACHE_DIR']);
  if (own) return own;
  // the XDG spec: a relative XDG_CACHE_HOME is invalid and ignored
  const xdg = nonEmpty(env['XDG_CACHE_HOME']);
  if (xdg && isAbsolute(xdg)) return join(xdg, 'ferry');
  return join(nonEmpty(opts.homedir) ?? nonEmpty(env['HOME']) ?? osHomedir(), '.cache', 'ferry');
}

/**
 * Runs `fn` with the caller's cache, a fresh one for this operation (written back at the
 * end, whether `fn` succeeded or not: what was seen is true either way), or none.
 */
export async function withBlobCache<T>(opts: BlobCacheOptions & Environment, fn: (cache: BlobLocationCache | undefined) => Promise<T>): Promise<T> {
  if (opts.blobCache) return fn(opts.blobCache);
  if (opts.cache === false) return fn(undefined);
  const cache = new BlobLocationCache(blobCacheDir(opts), opts.log ? { log: opts.log } : {});
  // read while the operation opens its locations and fetches the first manifest
  void cache.load();
  try {
    return await fn(cache);
  } finally {
    await cache.flush();
  }
}
