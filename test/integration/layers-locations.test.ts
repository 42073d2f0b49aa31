// The layer commands read every location kind the same way (oci-archive,
// docker-archive and dir: made without ferry), and refuse a layer whose bytes do not
// match its digest: one line, non-zero exit, no file content on stdout.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ferryJson, ferryOk, oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildLayeredImage, gnuTarLayer, type LayeredImage } from '../support/gnu-tar-image.js';
import { layoutBlobPath } from '../support/layer-tools.js';
import { dirOf, dockerArchiveOf, ociArchiveOf } from '../support/location-fixtures.js';
import { scratchDir } from '../support/scratch.js';

describe('layer commands on every location kind', () => {
  let image: LayeredImage;

  beforeAll(async () => {
    image = await buildLayeredImage([
      await gnuTarLayer({ files: { 'etc/os-release': 'ID=test\n', 'bin/app': { content: 'binary\n', mode: 0o755 } } }, { compression: 'gzip' }),
      await gnuTarLayer({ files: { 'etc/os-release': 'ID=changed\n' }, whiteouts: ['bin/app'] }, { compression: 'zstd' }),
    ]);
  }, 60_000);

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
