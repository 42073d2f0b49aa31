import type { Digest } from '../oci/digest.js';
import type { RepositoryIdentity } from '../transport/types.js';
import { CACHE_LIMITS } from './compact.js';
import { serializeRecord, type CacheRecord, type LocationRecord, type VariantCompression, type VariantLevel, type VariantRecord } from './records.js';
import { appendLog, compactLog, loadLog } from './store.js';

/** A location seen again within this time is not written again (the log would only grow). */
const REFRESH_MS = 3600 * 1000;

/**
 * Where ferry has seen each blob, and which compressed forms of a layer it knows, kept
 * across runs (containers/image's blob-info cache plays this part for skopeo). It only
 * ever suggests: a mount it proposes is confirmed by the registry's 201, a variant by
 * a HEAD or a mount at the destination. Nothing here throws: a cache that cannot be
 * read is empty, one that cannot be written stays in memory for this run.
 */
export class BlobLocationCache {
  private readonly locations = new Map<Digest, Map<string, LocationRecord>>();
  /** uncompressed digest → compressed digest → variant */
  private readonly variants = new Map<Digest, Map<Digest, VariantRecord>>();
  private readonly uncompressed = new Map<Digest, Digest>();
  private pending: CacheRecord[] = [];
  private loading: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(
    readonly dir: string,
    private readonly opts: { now?: () => number; log?: (line: string) => void } = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Starts reading the log; every query waits for it. Idempotent. */
  load(): Promise<void> {
    this.loading ??= loadLog(this.dir).then(({ records }) => {
      const now = this.now();
      for (const r of records) if (now - r.seen <= CACHE_LIMITS.maxAgeMs) this.apply(r);
      this.opts.log?.(`blob cache: ${records.length} records from ${this.dir}`);
    });
    return this.loading;
  }

  /** Repositories of `registry` where the blob was seen, most recently seen first. */
  async repositoriesWith(digest: Digest, registry: string): Promise<string[]> {
    await this.load();
    const seen = [...(this.locations.get(digest)?.values() ?? [])].filter((r) => r.registry === registry);
    return seen.sort((a, b) => b.seen - a.seen).map((r) => r.repository);
  }

  /** The layer's uncompressed digest (diff_id), if a variant of it is known. */
  async uncompressedOf(digest: Digest): Promise<Digest | undefined> {
    await this.load();
    return this.uncompressed.get(digest);
  }

  /** Compressed forms of an uncompressed layer in `compression` whose level `accepts` takes, newest first. */
  async variantsOf(uncompressed: Digest, compression: VariantCompression, accepts: (level: VariantLevel) => boolean): Promise<VariantRecord[]> {
    await this.load();
    const all = [...(this.variants.get(uncompressed)?.values() ?? [])];
    return all.filter((v) => v.compression === compression && accepts(v.level)).sort((a, b) => b.seen - a.seen);
  }

  /** The blob is in this repository now (read from it, written to it, mounted, found by HEAD). */
  recordLocation(digest: Digest, at: RepositoryIdentity): void {
    const known = this.locations.get(digest)?.get(`${at.registry} ${at.repository}`);
    const now = this.now();
    if (known && now - known.seen < REFRESH_MS) return;
    this.remember({ kind: 'location', digest, registry: at.registry, repository: at.repository, seen: now });
  }

  /** A mount from here was answered 202: the entry is stale for the rest of this run. */
  forgetLocation(digest: Digest, at: RepositoryIdentity): void {
    this.locations.get(digest)?.delete(`${at.registry} ${at.repository}`);
  }

  recordVariant(v: Omit<VariantRecord, 'kind' | 'seen'>): void {
    const known = this.variants.get(v.uncompressed)?.get(v.digest);
    const now = this.now();
    if (known && known.level === v.level && now - known.seen < REFRESH_MS) return;
    this.remember({ kind: 'variant', ...v, seen: now });
  }

  /** Writes what this run learnt (one append), compacting when the log is over its bound. Never throws. */
  async flush(): Promise<void> {
    const lines = this.pending.map(serializeRecord);
    this.pending = [];
    if (lines.length === 0) return;
    try {
      const size = await appendLog(this.dir, lines);
      if (size > CACHE_LIMITS.compactAboveBytes) await compactLog(this.dir, this.now());
    } catch (e) {
      this.opts.log?.(`blob cache: not written to ${this.dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }

  private remember(r: CacheRecord): void {
    this.apply(r);
    this.pending.push(r);
  }

  private apply(r: CacheRecord): void {
    if (r.kind === 'location') {
      let at = this.locations.get(r.digest);
      if (!at) this.locations.set(r.digest, (at = new Map()));
      const key = `${r.registry} ${r.repository}`;
      if ((at.get(key)?.seen ?? 0) <= r.seen) at.set(key, r);
      return;
    }
    let forms = this.variants.get(r.uncompressed);
    if (!forms) this.variants.set(r.uncompressed, (forms = new Map()));
    if ((forms.get(r.digest)?.seen ?? 0) <= r.seen) forms.set(r.digest, r);
    this.uncompressed.set(r.digest, r.uncompressed);
  }
}
