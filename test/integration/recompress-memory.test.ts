// Recompression streams: a 200 MiB single-layer image (half incompressible bytes, half
// log-like text) recompressed gzip → zstd registry → registry needs about as much memory
// as a 16 MiB one. A layer held whole would add its size to the peak. Absolute figures
// (and skopeo's, for the same copy) are measured by bench/copy-bench.mjs, not asserted
// here: a budget in MB depends on the machine and the runtime, the scaling does not.
// The two registries are separate hosts and the layer changes digest, so every byte
// passes through ferry's decompressor and compressor; `zstd -d` checks the result.
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sha256Counter } from '../support/location-fixtures.js';
import { ferryPeakRss } from '../support/peak-rss.js';
import { pushWithSkopeo } from '../support/fixtures.js';
import { LAYER_TYPES, cliUncompressedDigest, registryBlobStream, registryManifest, type ManifestDoc } from '../support/layer-tools.js';
import { createLayout, tagInLayout, writeJsonBlob } from '../support/oci-layout-writer.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';

const MIB = 1024 * 1024;
const LAYER_BYTES = 200 * MIB;
const SMALL_LAYER_BYTES = 16 * MIB;

const WORDS = ['GET', 'PUT', '/v2/library/app/blobs', 'sha256', 'status=200', 'status=404', 'duration', 'ms', 'user=ferry', 'layer', 'manifest', 'retry'];

/** Reproducible content, a MiB at a time: incompressible bytes and log-like text alternate. */
function mixedStream(size: number, seed: string): Readable {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  let line = 0;
  const text = (n: number): Buffer => {
    const parts: string[] = [];
    let length = 0;
    while (length < n) {
      const l = `2024-01-01T00:${String(line % 60).padStart(2, '0')}:00Z ${WORDS[line % WORDS.length]} ${WORDS[(line * 7) % WORDS.length]} id=${(line * 2654435761) % 1000003} n=${line}\n`;
      parts.push(l);
      length += l.length;
      line++;
    }
    return Buffer.from(parts.join('')).subarray(0, n);
  };
  return Readable.from(
    (function* () {
      let i = 0;
      for (let left = size; left > 0; left -= MIB, i++) {
        const n = Math.min(MIB, left);
        yield i % 2 === 0 ? cipher.update(Buffer.alloc(n)) : text(n);
      }
    })(),
  );
}

interface MixedImage {
  ociRef: string;
  digest: string;
  layer: { digest: string; size: number };
  diffId: string;
}

/** A one-layer gzip image of `size` mixed bytes, streamed to disk (never held whole). */
async function buildMixedImage(size: number, seed: string): Promise<MixedImage> {
  const layoutPath = await createLayout();
  const tar = pack();
  const tarHash = new Sha256Counter();
  const blobHash = new Sha256Counter();
  const temp = join(layoutPath, 'blobs', 'sha256', '.building');
  const written = pipeline(Readable.from(tar), tarHash, createGzip({ level: 1 }), blobHash, createWriteStream(temp));
  const header = { name: 'data/mixed.bin', size, mode: 0o644, mtime: new Date('2024-01-01T00:00:00Z'), uid: 0, gid: 0 };
  await new Promise<void>((resolve, reject) => {
    const entry = tar.entry(header, (error) => (error ? reject(error) : resolve()));
    mixedStream(size, seed).on('error', reject).pipe(entry);
  });
  tar.finalize();
  await written;
  const digest = blobHash.digest();
  await rename(temp, join(layoutPath, 'blobs', 'sha256', digest.slice('sha256:'.length)));
  const layer = { mediaType: LAYER_TYPES.ociGzip, digest, size: blobHash.size };
  const config = await writeJsonBlob(layoutPath, {
    created: '2024-01-01T00:00:00Z', architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: [tarHash.digest()] },
  }, 'application/vnd.oci.image.config.v1+json');
  const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: config.descriptor, layers: [layer] };
  const m = await writeJsonBlob(layoutPath, manifest, manifest.mediaType);
  await tagInLayout(layoutPath, m.descriptor, 'latest');
  return { ociRef: `oci:${layoutPath}:latest`, digest: m.descriptor.digest, layer, diffId: tarHash.digest() };
}

describe('peak memory of recompression', () => {
  let source: RunningRegistry;
  let target: RunningRegistry;
  let image: MixedImage;
  let small: MixedImage;
  let work: string;

  beforeAll(async () => {
    [source, target, image, small, work] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      startRegistry({ mode: 'plain' }),
      buildMixedImage(LAYER_BYTES, 'recompress-rss'),
      buildMixedImage(SMALL_LAYER_BYTES, 'recompress-rss-small'),
      scratchDir('recompress-rss'),
    ]);
    await pushWithSkopeo(image.ociRef, source, 'big/mixed:v1');
    await pushWithSkopeo(small.ociRef, source, 'small/mixed:v1');
  }, 180_000);
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  /** Recompresses `repo:v1` to zstd with ferry; returns its digest and peak RSS in bytes. */
  async function recompress(repo: string): Promise<{ digest: string; peak: number }> {
    const args = ['copy', '--quiet', '--dest-compress-format', 'zstd', `docker://${source.ref(`${repo}:v1`)}`, `docker://${target.ref(`${repo}:zstd`)}`];
    const { stdout, peak } = await ferryPeakRss(work, repo.replace('/', '-'), args);
    return { digest: stdout, peak };
  }

  it('a 200 MiB layer recompressed gzip → zstd needs no more memory than a 16 MiB one, give or take', async () => {
    const tiny = await recompress('small/mixed');
    const big = await recompress('big/mixed');

    const stored = await registryManifest(target, 'big/mixed', 'zstd');
    expect(big.digest).toBe(stored.digest);
    const manifest = JSON.parse(stored.bytes.toString('utf8')) as ManifestDoc;
    const layer = manifest.layers[0]!;
    expect(layer.mediaType).toBe(LAYER_TYPES.ociZstd);
    expect(layer.digest).not.toBe(image.layer.digest);
    // the real zstd decodes the stored layer to exactly the tar the diff_id names
    const content = await cliUncompressedDigest(await registryBlobStream(target, 'big/mixed', layer.digest), 'zstd');
    expect(content.digest).toBe(image.diffId);

    const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
    console.log(`recompression gzip → zstd, peak RSS: ${mb(content.size)} tar ${mb(big.peak)}, ${mb(SMALL_LAYER_BYTES)} tar ${mb(tiny.peak)}`);
    // streaming: the peak hardly depends on the layer's size (held whole, it would add 200 MiB)
    expect(big.peak - tiny.peak).toBeLessThan(LAYER_BYTES / 2);
  }, 180_000);
});
