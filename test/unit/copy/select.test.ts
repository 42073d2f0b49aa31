import { describe, expect, it } from 'vitest';
import { pickPlatform } from '../../../src/oci/platform.js';
import { selectFromIndex, type SelectInput } from '../../../src/copy/select.js';
import { FerryError } from '../../../src/errors.js';
import type { Descriptor, Platform } from '../../../src/oci/descriptor.js';
import type { IndexManifest } from '../../../src/oci/manifest.js';
import { MediaType } from '../../../src/oci/media-types.js';
import { dg } from './builders.js';

const amd64: Platform = { os: 'linux', architecture: 'amd64' };
const arm64: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };
const armv7: Platform = { os: 'linux', architecture: 'arm', variant: 'v7' };

function index(platforms: (Platform | undefined)[]): IndexManifest {
  return {
    kind: 'index',
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: platforms.map((p, i) => ({ mediaType: MediaType.OciManifest, digest: dg(i + 1), size: 100 + i, ...(p ? { platform: p } : {}) })),
  };
}

const three = index([amd64, arm64, armv7]);

const input = (over: Partial<SelectInput>): SelectInput => ({
  index: three,
  multiArch: 'all',
  destinationSupportsIndex: true,
  systemPlatform: amd64,
  where: 'docker://localhost:5000/multi:latest',
  ...over,
});

function err(fn: () => unknown): FerryError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FerryError);
    return e as FerryError;
  }
  throw new Error('expected an error');
}

const digests = (ds: Descriptor[]) => ds.map((d) => d.digest);

describe('selectFromIndex with --platform', () => {
  it('copies a subset when some platforms are asked for', () => {
    const s = selectFromIndex(input({ platforms: [{ os: 'linux', architecture: 'arm64' }] }));
    expect(s).toEqual({ kind: 'subset', children: [three.manifests[1]] });
  });

  it('keeps the index order, not the order the platforms were asked in', () => {
    const s = selectFromIndex(input({ platforms: [armv7, amd64] }));
    expect(s.kind).toBe('subset');
    expect(digests((s as { children: Descriptor[] }).children)).toEqual([dg(1), dg(3)]);
  });

  it('returns the very descriptors of the index', () => {
    const s = selectFromIndex(input({ platforms: [amd64] })) as { children: Descriptor[] };
    expect(s.children[0]).toBe(three.manifests[0]);
  });

  it('lists a child once when two platforms pick the same one', () => {
    const s = selectFromIndex(input({ platforms: [{ os: 'linux', architecture: 'arm64' }, arm64] }));
    expect(s).toEqual({ kind: 'subset', children: [three.manifests[1]] });
  });

  it('copies the whole index byte-exact when every platform is asked for', () => {
    expect(selectFromIndex(input({ platforms: [armv7, arm64, amd64] }))).toEqual({ kind: 'whole' });
  });

  it('copies a single image to a destination without index support', () => {
    const s = selectFromIndex(input({ platforms: [armv7], destinationSupportsIndex: false }));
    expect(s).toEqual({ kind: 'single', child: three.manifests[2] });
  });

  it('refuses several platforms for a destination without index support', () => {
    const e = err(() => selectFromIndex(input({ platforms: [amd64, arm64], destinationSupportsIndex: false })));
    expect(e.code).toBe('ERR_UNSUPPORTED');
    expect(e.message).toBe('the destination holds a single image; choose one platform, not 2');
  });

  it('fails for a platform the index lacks, listing the available ones', () => {
    const e = err(() => selectFromIndex(input({ platforms: [amd64, { os: 'linux', architecture: 's390x' }] })));
    expect(e.code).toBe('ERR_NOT_FOUND');
    expect(e.message).toBe('docker://localhost:5000/multi:latest has no image for platform linux/s390x (available: linux/amd64, linux/arm64/v8, linux/arm/v7)');
  });

  it('does not take arm/v7 for arm/v6', () => {
    const e = err(() => selectFromIndex(input({ platforms: [{ os: 'linux', architecture: 'arm', variant: 'v6' }] })));
    expect(e.message).toContain('no image for platform linux/arm/v6');
  });

  it('treats an empty platform list like none', () => {
    expect(selectFromIndex(input({ platforms: [] }))).toEqual({ kind: 'whole' });
  });
});

describe('selectFromIndex without --platform', () => {
  it('copies the whole index by default', () => {
    expect(selectFromIndex(input({}))).toEqual({ kind: 'whole' });
  });

  it('copies the system platform only with --multi-arch system', () => {
    const s = selectFromIndex(input({ multiArch: 'system', systemPlatform: { os: 'linux', architecture: 'arm64' } }));
    expect(s).toEqual({ kind: 'single', child: three.manifests[1] });
  });

  it('copies the system platform to a destination without index support', () => {
    expect(selectFromIndex(input({ destinationSupportsIndex: false, systemPlatform: armv7 }))).toEqual({ kind: 'single', child: three.manifests[2] });
    expect(selectFromIndex(input({ destinationSupportsIndex: false, multiArch: 'index-only' })).kind).toBe('single');
  });

  it('copies only the index with --multi-arch index-only', () => {
    expect(selectFromIndex(input({ multiArch: 'index-only' }))).toEqual({ kind: 'index-only' });
  });

  it('fails when the system platform is missing, listing what there is', () => {
    const e = err(() => selectFromIndex(input({ index: index([arm64, undefined]), destinationSupportsIndex: false })));
    expect(e.message).toBe('docker://localhost:5000/multi:latest has no image for platform linux/amd64 (available: linux/arm64/v8, unknown)');
  });
});

describe('pickPlatform', () => {
  it('takes the first match', () => {
    const idx = index([{ os: 'linux', architecture: 'amd64', variant: 'v2' }, amd64]);
    expect(pickPlatform(idx, amd64, 'x').digest).toBe(dg(1));
  });

  it('says "none" for an empty index', () => {
    expect(err(() => pickPlatform(index([]), amd64, 'oci:/l')).message).toBe('oci:/l has no image for platform linux/amd64 (available: none)');
  });

  it('never picks an entry without a platform (attestations)', () => {
    const idx = index([undefined, amd64]);
    expect(pickPlatform(idx, amd64, 'x').digest).toBe(dg(2));
  });
});
