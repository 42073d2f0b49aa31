import type { VariantLevel } from '../blob-cache/records.js';
import type { BlobCopyContext } from './blob-copy.js';
import { remember, reuseAtDestination } from './blob-reuse.js';
import type { BlobAction } from './plan.js';
import type { LayerResult } from './recompress.js';

type Recompress = Extract<BlobAction, { kind: 'recompress' }>;

/** Known forms asked for per layer before recompressing it anyway. */
const MAX_VARIANTS_TRIED = 2;

/**
 * Which recorded forms serve a request: any level when none was asked for (as skopeo
 * does), exactly the asked level otherwise; with --dest-force-compress-format only forms
 * ferry made itself, since the point of forcing is not to keep someone else's.
 */
export function levelServes(requested: number | undefined, force: boolean): (level: VariantLevel) => boolean {
  if (requested !== undefined) return (level) => level === requested;
  if (force) return (level) => level !== 'unknown';
  return () => true;
}

/**
 * A layer in the target format that an earlier copy produced from the same uncompressed
 * content, present at the destination or mountable into it, instead of recompressing
 * again. Only forms whose uncompressed digest was verified (the diff_id check while
 * recompressing) are ever recorded; the destination's HEAD or 201 confirms presence.
 */
export async function reuseKnownVariant(ctx: BlobCopyContext, a: Recompress): Promise<LayerResult | undefined> {
  if (!ctx.cache || !ctx.dest.identity) return undefined;
  const uncompressed = a.diffId ?? (await ctx.cache.uncompressedOf(a.desc.digest));
  if (!uncompressed) return undefined;
  const forms = await ctx.cache.variantsOf(uncompressed, a.target, levelServes(a.level, a.force));
  for (const v of forms.filter((f) => f.digest !== a.desc.digest).slice(0, MAX_VARIANTS_TRIED)) {
    const reuse = await reuseAtDestination(ctx, { mediaType: a.desc.mediaType, digest: v.digest, size: v.size }, { onlyWhereCached: true });
    if (reuse.kind === 'none') continue;
    ctx.cache.recordVariant({ uncompressed, digest: v.digest, size: v.size, compression: v.compression, level: v.level });
    return { changed: true, digest: v.digest, size: v.size, compression: a.target };
  }
  return undefined;
}

/** After a recompression: both forms of the layer, and where each now is. */
export function rememberVariants(ctx: BlobCopyContext, a: Recompress, sourceFormat: string, made: LayerResult): void {
  remember(ctx, a.desc.digest, ctx.source.identity);
  remember(ctx, made.digest, ctx.dest.identity);
  // without a diff_id the uncompressed content was not verified: nothing to vouch for
  if (!ctx.cache || !a.diffId) return;
  ctx.cache.recordVariant({ uncompressed: a.diffId, digest: made.digest, size: made.size, compression: made.compression, level: a.level ?? 'default' });
  if (sourceFormat === 'gzip' || sourceFormat === 'zstd') {
    ctx.cache.recordVariant({ uncompressed: a.diffId, digest: a.desc.digest, size: a.desc.size, compression: sourceFormat, level: 'unknown' });
  }
}
