import { isDigest, type Digest } from '../oci/digest.js';
import { parseDockerReference } from '../reference/docker-reference.js';

/**
 * What the blob-location cache remembers, one JSON object per line of its log. Every
 * line is checked field by field when read: a line that is cut short, garbled or from a
 * future format is dropped, never trusted and never an error.
 */

/** A blob seen (read, written, mounted, found by HEAD) in one repository of one registry. */
export interface LocationRecord {
  kind: 'location';
  digest: Digest;
  /** The registry as the reference names it ("docker.io", "127.0.0.1:5000"). */
  registry: string;
  repository: string;
  /** Milliseconds since the epoch: when the blob was last seen there. */
  seen: number;
}

export type VariantCompression = 'gzip' | 'zstd';
/** A level ferry compressed at, "default" for its default, "unknown" for a layer it did not make. */
export type VariantLevel = number | 'default' | 'unknown';

/** One compressed form of a layer whose uncompressed content (diff_id) is `uncompressed`. */
export interface VariantRecord {
  kind: 'variant';
  uncompressed: Digest;
  digest: Digest;
  size: number;
  compression: VariantCompression;
  level: VariantLevel;
  seen: number;
}

export type CacheRecord = LocationRecord | VariantRecord;

/** Bumped when the meaning of a line changes; lines of other versions are ignored. */
const FORMAT = 1;

/** Whether registry and repository are exactly what a reference would name (the reference parser decides). */
function isRepositoryOf(registry: unknown, repository: unknown): boolean {
  if (typeof registry !== 'string' || typeof repository !== 'string') return false;
  try {
    const ref = parseDockerReference(`${registry}/${repository}`);
    return ref.registry === registry && ref.repository === repository && !ref.tag && !ref.digest;
  } catch {
    return false;
  }
}

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isLevel = (v: unknown): v is VariantLevel => v === 'default' || v === 'unknown' || (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 22);

export function serializeRecord(r: CacheRecord): string {
  if (r.kind === 'location') return JSON.stringify({ f: FORMAT, t: r.seen, digest: r.digest, registry: r.registry, repository: r.repository });
  return JSON.stringify({ f: FORMAT, t: r.seen, uncompressed: r.uncompressed, digest: r.digest, size: r.size, compression: r.compression, level: r.level });
}

/** One log line back into a record, or undefined for anything that is not exactly one. */
export function parseRecord(line: string): CacheRecord | undefined {
  let o: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(line);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    o = v as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (o['f'] !== FORMAT || !isTime(o['t']) || typeof o['digest'] !== 'string' || !isDigest(o['digest'])) return undefined;
  if ('registry' in o) {
    if (!isRepositoryOf(o['registry'], o['repository'])) return undefined;
    return { kind: 'location', digest: o['digest'], registry: o['registry'] as string, repository: o['repository'] as string, seen: o['t'] };
  }
  const u = o['uncompressed'];
  const c = o['compression'];
  if (typeof u !== 'string' || !isDigest(u) || (c !== 'gzip' && c !== 'zstd') || !isSize(o['size']) || !isLevel(o['level'])) return undefined;
  return { kind: 'variant', uncompressed: u, digest: o['digest'], size: o['size'], compression: c, level: o['level'], seen: o['t'] };
}

/** Lines of a log (possibly starting mid-line after a tail read) into records, dropping bad ones. */
export function parseLog(text: string): CacheRecord[] {
  const out: CacheRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const r = parseRecord(line);
    if (r) out.push(r);
  }
  return out;
}

/** The key under which a newer record replaces an older one. */
export function recordKey(r: CacheRecord): string {
  return r.kind === 'location' ? `l ${r.digest} ${r.registry} ${r.repository}` : `v ${r.uncompressed} ${r.digest}`;
}
