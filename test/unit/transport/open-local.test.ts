import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLocation } from '../../../src/reference/location.js';
import type { LocalLocation } from '../../../src/transport/open-local.js';
import { isLocalLocation, openLocalDestination, openLocalSource } from '../../../src/transport/open-local.js';
import { HELLO, HELLO_DIGEST, copyLoop, tempDir } from './helpers.js';

describe('openLocalSource / openLocalDestination', () => {
  it('opens every local kind as a destination and reads each back as a source', async () => {
    const dir = await tempDir();
    const specs = [`oci:${dir}/layout:v1`, `oci-archive:${dir}/img.tar:v1`, `docker-archive:${dir}/d.tar`, `dir:${dir}/plain`];
    const supportsIndex: boolean[] = [];
    for (const spec of specs) {
      const loc = parseLocation(spec) as LocalLocation;
      const dest = await openLocalDestination(loc);
      expect(dest.description).toBe(spec);
      supportsIndex.push(dest.supportsIndex);
      await copyLoop(await openLocalSource({ kind: 'oci', path: HELLO, ref: 'latest' }), dest);
      const src = await openLocalSource(loc);
      expect(src.description).toBe(spec);
      const root = await src.getManifest(undefined);
      // docker-archive has no stored manifest; its generated one names the same config.
      if (loc.kind === 'docker-archive') expect(root.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
      else expect(root.digest).toBe(HELLO_DIGEST);
      await src.close();
    }
    expect(supportsIndex).toEqual([true, true, false, false]);
  });

  it('tells local locations from registry ones', () => {
    expect(isLocalLocation(parseLocation('oci:/x'))).toBe(true);
    expect(isLocalLocation(parseLocation('docker://alpine'))).toBe(false);
  });

  it('fails with ERR_NOT_FOUND for a missing source of each kind', async () => {
    const dir = await tempDir();
    for (const spec of [`oci:${dir}/no:v1`, `oci-archive:${dir}/no.tar`, `docker-archive:${dir}/no.tar`, `dir:${join(dir, 'no')}`]) {
      await expect(openLocalSource(parseLocation(spec) as LocalLocation)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: expect.stringContaining(`${dir}/no`) });
    }
  });
});
