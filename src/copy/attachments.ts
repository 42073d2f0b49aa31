import { FerryError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import type { RawManifest } from '../oci/manifest.js';
import { parseManifest } from '../oci/manifest.js';
import { isIndexMediaType } from '../oci/media-types.js';
import { carryAttachments, type CarryStats, type CopyAttachment } from '../referrers/carry.js';
import { discoverAttachments } from '../referrers/discover.js';
import { wantsAttachments } from '../referrers/selection.js';
import type { Attachment } from '../referrers/types.js';
import type { ImageDestination, ImageSource, PutManifestAnswer } from '../transport/types.js';
import { copyImage, type CopyResult } from './copy-image.js';
import type { CopyOptions } from './options.js';
import { pinnedSource } from './pinned-source.js';

/**
 * A copy that brings what is attached to the image along (docs/referrers.md, "Carrying
 * attachments"): the image first, with the destination's commit held back; then
 * discovery on the source for every manifest the copy kept byte-exact; then each
 * attachment through the same copy engine; one commit at the end, so a layout or an
 * archive gets the image and its attachments in one index.json.
 */

export interface AttachmentCopyResult extends CopyResult {
  /** Set when attachments were looked for. */
  attachments?: CarryStats & { leftOut: number };
}

export interface CarryingOptions extends CopyOptions {
  /** The source repository's tag list when the caller has read it already (sync). */
  sourceTags?: readonly string[];
}

/** `target` with some of its members replaced; the others are its own, methods bound to it. */
function withOverrides<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof T];
      const value = Reflect.get(t, prop, t) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}

/** The destination as the copy engine sees it while attachments are still to come: commit() waits. */
function holdingCommit(dest: ImageDestination): ImageDestination {
  return withOverrides(dest, { commit: async () => undefined });
}

/** The copy engine on one attachment manifest: its blobs, then itself by digest (or under its tag). */
function attachmentCopier(source: ImageSource, dest: ImageDestination, opts: CopyOptions): CopyAttachment {
  return async (raw: RawManifest, tag: string | undefined, known?: Digest | null) => {
    let answer: PutManifestAnswer = {};
    const recording = withOverrides(holdingCommit(dest), {
      putManifest: async (m, t, o) => {
        const a = await dest.putManifest(m, t, o);
        if (m.digest === raw.digest && a) answer = a;
        return a;
      },
    });
    const { platforms: _p, format: _f, compression: _c, multiArch: _m, knownDestinationTag: _k, ...plain } = opts;
    const r = await copyImage(pinnedSource(source, raw), recording, tag, {
      ...plain,
      // an attachment is copied byte-exact or not at all: its digest is what it is known by
      preserveDigests: true,
      ...(known !== undefined ? { knownDestinationTag: known } : {}),
      ...(opts.onEvent ? { onEvent: (e) => e.type !== 'done' && opts.onEvent?.(e) } : {}),
    });
    return r.noop ? 'present' : answer;
  };
}

function countAll(list: readonly Attachment[]): number {
  return list.reduce((n, a) => n + 1 + countAll(a.attachments), 0);
}

interface Found {
  kept: readonly Digest[];
  changed: readonly Digest[];
}

/**
 * Discovery on the source for the manifests the copy kept and those it changed, then the
 * kept ones' attachments carried; the changed ones' are left out with one note.
 */
async function bringAttachments(source: ImageSource, dest: ImageDestination, manifests: Found, opts: CarryingOptions, notes: string[], early?: EarlyDiscovery): Promise<CarryStats & { leftOut: number }> {
  const signal = opts.signal;
  const tags = opts.sourceTags ?? (await source.listTags?.({ signal })) ?? [];
  const subjects = [...manifests.kept, ...manifests.changed];
  const before = early && subjects.includes(early.digest) ? await early.found : new Map<Digest, Attachment[]>();
  const rest = subjects.filter((d) => !before.has(d));
  const found = new Map([...before, ...(await discoverAttachments(source, rest, { selection: opts.attachments, tags, ...(signal ? { signal } : {}) }))]);
  const dropped = manifests.changed.filter((d) => found.get(d)?.length);
  const leftOut = dropped.reduce((n, d) => n + countAll(found.get(d) ?? []), 0);
  if (leftOut > 0) {
    // one line per image, naming the old digest: attachments are never re-pointed
    const more = dropped.length > 1 ? ` and ${dropped.length - 1} more manifest(s)` : '';
    const message = `${leftOut} attachment(s) of ${dropped[0]}${more} left out: the copy changed or dropped that manifest, so what is attached to it does not apply`;
    notes.push(message);
    opts.onEvent?.({ type: 'note', message });
  }
  const { sourceTags: _t, ...copyOpts } = opts;
  const attachments = manifests.kept.flatMap((d) => found.get(d) ?? []);
  const stats = await carryAttachments({ source, dest, copyOne: attachmentCopier(source, dest, copyOpts), ...(signal ? { signal } : {}) }, attachments);
  return { ...stats, leftOut };
}

/** Discovery for the source's root, started as soon as the copy has read it. */
interface EarlyDiscovery {
  digest: Digest;
  found: Promise<Map<Digest, Attachment[]>>;
}

/**
 * The source as the copy engine sees it, telling `onRoot` the digest of the first root
 * manifest it reads: discovery for that digest can then run while the blobs are copied
 * (on a real link, one round trip or more that no longer follows the copy).
 */
function noticingRoot(source: ImageSource, onRoot: (digest: Digest) => void): ImageSource {
  let noticed = false;
  return withOverrides(source, {
    getManifest: async (ref, o) => {
      const raw = await source.getManifest(ref, o);
      if (ref === undefined && !noticed) {
        noticed = true;
        onRoot(raw.digest);
      }
      return raw;
    },
  });
}

/**
 * The source's tag list, or none where the credentials may pull but not list (an ECR
 * role without ecr:ListImages): attachments under tags are then not looked for, with a
 * note, and the image is still copied (a referrers API is still asked).
 */
async function readableTags(source: ImageSource, opts: CopyOptions, notes: string[]): Promise<readonly string[]> {
  try {
    return (await source.listTags?.({ signal: opts.signal })) ?? [];
  } catch (e) {
    if (!(e instanceof FerryError) || (e.code !== 'ERR_DENIED' && e.code !== 'ERR_UNAUTHORIZED')) throw e;
    const message = `attachments under tags (cosign, sha256-<hex>) not looked for: ${e.message}`;
    notes.push(message);
    opts.onEvent?.({ type: 'note', message });
    return [];
  }
}

/** Whether attachments are to be looked for at all: wanted, and a destination that can hold them. */
function carries(dest: ImageDestination, opts: CopyOptions): boolean {
  return wantsAttachments(opts.attachments) && dest.supportsIndex;
}

/**
 * copyImage, then the attachments of every manifest it kept (for the root and each child
 * of an index); attachments of a manifest whose digest the copy changed are left out, with
 * one note naming the old digest. Without a wish for attachments, or to a destination
 * that holds one image only (dir:, docker-archive:), it is copyImage.
 */
export async function copyWithAttachments(source: ImageSource, dest: ImageDestination, tag: string | undefined, opts: CarryingOptions = {}): Promise<AttachmentCopyResult> {
  const { sourceTags, ...copyOpts } = opts;
  if (!carries(dest, opts)) return copyImage(source, dest, tag, copyOpts);
  const signal = opts.signal;
  const notes: string[] = [];
  // read alongside the image copy: discovery needs it only afterwards
  const tags = sourceTags ? Promise.resolve(sourceTags) : readableTags(source, opts, notes);
  tags.catch(() => undefined);
  let early: EarlyDiscovery | undefined;
  const watched = noticingRoot(source, (digest) => {
    const found = tags.then((t) => discoverAttachments(source, [digest], { selection: opts.attachments, tags: t, ...(signal ? { signal } : {}) }));
    found.catch(() => undefined);
    early = { digest, found };
  });
  const result = await copyImage(watched, holdingCommit(dest), tag, copyOpts);
  try {
    const sourceTagList = await tags;
    result.notes.push(...notes);
    const attachments = await bringAttachments(source, dest, result, { ...opts, sourceTags: sourceTagList }, result.notes, early);
    await dest.commit({ signal });
    return { ...result, attachments };
  } catch (e) {
    await dest.abort().catch(() => undefined);
    throw e;
  }
}

/**
 * For an image the destination already has (sync settled it by comparing digests): only
 * its attachments are brought up to date. An index is read for its children's digests.
 */
export async function carryForPresent(source: ImageSource, dest: ImageDestination, root: { digest: Digest; mediaType?: string }, opts: CarryingOptions = {}): Promise<CarryStats & { leftOut: number }> {
  if (!carries(dest, opts)) return { carried: 0, present: 0, leftOut: 0 };
  let kept: Digest[] = [root.digest];
  if (isIndexMediaType(root.mediaType)) {
    const m = parseManifest((await source.getManifest(root.digest, { signal: opts.signal })).bytes, root.mediaType);
    if (m.kind === 'index') kept = [root.digest, ...m.manifests.map((d) => d.digest)];
  }
  const stats = await bringAttachments(source, dest, { kept, changed: [] }, opts, []);
  await dest.commit({ signal: opts.signal });
  return stats;
}
