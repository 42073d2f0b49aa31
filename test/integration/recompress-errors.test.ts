// Recompression that must fail, and fail cleanly: a layer whose compressed stream is
// corrupt (its blob digest is right, so only decompression can notice), a layer whose
// content is not its diff_id, --preserve-digests with recompression, and compression
// levels out of range. Each is a non-zero exit with one line naming the problem, and
// nothing tagged at the destination. Also: the levels that are in range work.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countByMethod, formatAccessLog } from '../support/access-log.js';
import { describeRun, ferryOk, oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildHelmChart, buildImage, pushWithSkopeo, type BuiltHelmChart, type BuiltImage } from '../support/fixtures.js';
import {
  LAYER_TYPES,
  buildHandImage,
  cliUncompressedDigest,
  registryLayerContents,
  registryManifest,
  sha256Of,
  type HandImage,
  type ManifestDoc,
} from '../support/layer-tools.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { buildLayer, compressBytes } from '../support/tar-layer.js';
import { manifestStatus } from '../support/stored-image.js';

const MTIME = new Date('2024-01-01T00:00:00Z');
const TEXT = Array.from({ length: 20_000 }, (_, i) => `${i % 97} ${i % 13} compressible fixture text for ferry\n`).join('');

/** `gzip -t` / `zstd -t` on the bytes: whether the real tool accepts them. */
async function toolAccepts(format: 'gzip' | 'zstd', bytes: Buffer): Promise<boolean> {
  try {
    await cliUncompressedDigest(Readable.from([bytes]), format);
    return true;
  } catch {
    return false;
  }
}

interface CorruptCase {
  name: string;
  image: HandImage;
  /** The bad layer's digest, which the error must name. */
  layer: string;
  target: 'gzip' | 'zstd';
}

describe('recompression failures', () => {
  let registry: RunningRegistry;
  const cases: CorruptCase[] = [];
  let wrongDiffId: HandImage;
  let good: BuiltImage;
  let chart: BuiltHelmChart;

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'plain' });
    const small = await buildLayer({ files: { 'etc/fine.txt': 'a good layer\n' } }, MTIME);
    const big = await buildLayer({ files: { 'usr/share/text.txt': TEXT } }, MTIME);
    const good0 = { blob: small.blob, mediaType: LAYER_TYPES.ociGzip, diffId: small.diffId };

    // gzip whose CRC-32 trailer is wrong: the inflated bytes are right, the stream is not
    const badCrc = Buffer.from(big.blob);
    badCrc.writeUInt32LE((badCrc.readUInt32LE(badCrc.length - 8) ^ 0xffffffff) >>> 0, badCrc.length - 8);
    // gzip with garbage in the middle of its deflate data
    const badDeflate = Buffer.from(big.blob);
    badDeflate.fill(0xff, Math.floor(badDeflate.length / 2), Math.floor(badDeflate.length / 2) + 64);
    // zstd with garbage in the middle of its frame
    const zstdBlob = compressBytes(big.tar, 'zstd');
    const badZstd = Buffer.from(zstdBlob);
    badZstd.fill(0xff, Math.floor(badZstd.length / 2), Math.floor(badZstd.length / 2) + 64);
    // the fixtures really are corrupt to the real tools, and really were valid before
    expect(await toolAccepts('gzip', big.blob)).toBe(true);
    expect(await toolAccepts('zstd', zstdBlob)).toBe(true);
    expect(await toolAccepts('gzip', badCrc)).toBe(false);
    expect(await toolAccepts('gzip', badDeflate)).toBe(false);
    expect(await toolAccepts('zstd', badZstd)).toBe(false);

    const corrupt = async (name: string, blob: Buffer, mediaType: string, target: 'gzip' | 'zstd'): Promise<void> => {
      const image = await buildHandImage([good0, { blob, mediaType, diffId: big.diffId }]);
      cases.push({ name, image, layer: sha256Of(blob), target });
    };
    await corrupt('a gzip layer with a wrong CRC-32 → zstd', badCrc, LAYER_TYPES.ociGzip, 'zstd');
    await corrupt('a gzip layer with garbage in its deflate data → zstd', badDeflate, LAYER_TYPES.ociGzip, 'zstd');
    await corrupt('a zstd layer with garbage in its frame → gzip', badZstd, LAYER_TYPES.ociZstd, 'gzip');
    // a valid gzip layer whose config lists someone else's diff_id
    wrongDiffId = await buildHandImage([good0, { blob: big.blob, mediaType: LAYER_TYPES.ociGzip, diffId: sha256Of(Buffer.from('not this layer')) }]);
    [good, chart] = await Promise.all([
      buildImage({ layers: [{ files: { 'etc/text.txt': TEXT } }, { random: { size: 256 * 1024, seed: 'levels' }, files: { 'etc/more.txt': TEXT } }] }),
      buildHelmChart({ name: 'levels', version: '0.1.0' }),
    ]);

    // skopeo pushes them as they are (no decompression without a format change)
    await Promise.all([
      ...cases.map((c, i) => pushWithSkopeo(c.image.ociRef, registry, `bad/corrupt-${i}:v1`)),
      pushWithSkopeo(wrongDiffId.ociRef, registry, 'bad/diffid:v1'),
      pushWithSkopeo(good, registry, 'ok/image:v1'),
      pushWithSkopeo(chart.ociRef, registry, 'ok/chart:0.1.0'),
    ]);
  });
  afterAll(() => registry?.stop());

  const ref = (repoTag: string): string => `docker://${registry.ref(repoTag)}`;

  /** A failed copy: one line naming `layer`, exit 1, the tag absent, no manifest written. */
  async function expectCleanFailure(args: string[], layer: string, destRepo: string): Promise<string> {
    const mark = await registry.mark();
    const run = await runFerry(args);
    const line = oneLineError(run);
    expect(line, describeRun(run)).toContain(layer);
    expect(run.code, describeRun(run)).toBe(1);
    expect(await manifestStatus(registry, destRepo, 'v1')).toBe(404);
    const log = await registry.accessLog(mark);
    expect(log.filter((e) => e.path.includes(`/${destRepo}/manifests/`) && e.method === 'PUT'), formatAccessLog(log)).toEqual([]);
    return line;
  }

  describe('corrupt compressed streams', () => {
    it.each([0, 1, 2])('case %i fails naming the layer, tags nothing', async (i) => {
      const c = cases[i]!;
      const line = await expectCleanFailure(
        ['copy', '--quiet', '--dest-compress-format', c.target, ref(`bad/corrupt-${i}:v1`), ref(`bad/corrupt-${i}-out:v1`)],
        c.layer,
        `bad/corrupt-${i}-out`,
      );
      // the message says it is a decompression problem, not a transfer one
      expect(line, c.name).toMatch(new RegExp(`${c.target === 'zstd' ? 'gzip' : 'zstd'} decompression`));
      expect(line, c.name).not.toMatch(/digest mismatch/);
    });

    it('the same corrupt layer read from an OCI layout fails the same way', async () => {
      const c = cases[1]!;
      await expectCleanFailure(['copy', '--quiet', '--dest-compress-format', 'zstd', c.image.ociRef, ref('bad/from-layout:v1')], c.layer, 'bad/from-layout');
    });

    it('without recompression the blob is copied as it is (its digest is right)', async () => {
      const c = cases[0]!;
      const run = await ferryOk(['copy', '--quiet', ref('bad/corrupt-0:v1'), ref('bad/as-is:v1')]);
      expect(run.stdout.trim()).toBe(c.image.digest);
    });
  });

  it('a layer whose content does not match its diff_id fails naming the layer, tags nothing', async () => {
    const layer = wrongDiffId.layers[1]!.digest;
    const line = await expectCleanFailure(['copy', '--quiet', '--dest-compress-format', 'zstd', ref('bad/diffid:v1'), ref('bad/diffid-out:v1')], layer, 'bad/diffid-out');
    expect(line).toMatch(/diff_id/);
    // gzip → gzip leaves the layer alone, so there is nothing to check it against: that copy works
    await ferryOk(['copy', '--quiet', '--dest-compress-format', 'gzip', ref('bad/diffid:v1'), ref('bad/diffid-gzip:v1')]);
  });

  it('--format v2s2 with zstd is a one-line usage error before anything is written (Docker has no zstd type)', async () => {
    const mark = await registry.mark();
    const run = await runFerry(['copy', '--quiet', '--format', 'v2s2', '--dest-compress-format', 'zstd', ref('ok/image:v1'), ref('ok/v2s2:v1')]);
    expect(oneLineError(run)).toMatch(/zstd/);
    expect(run.code).toBe(1);
    const log = await registry.accessLog(mark);
    expect(log.filter((e) => e.method !== 'GET' && e.method !== 'HEAD'), formatAccessLog(log)).toEqual([]);
  });

  describe('--preserve-digests', () => {
    it('with --dest-compress-format zstd fails before writing anything', async () => {
      const mark = await registry.mark();
      const run = await runFerry(['copy', '--quiet', '--preserve-digests', '--dest-compress-format', 'zstd', ref('ok/image:v1'), ref('ok/preserved:v1')]);
      const line = oneLineError(run);
      expect(line).toMatch(/--preserve-digests/);
      const log = await registry.accessLog(mark);
      const counts = countByMethod(log);
      expect(counts['PUT'] ?? 0, formatAccessLog(log)).toBe(0);
      expect(counts['POST'] ?? 0, formatAccessLog(log)).toBe(0);
      expect(counts['PATCH'] ?? 0, formatAccessLog(log)).toBe(0);
      expect(log.some((e) => e.path.includes('/ok/preserved/')), formatAccessLog(log)).toBe(false);
      expect(await manifestStatus(registry, 'ok/preserved', 'v1')).toBe(404);
    });

    it('with a Helm chart (nothing to recompress) succeeds with the same digest', async () => {
      const run = await ferryOk(['copy', '--quiet', '--preserve-digests', '--dest-compress-format', 'zstd', ref('ok/chart:0.1.0'), ref('ok/chart-copy:0.1.0')]);
      expect(run.stdout.trim()).toBe(chart.digest);
    });
  });

  describe('compression levels', () => {
    async function layerSizes(repo: string): Promise<{ manifest: ManifestDoc; total: number }> {
      const stored = await registryManifest(registry, repo, 'v1');
      const manifest = JSON.parse(stored.bytes.toString('utf8')) as ManifestDoc;
      return { manifest, total: manifest.layers.reduce((n, l) => n + l.size, 0) };
    }

    it('zstd level 19 works and compresses better than level 1', async () => {
      await ferryOk(['copy', '--quiet', '--dest-compress-format', 'zstd', '--dest-compress-level', '1', ref('ok/image:v1'), ref('ok/zstd-1:v1')]);
      await ferryOk(['copy', '--quiet', '--dest-compress-format', 'zstd', '--dest-compress-level', '19', ref('ok/image:v1'), ref('ok/zstd-19:v1')]);
      const fast = await layerSizes('ok/zstd-1');
      const slow = await layerSizes('ok/zstd-19');
      expect(slow.manifest.layers.every((l) => l.mediaType === LAYER_TYPES.ociZstd)).toBe(true);
      expect(await registryLayerContents(registry, 'ok/zstd-19', slow.manifest)).toEqual(good.diffIds);
      expect(slow.total, `level 1: ${fast.total} bytes, level 19: ${slow.total} bytes`).toBeLessThan(fast.total);
    });

    it('gzip levels 1 and 9 work, 9 no bigger than 1', async () => {
      await ferryOk(['copy', '--quiet', '--dest-compress-format', 'gzip', '--dest-force-compress-format', '--dest-compress-level', '1', ref('ok/image:v1'), ref('ok/gzip-1:v1')]);
      await ferryOk(['copy', '--quiet', '--dest-compress-format', 'gzip', '--dest-force-compress-format', '--dest-compress-level', '9', ref('ok/image:v1'), ref('ok/gzip-9:v1')]);
      const fast = await layerSizes('ok/gzip-1');
      const best = await layerSizes('ok/gzip-9');
      expect(await registryLayerContents(registry, 'ok/gzip-9', best.manifest)).toEqual(good.diffIds);
      expect(best.total).toBeLessThan(fast.total);
    });

    it.each([
      ['zstd', '0'],
      ['zstd', '23'],
      ['zstd', '-1'],
      ['zstd', '3.5'],
      ['zstd', 'max'],
      ['gzip', '0'],
      ['gzip', '10'],
      ['gzip', '19'],
    ])('%s level %s is a one-line usage error, before any request', async (format, level) => {
      const mark = await registry.mark();
      const run = await runFerry(['copy', '--quiet', '--dest-compress-format', format, `--dest-compress-level=${level}`, ref('ok/image:v1'), ref('ok/never:v1')]);
      const line = oneLineError(run);
      expect(run.code).toBe(1);
      expect(line).toContain('--dest-compress-level');
      expect(line).toContain(level);
      expect(await registry.accessLog(mark)).toEqual([]);
    });

    it('a level without a format is a one-line usage error', async () => {
      const run = await runFerry(['copy', '--quiet', '--dest-compress-level', '5', ref('ok/image:v1'), ref('ok/never:v1')]);
      expect(oneLineError(run)).toContain('--dest-compress-format');
      expect(run.code).toBe(1);
    });
  });
});
