import { FerryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import type { RawManifest } from '../oci/manifest.js';
import { parseManifest } from '../oci/manifest.js';
import type { ImageDestination, ImageSource, PutManifestAnswer } from '../transport/types.js';
import { addToFallbackIndex, type IndexTarget } from './fallback-index.js';
import { referrersTag } from './tags.js';
import type { Attachment } from './types.js';

/**
 * Copies what discovery found attached to an image to a destination: each attachment's
 * blobs, then its manifest by digest, then makes it discoverable there (the registry's
 * own referrers index when it answered with OCI-Subject, else the `sha256-<hex>`
 * fallback index); cosign's tags are copied as tags. Parents before what is attached to
 * them (an SBOM before the signature on it).
 */

/**
 * Copies one attachment manifest (its blobs, then itself; under `tag` when given) with
 * the copy engine. `known`: what the destination tag points at now, as carry just asked
 * (null: no such tag). 'present' when the destination already had the manifest.
 */
export type CopyAttachment = (raw: RawManifest, tag: string | undefined, known?: Digest | null) => Promise<PutManifestAnswer | 'present'>;

export interface CarryContext {
  source: ImageSource;
  dest: ImageDestination;
  copyOne: CopyAttachment;
  signal?: AbortSignal;
}

export interface CarryStats {
  /** Attachments written (manifest, tag or index entry). */
  carried: number;
  /** Attachments the destination already had, discoverable as at the source. */
  present: number;
}

/** Carries `attachments` (and, transitively, theirs). */
export async function carryAttachments(ctx: CarryContext, attachments: readonly Attachment[]): Promise<CarryStats> {
  const stats: CarryStats = { carried: 0, present: 0 };
  await carryLevel(ctx, attachments, stats);
  return stats;
}

/** A failure while carrying one attachment names it and what it is attached to. */
async function naming<T>(a: Attachment, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (e instanceof FerryError && e.code !== 'ERR_ABORTED') e.message = `${a.kind} ${a.descriptor.digest} attached to ${a.subject}: ${e.message}`;
    throw e;
  }
}

async function carryLevel(ctx: CarryContext, attachments: readonly Attachment[], stats: CarryStats): Promise<void> {
  if (!attachments.length) return;
  const bySubject = new Map<Digest, Attachment[]>();
  for (const a of attachments) bySubject.set(a.subject, [...(bySubject.get(a.subject) ?? []), a]);
  await Promise.all(
    [...bySubject].map(async ([subject, group]) => {
      const tagged = group.filter((a) => a.via === 'cosign-tag' && a.tag !== undefined);
      const referrers = group.filter((a) => !tagged.includes(a));
      for (const a of tagged) await carryTagged(ctx, a, stats);
      await carryReferrers(ctx, subject, referrers, stats);
    }),
  );
  await carryLevel(ctx, attachments.flatMap((a) => a.attachments), stats);
}

/** A cosign tag: copied when the destination's tag names another manifest (cosign appends to `.sig`). */
async function carryTagged(ctx: CarryContext, a: Attachment, stats: CarryStats): Promise<void> {
  const tag = a.tag!;
  const there = ctx.dest.headTag ? await ctx.dest.headTag(tag, { signal: ctx.signal }) : undefined;
  if (there?.digest === a.descriptor.digest) {
    stats.present++;
    return;
  }
  await naming(a, async () => ctx.copyOne(await ctx.source.getManifest(a.descriptor.digest, { signal: ctx.signal }), tag, there?.digest ?? null));
  stats.carried++;
}

function listedIn(index: RawManifest | undefined): Set<Digest> {
  if (!index) return new Set();
  const m = parseManifest(index.bytes, index.mediaType);
  return new Set(m.kind === 'index' ? m.manifests.map((d) => d.digest) : []);
}

/**
 * OCI referrers of one subject. The destination's fallback index is read first: when it
 * lists every one of them, they were stored before and nothing more is asked (one
 * request for an unchanged image on a registry without the referrers API).
 */
async function carryReferrers(ctx: CarryContext, subject: Digest, referrers: readonly Attachment[], stats: CarryStats): Promise<void> {
  if (!referrers.length) return;
  const { dest, signal } = ctx;
  const listed = listedIn(dest.getTaggedManifest ? await dest.getTaggedManifest(referrersTag(subject), { signal }) : undefined);
  const missing = referrers.filter((a) => !listed.has(a.descriptor.digest));
  stats.present += referrers.length - missing.length;
  if (!missing.length) return;
  let indexedByRegistry = false;
  let written = 0;
  for (const a of missing) {
    const answer = await naming(a, async () => ctx.copyOne(await ctx.source.getManifest(a.descriptor.digest, { signal }), undefined));
    if (answer === 'present') continue;
    written++;
    if (answer.subjectIndexed) indexedByRegistry = true;
  }
  if (written === 0 && dest.listReferrers) {
    // every manifest was there already, so no PUT said whether the registry indexes subjects
    const known = await dest.listReferrers(subject, { signal });
    if (known !== 'unsupported') {
      const have = new Set(known.map((d) => d.digest));
      indexedByRegistry = missing.every((a) => have.has(a.descriptor.digest));
    }
  }
  if (indexedByRegistry || !dest.getTaggedManifest) {
    stats.carried += written;
    stats.present += missing.length - written;
    return;
  }
  // listed in the index from now on: each counts as carried, stored just now or before
  stats.carried += missing.length;
  const entries: Descriptor[] = missing.map((a) => a.descriptor);
  // a local layout has no other writer between our write and read-back: no wait
  await addToFallbackIndex(dest as IndexTarget, subject, entries, { signal, ...(dest.identity ? {} : { settleMs: 0 }) });
}
