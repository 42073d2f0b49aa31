import type { Digest } from '../oci/digest.js';
import { recordKey, serializeRecord, type CacheRecord } from './records.js';

/** Bounds of the cache; compaction applies them (see docs/blob-cache.md). */
export const CACHE_LIMITS = {
  /** Records not seen for this long are dropped: registries garbage-collect, repositories go. */
  maxAgeMs: 90 * 24 * 3600 * 1000,
  /** Repositories remembered per blob; the most recently seen win. */
  maxLocationsPerDigest: 16,
  /** The log is compacted once it grows past this… */
  compactAboveBytes: 4 * 1024 * 1024,
  /** …down to at most this, keeping the most recently seen records. */
  compactToBytes: 2 * 1024 * 1024,
  /** A process reads at most the newest this many bytes of the log. */
  maxLoadBytes: 8 * 1024 * 1024,
};

/** Keeps the newest record per key, dropping those older than the age limit. */
export function latestRecords(records: readonly CacheRecord[], now: number, maxAgeMs = CACHE_LIMITS.maxAgeMs): CacheRecord[] {
  const latest = new Map<string, CacheRecord>();
  for (const r of records) {
    if (now - r.seen > maxAgeMs) continue;
    const key = recordKey(r);
    const had = latest.get(key);
    if (!had || had.seen <= r.seen) latest.set(key, r);
  }
  return [...latest.values()];
}

/**
 * Pure: what a compacted log holds. One record per key, none too old, at most
 * `maxLocationsPerDigest` repositories per blob, then the most recently seen records
 * that fit in `budgetBytes` (least recently used go first). Oldest first in the result,
 * so a reader that keeps only the tail of the log keeps the newest.
 */
export function compactRecords(records: readonly CacheRecord[], now: number, budgetBytes = CACHE_LIMITS.compactToBytes): string[] {
  const newestFirst = latestRecords(records, now).sort((a, b) => b.seen - a.seen);
  const perDigest = new Map<Digest, number>();
  const kept: string[] = [];
  let bytes = 0;
  for (const r of newestFirst) {
    if (r.kind === 'location') {
      const n = perDigest.get(r.digest) ?? 0;
      if (n >= CACHE_LIMITS.maxLocationsPerDigest) continue;
      perDigest.set(r.digest, n + 1);
    }
    const line = serializeRecord(r);
    bytes += Buffer.byteLength(line) + 1;
    if (bytes > budgetBytes) break;
    kept.push(line);
  }
  return kept.reverse();
}
