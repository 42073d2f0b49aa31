import { PassThrough, pipeline, type Duplex, type Readable } from 'node:stream';
import { FerryError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { DigestStream, VerifyStream } from '../stream/verify.js';
import { openSourceBlob, preferred, withBlobRetries, type BlobCopyContext } from './blob-copy.js';
import { remember, reuseAtDestination } from './blob-reuse.js';
import { rememberVariants, reuseKnownVariant } from './known-variants.js';
import type { BlobAction } from './plan.js';
import { ProgressCounter } from '../stream/progress.js';

export interface LayerResult {
  /** False when the layer was already in the target format and copied as is. */
  changed: boolean;
  digest: Digest;
  size: number;
  compression: 'gzip' | 'zstd';
}

type Recompress = Extract<BlobAction, { kind: 'recompress' }>;

/**
 * One layer: source → verify source digest → detect (magic bytes) → decompress →
 * verify diff_id → compress → digest → upload. A layer already in the target format is
 * copied unchanged (unless forced), through the same ladder as any blob.
 */
export async function recompressLayer(ctx: BlobCopyContext, a: Recompress): Promise<LayerResult> {
  // codecs (and the native zstd binding) load only for copies that recompress
  const [{ detectCompression }, { compressStream, decompressStream }, { compressionOfMediaType }] = await Promise.all([
    import('../compression/detect.js'),
    import('../compression/streams.js'),
    import('../compression/codec.js'),
  ]);
  const desc = a.desc;
  const what = `layer ${desc.digest} of ${ctx.source.description}`;
  let result: LayerResult | undefined;
  const unchanged: LayerResult = { changed: false, digest: desc.digest, size: desc.size, compression: a.target };
  // A layer labelled as already in the target format that the destination has, or can
  // mount, needs no download at all; one that must be streamed is still checked by magic.
  const declared = compressionOfMediaType(desc.mediaType);
  if (declared === a.target && !a.force) {
    if ((await reuseAtDestination(ctx, desc)).kind !== 'none') return unchanged;
  } else {
    // a form of this layer in the target format that an earlier copy made
    const known = await reuseKnownVariant(ctx, a);
    if (known) return known;
  }
  await withBlobRetries(ctx, desc, async () => {
    // the verifier counts progress too: one stream stage less per chunk
    const progress = new ProgressCounter((bytes) => ctx.emit({ type: 'blob-progress', digest: desc.digest, bytes, size: desc.size }));
    const verified = pipeline(openSourceBlob(ctx, desc), new VerifyStream({ digest: desc.digest, size: desc.size }, what, progress), () => undefined) as Readable;
    const detected = await detectCompression(verified);
    const format = detected.format;
    const stream = detected.stream;
    if (format === a.target && !a.force) {
      result = unchanged;
      if (declared !== a.target && (await ctx.dest.hasBlob(desc, { signal: ctx.signal }))) {
        stream.destroy();
        ctx.emit({ type: 'blob-skipped', digest: desc.digest, size: desc.size, reason: 'exists' });
        return;
      }
      ctx.emit({ type: 'blob-start', digest: desc.digest, size: desc.size, mediaType: desc.mediaType });
      await upload(ctx, what, [stream], (body) => ctx.dest.putBlob(desc, body, { signal: ctx.signal, verified: true }));
      ctx.emit({ type: 'blob-done', digest: desc.digest, size: desc.size });
      remember(ctx, desc.digest, ctx.dest.identity, ctx.source.identity);
      return;
    }
    if (!ctx.dest.putBlobUnknown) throw new FerryError('ERR_UNSUPPORTED', `${ctx.dest.description} cannot store recompressed layers`);
    ctx.emit({ type: 'blob-start', digest: desc.digest, size: desc.size, mediaType: desc.mediaType });
    const stages: (Readable | Duplex)[] = [stream];
    if (format !== 'none') stages.push(decompressStream(format, what));
    // The uncompressed bytes must be the layer's diff_id, or the source was corrupt. The
    // compressor hashes its blocks in a worker: on the main thread this hash was the
    // largest piece of work after decoding (docs/decisions.md).
    const verifyInput = a.diffId ? { digest: a.diffId, what: `uncompressed content of ${what} (diff_id)` } : undefined;
    stages.push(compressStream(a.target, a.level, { verifyInput }));
    const digest = new DigestStream();
    stages.push(digest);
    const put = ctx.dest.putBlobUnknown.bind(ctx.dest);
    await upload(ctx, what, stages, (body) => put(body, () => ({ digest: digest.digest, size: digest.size }), { signal: ctx.signal, verified: true }));
    result = { changed: true, digest: digest.digest, size: digest.size, compression: a.target };
    rememberVariants(ctx, a, format, result);
    ctx.emit({ type: 'blob-done', digest: desc.digest, size: desc.size, newDigest: digest.digest, newSize: digest.size });
  });
  return result!;
}

/** Runs the stages into an upload; the first stage error names the real problem. */
async function upload(ctx: BlobCopyContext, what: string, stages: (Readable | Duplex)[], put: (body: Readable) => Promise<void>): Promise<void> {
  let pipeError: unknown;
  // pipeline() needs two streams at least; an unchanged layer comes as one
  if (stages.length === 1) stages = [...stages, new PassThrough()];
  const body = (pipeline as unknown as (...s: unknown[]) => Readable)(...stages, (e: unknown) => {
    if (e) pipeError = e;
  });
  try {
    await put(body);
  } catch (e) {
    const first = body.errored ?? pipeError;
    body.destroy();
    throw wrap(preferred(first, e), what);
  }
  if (pipeError) throw wrap(pipeError, what);
}

function wrap(e: unknown, what: string): unknown {
  if (e instanceof FerryError && e.code === 'ERR_COMPRESSION' && !e.message.includes(what)) {
    return new FerryError('ERR_COMPRESSION', `${what}: ${e.message}`, { cause: e });
  }
  return e;
}
