// The layer commands read every location kind the same way (oci-archive,
// docker-archive and dir: made without ferry), and refuse a layer whose bytes do not
// match its digest: one line, non-zero exit, no file content on stdout.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferryJson, ferryOk, ferryRegistryFlags, oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildIndex, pushWithSkopeo } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { deterministicBytes } from '../support/tar-layer.js';
import { buildLayeredImage, gnuTarLayer, type LayeredImage } from '../support/gnu-tar-image.js';
import { layoutBlobPath } from '../support/layer-tools.js';
import { dirOf, dockerArchiveOf, ociArchiveOf } from '../support/location-fixtures.js';
import { scratchDir } from '../support/scratch.js';

const BIG = deterministicBytes(6 * 1024 * 1024 + 123, 'cat-big');
/** Kept from the first read (under the 4 MiB limit), over several of gunzip's 256 KiB buffers, with data/big.bin after it. */
const MID = deterministicBytes(3 * 1024 * 1024 + 77, 'cat-mid');

describe('layer commands on every location kind', () => {
  let image: LayeredImage;
  let secure: RunningRegistry;

  beforeAll(async () => {
    [image, secure] = await Promise.all([
      (async () => buildLayeredImage([
        await gnuTarLayer({ files: { 'etc/os-release': 'ID=test\n', 'bin/app': { content: 'binary\n', mode: 0o755 }, 'data/big.bin': BIG, 'data/mid.bin': MID } }, { compression: 'gzip' }),
        await gnuTarLayer({ files: { 'etc/os-release': 'ID=changed\n' }, whiteouts: ['bin/app'] }, { compression: 'zstd' }),
      ]))(),
      startRegistry({ mode: 'htpasswd-tls' }),
    ]);
    await pushWithSkopeo(image, secure, 'private/image:v1');
  }, 120_000);
  afterAll(async () => {
    await secure?.stop();
  });

  it('cat streams a file larger than its in-memory limit from a second read of its layer, byte-exact', async () => {
    const run = await ferryOk(['cat', image.ociRef, '/data/big.bin'], { timeoutMs: 120_000 });
    expect(run.stdoutBytes.length).toBe(BIG.length);
    expect(createHash('sha256').update(run.stdoutBytes).digest('hex')).toBe(createHash('sha256').update(BIG).digest('hex'));
  });

  it('cat keeps a file from the first read byte-exact while the walk frees the chunks it has read past', async () => {
    // the walk goes on through data/big.bin after finding data/mid.bin; on Node >= 22 it
    // frees each decoded chunk once past it, so cat must have copied what it keeps
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    const creds = ['--creds', `${secure.username}:${secure.password}`, ...ferryRegistryFlags(secure)];
    for (const args of [[image.ociRef], [...creds, `docker://${secure.ref('private/image:v1')}`]]) {
      const run = await ferryOk(['cat', ...args, '/data/mid.bin']);
      expect(run.stdoutBytes.length, args.at(-1)).toBe(MID.length);
      expect(sha(run.stdoutBytes), args.at(-1)).toBe(sha(MID));
    }
  });

  it('reads from a registry behind TLS and htpasswd with the usual flags; without credentials a one-line error', async () => {
    const location = `docker://${secure.ref('private/image:v1')}`;
    const creds = ['--creds', `${secure.username}:${secure.password}`, ...ferryRegistryFlags(secure)];
    expect((await ferryOk(['cat', ...creds, location, '/etc/os-release'])).stdout).toBe('ID=changed\n');
    const listing = await ferryJson<{ files: Array<{ path: string }> }>(['ls', '--format', 'json', ...creds, location, '/etc']);
    expect(listing.files.map((f) => f.path)).toEqual(['/etc', '/etc/os-release']);
    expect((await ferryJson<{ total: { layers: number } }>(['layers', '--format', 'json', ...creds, location])).total.layers).toBe(2);
    const denied = await runFerry(['lint', ...ferryRegistryFlags(secure), location]);
    expect(oneLineError(denied)).toMatch(/401|unauthori[sz]ed/i);
  });

  it('ls, cat and layers agree for oci:, oci-archive:, docker-archive: and dir:', async () => {
    const reference = await ferryJson<{ files: unknown[] }>(['ls', '--format', 'json', image.ociRef]);
    const layersRef = await ferryJson<{ rows: unknown[]; total: unknown }>(['layers', '--format', 'json', image.ociRef]);
    const others = [
      await ociArchiveOf(image),
      await dockerArchiveOf({ ...image, configJson: {}, diffIds: [], descriptor: { mediaType: image.mediaType, digest: image.digest, size: image.manifestBytes.length }, size: image.manifestBytes.length, platform: { os: 'linux', architecture: 'amd64' } }, 'test/image:v1'),
      await dirOf(image),
    ];
    for (const location of others) {
      const listing = await ferryJson<{ files: unknown[] }>(['ls', '--format', 'json', location]);
      expect(listing.files, location).toEqual(reference.files);
      const layers = await ferryJson<{ rows: unknown[]; total: unknown }>(['layers', '--format', 'json', location]);
      // a docker-archive announces Docker media types (even for the zstd layer); the bytes decide
      const noType = (rows: unknown[]) => rows.map((r) => ({ ...(r as object), mediaType: undefined }));
      expect(noType(layers.rows), location).toEqual(noType(layersRef.rows));
      expect((await ferryOk(['cat', location, '/etc/os-release'])).stdout).toBe('ID=changed\n');
      expect(oneLineError(await runFerry(['cat', location, '/bin/app']))).toContain('/bin/app not found');
    }
  });

  it('--platform: an index gives the chosen image; a single image of another platform is an error, not a silent read', async () => {
    const index = await buildIndex(['linux/amd64', 'linux/arm64/v8'], { sharedLayer: null });
    for (const [platform, expected] of [['linux/amd64', 'linux/amd64\n'], ['linux/arm64', 'linux/arm64/v8\n']]) {
      expect((await ferryOk(['cat', '--platform', platform!, index.ociRef, '/etc/fixture-platform'])).stdout).toBe(expected);
    }
    expect(oneLineError(await runFerry(['ls', '--platform', 'linux/s390x', index.ociRef]))).toContain('no image for platform linux/s390x');
    expect(oneLineError(await runFerry(['ls', '--platform', 'linux/arm64', image.ociRef]))).toContain('is a linux/amd64 image, not linux/arm64');
  });

  it('a layer that decompresses to something other than a tar is a one-line error naming it', async () => {
    const notTar = await buildLayeredImage([{ tar: Buffer.alloc(0), blob: gzipSync(deterministicBytes(4096, 'not-a-tar')), diffId: 'sha256:' + '0'.repeat(64), compression: 'gzip', mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }]);
    const run = await runFerry(['ls', notTar.ociRef]);
    expect(oneLineError(run)).toMatch(new RegExp(`layer ${notTar.layers[0]!.digest} of .* is not a valid tar archive`));
  });

  it('a corrupted layer is a one-line digest error, and cat prints nothing from it', async () => {
    const broken = await scratchDir('layers-corrupt');
    await cp(image.layoutPath, broken, { recursive: true });
    const top = image.layers[1]!;
    const path = layoutBlobPath(broken, top.digest);
    const bytes = await readFile(path);
    bytes[bytes.length - 5]! ^= 0xff;
    await writeFile(path, bytes);
    const location = `oci:${broken}:${image.tag}`;
    for (const args of [['layers', location], ['ls', location], ['cat', location, '/etc/os-release']]) {
      const run = await runFerry(args);
      const line = oneLineError(run);
      expect(line, args.join(' ')).toMatch(/digest mismatch|not valid|compress/i);
      expect(line).toContain(top.digest.slice(0, 20));
      expect(run.stdout).toBe('');
    }
  });
});
