import { availableParallelism } from 'node:os';
import { FerryError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import type { RawManifest } from '../oci/manifest.js';
import { hostPlatform } from '../oci/platform.js';
import type { ImageDestination, ImageSource } from '../transport/types.js';
import { copyBlob, type BlobCopyContext } from './blob-copy.js';
import { headBlobsAhead } from './blob-reuse.js';
import type { FerryEvent } from '../events.js';
import { imagesOf, manifestsOf, parseNode, readChildren, readImageConfig, type IndexNode, type TreeNode } from './manifests.js';
import { checkCopyOptions, DEFAULT_BLOB_RETRIES, DEFAULT_JOBS, type CopyOptions } from './options.js';
import { blobLanes, planBlobs, type BlobAction } from './plan.js';
import { runLanes, Semaphore } from './pool.js';
import { recompressLayer, type LayerResult } from './recompress.js';
import { selectFromIndex } from './select.js';
import { rewriteTree } from './rewrite-tree.js';

export interface CopyStats {
  copied: number;
  skipped: number;
  mounted: number;
  recompressed: number;
  bytes: number;
}

export interface CopyResult {
  /** Digest of the root manifest at the destination. */
  digest: Digest;
  mediaType: string;
  /** Digest of the source's root manifest. */
  sourceDigest: Digest;
  /** True when the destination root differs from the source's (subset, conversion, recompression). */
  digestChanged: boolean;
  /** True when nothing needed copying (the destination already had the image). */
  noop: boolean;
  stats: CopyStats;
  notes: string[];
  /**
   * Source manifests stored at the destination with their digest unchanged (the root and
   * the children copied), and those the copy changed or left out: what is attached to the
   * former still applies at the destination, what is attached to the latter does not.
   */
  kept: Digest[];
  changed: Digest[];
}

/** Which source manifests arrived byte-exact, given the digests pushed (all of them when `pushed` is undefined). */
function keptAndChanged(sourceRoot: Digest, root: TreeNode, pushed: Set<Digest> | undefined): { kept: Digest[]; changed: Digest[] } {
  const all = manifestsOf(root).map((n) => n.raw.digest);
  const kept = all.filter((d) => !pushed || pushed.has(d));
  const changed = all.filter((d) => !kept.includes(d));
  // a platform picked out of an index: the index itself is not at the destination
  if (sourceRoot !== root.raw.digest) changed.unshift(sourceRoot);
  return { kept, changed };
}

/**
 * The copy engine: read manifests → select → plan (pure) → copy blobs (bounded
 * concurrency) → rewrite manifests (pure) → push children, then the root with its tag →
 * commit. Nothing is tagged before every blob it references is verified at the destination.
 */
export async function copyImage(source: ImageSource, dest: ImageDestination, tag: string | undefined, opts: CopyOptions = {}): Promise<CopyResult> {
  checkCopyOptions(opts);
  const signal = opts.signal;
  const notes: string[] = [];
  const emit = (e: FerryEvent) => opts.onEvent?.(e);
  const note = (message: string) => {
    notes.push(message);
    emit({ type: 'note', message });
  };
  const stats: CopyStats = { copied: 0, skipped: 0, mounted: 0, recompressed: 0, bytes: 0 };

  if (opts.format === 'v2s2' && opts.compression?.format === 'zstd') {
    throw new FerryError('ERR_USAGE', 'Docker v2 schema 2 has no zstd layer type', { hint: "use `format: 'oci'` with zstd" });
  }
  const changesBlobs = opts.compression !== undefined;
  const changesFormat = opts.format !== undefined;
  // The tag's HEAD does not depend on the source: sent alongside the source's manifest
  // GET, the destination's connection (and, on loopback, its HTTPS probe) overlaps the
  // source's. Only when its answer will be used: a --platform subset skips the no-op check.
  const mayBeNoop = !changesBlobs && !changesFormat && !opts.platforms?.length;
  const known = opts.knownDestinationTag;
  const taggedEarly =
    known !== undefined ? Promise.resolve(known ?? undefined) : mayBeNoop && tag && dest.taggedDigest ? dest.taggedDigest({ signal }) : undefined;
  taggedEarly?.catch(() => undefined);
  const sourceRoot = await source.getManifest(undefined, { signal });
  let root: TreeNode = parseNode(sourceRoot, source.description);
  let indexOnly = false;

  if (root.manifest.kind === 'index') {
    const sel = selectFromIndex({
      index: root.manifest,
      platforms: opts.platforms,
      multiArch: opts.multiArch ?? 'all',
      destinationSupportsIndex: dest.supportsIndex,
      systemPlatform: opts.systemPlatform ?? hostPlatform(),
      where: source.description,
    });
    if (sel.kind === 'single') {
      root = parseNode(await source.getManifest(sel.child.digest, { signal }), `manifest ${sel.child.digest} of ${source.description}`);
      if (root.manifest.kind === 'index') await readChildren(source, root as IndexNode, undefined, signal);
      if (!dest.supportsIndex && !opts.platforms?.length) note(`${dest.description} holds one image: copied ${sel.child.digest} (${sel.child.platform?.os}/${sel.child.platform?.architecture}) from the index`);
    } else if (sel.kind === 'index-only') {
      indexOnly = true;
    } else {
      await readChildren(source, root as IndexNode, sel.kind === 'subset' ? sel.children.map((c) => c.digest) : undefined, signal);
    }
  }

  const subset = root.manifest.kind === 'index' && (root as IndexNode).children.length !== root.manifest.manifests.length && !indexOnly;

  const ctx: BlobCopyContext = { source, dest, signal, retries: opts.blobRetries ?? DEFAULT_BLOB_RETRIES, emit, refusedMounts: new Set(), ...(opts.blobCache ? { cache: opts.blobCache } : {}), ...(opts.retryDelayMs ? { retryDelayMs: opts.retryDelayMs } : {}) };
  const images = indexOnly ? [] : imagesOf(root);
  const jobs = opts.jobs ?? DEFAULT_JOBS;

  const planned = await Promise.all(
    images.map(async (img) => {
      if (!changesBlobs) return { manifest: img.manifest };
      // an unreadable config only loses the diff_id check; its copy reports the problem
      const config = await readImageConfig(source, img.manifest, signal).catch(() => undefined);
      return { manifest: img.manifest, diffIds: config?.diffIds, config: config?.bytes };
    }),
  );
  const actions = planBlobs(planned, opts.compression);
  if (opts.preserveDigests && (changesFormat || actions.some((a) => a.kind === 'recompress'))) {
    throw new FerryError('ERR_CONFLICT', 'the requested conversion or recompression would change manifest digests, and digests are to be preserved', {
      hint: 'drop `preserveDigests` or the conversion',
    });
  }

  const lanes = blobLanes(actions);
  // Blob HEADs sent ahead are all answered before the copy commits, fails or aborts: a
  // sync's shared destination lets go of the claims they take only then.
  let ahead: Promise<void> = Promise.resolve();

  // No-op: the destination already has exactly this manifest; at most move the tag.
  if (!changesBlobs && !changesFormat && !subset) {
    // one HEAD of the tag settles the common case (promotion re-run); else HEAD by digest
    const tagged = taggedEarly ? await taggedEarly : tag && dest.taggedDigest ? await dest.taggedDigest({ signal }) : undefined;
    let present = tagged === root.raw.digest;
    if (!present && known !== null) {
      // A tag that is missing or points elsewhere mostly means new content: the first
      // blobs' HEADs go out with the manifest's, and such a copy starts one round trip
      // sooner; a new tag for content already there costs those HEADs. Copies by digest
      // alone (merge children, attachments) are often there already: they wait.
      const firstBlobs = tag === undefined ? [] : lanes.flatMap((lane) => lane.slice(0, jobs));
      ahead = headBlobsAhead(ctx, firstBlobs.filter((a) => a.kind === 'copy').map((a) => a.desc));
      present = await dest.hasManifest(root.raw.digest, { signal }).catch(async (e: unknown) => {
        await ahead;
        throw e;
      });
      if (present) await ahead;
    }
    if (present) {
      // present by digest and no tag to move: a PUT would only repeat what is there
      if (tag !== undefined && tagged !== root.raw.digest) await dest.putManifest(root.raw, tag, { signal });
      await dest.commit({ signal });
      emit({ type: 'blob-skipped', digest: root.raw.digest, size: root.raw.bytes.byteLength, reason: 'manifest-exists' });
      emit({ type: 'done', digest: root.raw.digest, mediaType: root.raw.mediaType });
      return { digest: root.raw.digest, mediaType: root.raw.mediaType, sourceDigest: sourceRoot.digest, digestChanged: root.raw.digest !== sourceRoot.digest, noop: true, stats, notes, ...keptAndChanged(sourceRoot.digest, root, undefined) };
    }
  }

  const replaced = new Map<Digest, LayerResult>();
  // Each recompressing layer already spreads over every core (block-parallel codecs), so
  // more of them at once only add memory (measured: 6 at once, ~400 MB; 2, under 200).
  const cpuBound = new Semaphore(Math.max(1, Math.min(jobs, availableParallelism())));
  try {
    await runLanes(lanes, jobs, async (a: BlobAction) => {
      if (a.kind === 'leave') return;
      if (a.kind === 'recompress') {
        const r = await cpuBound.run(() => recompressLayer(ctx, a));
        if (r.changed) {
          replaced.set(a.desc.digest, r);
          stats.recompressed++;
        } else stats.copied++;
        stats.bytes += r.size;
        return;
      }
      const outcome = await copyBlob(ctx, a.desc, a.bytes);
      stats[outcome]++;
      if (outcome === 'copied') stats.bytes += a.desc.size;
    });

    const rewritten = rewriteTree(root, { replaced, format: opts.format, notes: note });
    for (const m of rewritten.children) {
      await dest.putManifest(m, undefined, { signal });
      emit({ type: 'manifest-pushed', digest: m.digest, mediaType: m.mediaType });
    }
    const finalRoot: RawManifest = rewritten.root;
    await dest.putManifest(finalRoot, tag, { signal });
    emit({ type: 'manifest-pushed', digest: finalRoot.digest, mediaType: finalRoot.mediaType, ...(tag ? { tag } : {}) });
    await dest.commit({ signal });
    const digestChanged = finalRoot.digest !== sourceRoot.digest;
    if (digestChanged && root.raw.digest === sourceRoot.digest) note(`manifest digest changed: ${sourceRoot.digest} → ${finalRoot.digest}`);
    emit({ type: 'done', digest: finalRoot.digest, mediaType: finalRoot.mediaType });
    const pushed = new Set([...rewritten.children.map((m) => m.digest), finalRoot.digest]);
    return { digest: finalRoot.digest, mediaType: finalRoot.mediaType, sourceDigest: sourceRoot.digest, digestChanged, noop: false, stats, notes, ...keptAndChanged(sourceRoot.digest, root, pushed) };
  } catch (e) {
    await ahead;
    await dest.abort().catch(() => undefined);
    throw e;
  }
}

