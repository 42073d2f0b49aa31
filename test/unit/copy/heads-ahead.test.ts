// The blob HEADs that go out with the copy's HEAD of the manifest by digest
// (headBlobsAhead), with small fakes recording calls; the real registry runs the same
// copies in test/integration/copy-ladder.test.ts.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BlobLocationCache } from '../../../src/blob-cache/cache.js';
import type { BlobCopyContext } from '../../../src/copy/blob-copy.js';
import { headBlobsAhead, reuseAtDestination } from '../../../src/copy/blob-reuse.js';
import { copyImage } from '../../../src/copy/copy-image.js';
import type { Descriptor } from '../../../src/oci/descriptor.js';
import type { Digest } from '../../../src/oci/digest.js';
import { MediaType } from '../../../src/oci/media-types.js';
import type { ImageDestination, ImageSource } from '../../../src/transport/types.js';
import { scratchDir } from '../../support/scratch.js';
import { raw } from './builders.js';

const REG = 'reg.example';
/** Blobs with real digests (the copy verifies what it streams), named by their digest's last two characters. */
const contents = new Map<Digest, Buffer>();
function blob(mediaType: string, size: number, fill: number): Descriptor {
  const bytes = Buffer.alloc(size, fill);
  const digest: Digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  contents.set(digest, bytes);
  return { mediaType, digest, size };
}
const config = blob(MediaType.OciConfig, 500, 9);
const layers = [blob(MediaType.OciLayerGzip, 5_000_000, 1), blob(MediaType.OciLayerGzip, 3_000_000, 2), blob(MediaType.OciLayerGzip, 100, 3)];
const image = raw({ schemaVersion: 2, mediaType: MediaType.OciManifest, config, layers });
const short = (d: Descriptor): string => d.digest.slice(-2);
const names = (ds: Descriptor[], prefix: string): string[] => ds.map((d) => `${prefix}${short(d)}`).sort();

/** A destination whose HEAD of the manifest by digest answers only once `release` is called (or after 2 s). */
function destination(opts: { manifestThere: boolean | Error; blobsThere: boolean; headMs?: number }) {
  const calls: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const dest = {
    description: 'docker://reg.example/dest:v1',
    supportsIndex: true,
    identity: { registry: REG, repository: 'dest' },
    taggedDigest: async () => (calls.push('HEAD tag'), undefined),
    hasManifest: async () => {
      calls.push('HEAD manifest');
      await Promise.race([released, new Promise((r) => setTimeout(r, 2000))]);
      calls.push('manifest answered');
      if (opts.manifestThere instanceof Error) throw opts.manifestThere;
      return opts.manifestThere;
    },
    hasBlob: async (d: Descriptor) => {
      calls.push(`HEAD ${short(d)}`);
      release();
      if (opts.headMs) await new Promise((r) => setTimeout(r, opts.headMs));
      calls.push(`answered ${short(d)}`);
      return opts.blobsThere;
    },
    mountBlob: async () => false,
    putBlob: async (d: Descriptor, body: Readable) => {
      for await (const _ of body);
      calls.push(`PUT ${short(d)}`);
    },
    putManifest: async (_raw: unknown, tag: string | undefined) => void calls.push(`PUT manifest ${tag}`),
    commit: async () => void calls.push('commit'),
    abort: async () => void calls.push('abort'),
  } as unknown as ImageDestination;
  return { dest, calls };
}

const source = {
  description: 'oci:/layout:v1',
  identity: undefined,
  getManifest: async () => image,
  getBlob: async (d: Descriptor) => ({ stream: Readable.from([contents.get(d.digest)!]), offset: 0 }),
  close: async () => undefined,
} as unknown as ImageSource;

describe('blob HEADs sent with the HEAD of the manifest by digest', () => {
  it('a fresh copy asks for its blobs before the manifest HEAD is answered, and each blob once', async () => {
    const { dest, calls } = destination({ manifestThere: false, blobsThere: true });
    const r = await copyImage(source, dest, 'v1');
    expect(r.noop).toBe(false);
    // the fake answers the manifest HEAD only after a blob HEAD arrived (2 s otherwise)
    expect(calls.indexOf(`HEAD ${short(config)}`)).toBeLessThan(calls.indexOf('manifest answered'));
    expect(calls.filter((c) => /^HEAD \w\w$/.test(c)).sort()).toEqual(names([config, ...layers], 'HEAD '));
    expect(r.stats).toMatchObject({ skipped: 4, copied: 0 });
    expect(calls.slice(-2)).toEqual(['PUT manifest v1', 'commit']);
  });

  it('content already there under another tag: the HEADs are answered before the commit, and only the tag is written', async () => {
    const { dest, calls } = destination({ manifestThere: true, blobsThere: false, headMs: 100 });
    const r = await copyImage(source, dest, 'v1');
    expect(r.noop).toBe(true);
    const answered = calls.filter((c) => c.startsWith('answered'));
    expect(answered).toHaveLength(4);
    for (const a of answered) expect(calls.indexOf(a)).toBeLessThan(calls.indexOf('commit'));
    expect(calls.filter((c) => c.startsWith('PUT'))).toEqual(['PUT manifest v1']);
    expect(calls.at(-1)).toBe('commit');
  });

  it('a blob not there is uploaded after its HEAD ahead said so, without a second HEAD', async () => {
    const { dest, calls } = destination({ manifestThere: false, blobsThere: false });
    const r = await copyImage(source, dest, 'v1');
    expect(r.stats).toMatchObject({ copied: 4 });
    expect(calls.filter((c) => /^HEAD \w\w$/.test(c)).sort()).toEqual(names([config, ...layers], 'HEAD '));
    expect(calls.filter((c) => /^PUT \w\w$/.test(c)).sort()).toEqual(names([config, ...layers], 'PUT '));
    expect(calls.at(-2)).toBe('PUT manifest v1');
  });

  it('a HEAD by digest that fails fails the copy only once every HEAD sent ahead is answered', async () => {
    const { dest, calls } = destination({ manifestThere: new Error('HEAD by digest broke'), blobsThere: false, headMs: 150 });
    await expect(copyImage(source, dest, 'v1')).rejects.toThrow('HEAD by digest broke');
    expect(calls.filter((c) => c.startsWith('answered'))).toHaveLength(4);
  });

  it('only blobs whose ladder starts with a HEAD: none where the cache proposes a mount first', async () => {
    const cache = new BlobLocationCache(await scratchDir('heads-ahead'));
    const [a, b, c] = layers as [Descriptor, Descriptor, Descriptor];
    cache.recordLocation(b.digest, { registry: REG, repository: 'other' });
    cache.recordLocation(c.digest, { registry: REG, repository: 'dest' });
    const asked: Digest[] = [];
    const dest = {
      description: 'docker://reg.example/dest',
      identity: { registry: REG, repository: 'dest' },
      hasBlob: async (d: Descriptor) => (asked.push(d.digest), d.digest === a.digest),
      mountFromRepository: async () => 'absent' as const,
    } as unknown as ImageDestination;
    const ctx: BlobCopyContext = { source, dest, retries: 0, emit: () => undefined, cache, refusedMounts: new Set() };
    await headBlobsAhead(ctx, [a, b, c]);
    expect(asked.sort()).toEqual([a.digest, c.digest].sort());
    // the ladder takes the answer instead of asking again; a second look asks anew
    expect(await reuseAtDestination(ctx, a)).toEqual({ kind: 'skipped' });
    expect(asked).toHaveLength(2);
    expect(await reuseAtDestination(ctx, a)).toEqual({ kind: 'skipped' });
    expect(asked).toHaveLength(3);
  });

  it('a HEAD ahead that fails fails its ladder, and no one else', async () => {
    const dest = {
      description: 'docker://reg.example/dest',
      identity: { registry: REG, repository: 'dest' },
      hasBlob: async () => {
        throw new Error('HEAD refused');
      },
    } as unknown as ImageDestination;
    const ctx: BlobCopyContext = { source, dest, retries: 0, emit: () => undefined, refusedMounts: new Set() };
    await headBlobsAhead(ctx, [layers[0]!]);
    await expect(reuseAtDestination(ctx, layers[0]!)).rejects.toThrow('HEAD refused');
  });
});
