// Recompression streams: a ~150 MB single-layer image, half incompressible bytes and
// half log-like text, recompressed gzip → zstd registry → registry keeps ferry's peak
// RSS (the whole process, as getrusage reports it at exit) under 200 MB. The two
// registries are separate hosts, and the layer changes digest, so every byte passes
// through ferry's decompressor and compressor. The result is checked with `zstd -d`.
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferryOk } from '../support/ferry-cli.js';
import { pushWithSkopeo } from '../support/fixtures.js';
import { LAYER_TYPES, cliUncompressedDigest, registryBlobStream, registryManifest, type ManifestDoc } from '../support/layer-tools.js';
import { createLayout, tagInLayout, writeJsonBlob } from '../support/oci-layout-writer.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { runCommand } from '../support/run-command.js';
import { scratchDir } from '../support/scratch.js';
import { skopeoRegistryFlags } from '../support/skopeo.js';

const MIB = 1024 * 1024;
const LAYER_BYTES = 150 * MIB;
// When this was written ferry peaked at 192-207 MB here (a plain copy of the same image:
// ~110 MB). Most of the excess is 4 MiB block buffers handed to and from the zstd worker
// threads that stay allocated until a late GC: forcing a GC per block brought the
// gunzip → zstd pipeline alone from ~185 MB to ~120 MB.
const RSS_LIMIT_BYTES = 200 * 1000 * 1000;

/** A --require preload that records the process's peak RSS (KiB on Linux) when it exits. */
const PRELOAD = `'use strict';
process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.FERRY_TEST_RUSAGE_FILE, JSON.stringify(process.resourceUsage()));
});
`;

class Sha256Counter extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }
  digest(): string {
    return `sha256:${this.hash.copy().digest('hex')}`;
  }
}

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
  let work: string;

  beforeAll(async () => {
    [source, target, image, work] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      startRegistry({ mode: 'plain' }),
      buildMixedImage(LAYER_BYTES, 'recompress-rss'),
      scratchDir('recompress-rss'),
    ]);
    await pushWithSkopeo(image.ociRef, source, 'big/mixed:v1');
  }, 180_000);
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  /** skopeo's peak for the same recompression, measured by GNU time, for the record. */
  async function skopeoPeakRss(from: string, to: string): Promise<number> {
    await writeFile(join(work, 'policy.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    const timed = await runCommand('/usr/bin/time', [
      '-v', 'skopeo', '--policy', join(work, 'policy.json'), 'copy', '--quiet', '--dest-compress-format', 'zstd',
      ...skopeoRegistryFlags(source, 'src'), ...skopeoRegistryFlags(target, 'dest'), from, to,
    ], { timeoutMs: 170_000 });
    return Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(timed.stderr)?.[1] ?? NaN) * 1024;
  }

  it('stays under 200 MB RSS while recompressing 150 MiB gzip → zstd registry → registry', async () => {
    const preload = join(work, 'rusage-preload.cjs');
    const usageFile = join(work, 'ferry-rusage.json');
    await writeFile(preload, PRELOAD);
    const started = Date.now();
    const run = await ferryOk(
      ['copy', '--quiet', '--dest-compress-format', 'zstd', `docker://${source.ref('big/mixed:v1')}`, `docker://${target.ref('big/mixed:zstd')}`],
      { env: { NODE_OPTIONS: `--require ${preload}`, FERRY_TEST_RUSAGE_FILE: usageFile }, timeoutMs: 170_000 },
    );
    const seconds = (Date.now() - started) / 1000;
    const usage = JSON.parse(await readFile(usageFile, 'utf8')) as NodeJS.ResourceUsage;
    const peak = usage.maxRSS * 1024;
    const cpu = (usage.userCPUTime + usage.systemCPUTime) / 1e6;

    const stored = await registryManifest(target, 'big/mixed', 'zstd');
    expect(run.stdout.trim()).toBe(stored.digest);
    const manifest = JSON.parse(stored.bytes.toString('utf8')) as ManifestDoc;
    const layer = manifest.layers[0]!;
    expect(layer.mediaType).toBe(LAYER_TYPES.ociZstd);
    expect(layer.digest).not.toBe(image.layer.digest);
    // the real zstd decodes the stored layer to exactly the tar the diff_id names
    const content = await cliUncompressedDigest(await registryBlobStream(target, 'big/mixed', layer.digest), 'zstd');
    expect(content.digest).toBe(image.diffId);

    const skopeoPeak = await skopeoPeakRss(`docker://${source.ref('big/mixed:v1')}`, `docker://${target.ref('big/mixed:skopeo')}`);
    const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
    console.log(
      `recompression gzip (${mb(image.layer.size)}) → zstd (${mb(layer.size)}) of ${mb(content.size)} tar, registry → registry: ` +
        `ferry peak RSS ${mb(peak)}, ${cpu.toFixed(1)} CPU-s in ${seconds.toFixed(1)} s; skopeo peak RSS ${mb(skopeoPeak)}`,
    );
    expect(peak).toBeLessThan(RSS_LIMIT_BYTES);
  }, 180_000);
});
