import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, FerryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { digestOf } from '../oci/digest.js';
import { MediaType } from '../oci/media-types.js';
import type { RawManifest } from '../oci/manifest.js';
import { encodeManifest, parseManifest } from '../oci/manifest.js';
import type { ImageDestination, ReadOptions } from '../transport/types.js';
import { referrersTag } from './tags.js';

/**
 * The referrers tag schema (OCI distribution-spec 1.1): where a registry has no referrers
 * API, the referrers of `sha256:<hex>` are listed in an OCI index tagged `sha256-<hex>`.
 * Writers read it, add their entries and write it back. distribution 2.8 has no
 * conditional PUT, so two writers can overwrite each other; see docs/referrers.md
 * ("Writing: fallback index and races") for what this module guarantees and what not.
 */

/** The destination calls the fallback index needs: a tagged read and a tagged write. */
export type IndexTarget = Pick<ImageDestination, 'description' | 'identity' | 'putManifest'> & Required<Pick<ImageDestination, 'getTaggedManifest'>>;

export interface FallbackIndexOptions extends ReadOptions {
  /** Write-verify rounds before giving up (default 5). */
  rounds?: number;
  /** Longest random wait before reading back, in ms (default 300); the shortest is a fifth of it. */
  settleMs?: number;
}

export interface FallbackIndexResult {
  /** Index writes made (0: every entry was already listed). */
  writes: number;
  /** The index's digest after the last write or read. */
  digest: Digest | undefined;
}

/**
 * Writers of one index inside this process take turns, so a sync that carries the same
 * signature for two tags of one image never races itself. Keyed by the destination's
 * repository and the tag; an entry lives only while a writer holds it.
 */
const turns = new Map<string, Promise<unknown>>();

async function inTurn<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = turns.get(key) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(fn);
  turns.set(key, mine);
  try {
    return await mine;
  } finally {
    if (turns.get(key) === mine) turns.delete(key);
  }
}

function targetKey(target: IndexTarget, tag: string): string {
  const id = target.identity;
  return `${id ? `${id.registry}/${id.repository}` : target.description}:${tag}`;
}

/** The listed entries of an index at `tag`, or none when the tag is absent. */
function entriesOf(raw: RawManifest | undefined, where: string): { doc: Record<string, unknown>; manifests: Descriptor[] } {
  if (!raw) return { doc: { schemaVersion: 2, mediaType: MediaType.OciIndex }, manifests: [] };
  const parsed = parseManifest(raw.bytes, raw.mediaType);
  if (parsed.kind !== 'index') {
    // someone else's tag that happens to have the schema's name: never overwrite it
    throw new FerryError('ERR_CONFLICT', `${where} is not an OCI index (${parsed.mediaType}); not replacing it with a referrers index`);
  }
  const doc = JSON.parse(Buffer.from(raw.bytes).toString('utf8')) as Record<string, unknown>;
  return { doc, manifests: parsed.manifests };
}

function missingFrom(listed: readonly Descriptor[], ours: readonly Descriptor[]): Descriptor[] {
  const have = new Set(listed.map((d) => d.digest));
  return ours.filter((d) => !have.has(d.digest));
}

/** Only the fields the referrers listing defines: a source index's extras (platform, urls) stay behind. */
function entryOf(d: Descriptor): Descriptor {
  return {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    ...(d.artifactType !== undefined ? { artifactType: d.artifactType } : {}),
    ...(d.annotations !== undefined ? { annotations: d.annotations } : {}),
  };
}

function encodeIndex(doc: Record<string, unknown>, manifests: Descriptor[]): RawManifest {
  const bytes = encodeManifest({ ...doc, schemaVersion: 2, mediaType: MediaType.OciIndex, manifests });
  return { bytes, mediaType: MediaType.OciIndex, digest: digestOf(bytes) };
}

/**
 * Adds `entries` (referrers of `subject`, already stored at the destination) to the
 * subject's fallback index: read, add what is missing (never dropping what is listed),
 * write, then after a short random wait read back and repeat while an entry of ours is
 * missing, so a concurrent writer that overwrote ours is merged with rather than lost.
 */
export function addToFallbackIndex(target: IndexTarget, subject: Digest, entries: readonly Descriptor[], opts: FallbackIndexOptions = {}): Promise<FallbackIndexResult> {
  const tag = referrersTag(subject);
  return inTurn(targetKey(target, tag), () => mergeRounds(target, tag, entries.map(entryOf), opts));
}

async function mergeRounds(target: IndexTarget, tag: string, ours: Descriptor[], opts: FallbackIndexOptions): Promise<FallbackIndexResult> {
  const where = `referrers index ${tag} of ${target.description}`;
  const rounds = opts.rounds ?? 5;
  const settle = opts.settleMs ?? 300;
  let writes = 0;
  let started = performance.now();
  let current = await target.getTaggedManifest(tag, { signal: opts.signal });
  for (let round = 0; ; round++) {
    const { doc, manifests } = entriesOf(current, where);
    const missing = missingFrom(manifests, ours);
    if (missing.length === 0) return { writes, digest: current?.digest };
    if (round >= rounds) {
      throw new FerryError('ERR_CONFLICT', `${where}: other writers kept replacing it; ${missing.length} referrer(s) still missing after ${rounds} writes (${missing.map((d) => d.digest).join(', ')})`, {
        hint: 'run the copy again once the other writers are done',
      });
    }
    const next = encodeIndex(doc, [...manifests, ...missing]);
    await target.putManifest(next, tag, { signal: opts.signal });
    writes++;
    // A rival that read before our write and writes after it drops our entries: wait
    // past its likely write, then check (random, so two of us do not stay in step). Its
    // read-to-write window is about as long as ours was, and grows with the registry's
    // load, so the wait is at least a few of our own windows.
    const window = performance.now() - started;
    const wait = Math.max(settle / 5 + Math.random() * ((settle * 4) / 5), 4 * window);
    await sleep(wait, undefined, { signal: opts.signal }).catch(() => {
      throw new AbortedError();
    });
    started = performance.now();
    current = await target.getTaggedManifest(tag, { signal: opts.signal });
  }
}
