import { describe, expect, it } from 'vitest';
import { convertMediaType, layerMediaType, manifestFormatOf } from '../../../src/copy/convert.js';
import { FerryError } from '../../../src/errors.js';
import { MediaType } from '../../../src/oci/media-types.js';

function err(fn: () => unknown): FerryError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FerryError);
    return e as FerryError;
  }
  throw new Error('expected an error');
}

describe('manifestFormatOf', () => {
  it('names the format of manifest media types', () => {
    expect(manifestFormatOf(MediaType.DockerManifest)).toBe('v2s2');
    expect(manifestFormatOf(MediaType.DockerManifestList)).toBe('v2s2');
    expect(manifestFormatOf(MediaType.OciManifest)).toBe('oci');
    expect(manifestFormatOf(MediaType.OciIndex)).toBe('oci');
    expect(manifestFormatOf(MediaType.DockerSchema1Signed)).toBeUndefined();
    expect(manifestFormatOf(MediaType.DockerLayerGzip)).toBeUndefined();
  });
});

describe('convertMediaType to OCI', () => {
  it.each([
    [MediaType.DockerManifest, MediaType.OciManifest],
    [MediaType.DockerManifestList, MediaType.OciIndex],
    [MediaType.DockerConfig, MediaType.OciConfig],
    [MediaType.DockerLayerGzip, MediaType.OciLayerGzip],
    [MediaType.DockerForeignLayerGzip, MediaType.OciLayerNondistGzip],
  ])('%s → %s', (from, to) => {
    expect(convertMediaType(from, 'oci', 'x')).toBe(to);
  });

  it('leaves OCI and other types alone', () => {
    for (const mt of [MediaType.OciManifest, MediaType.OciLayerZstd, MediaType.OciLayerTar, MediaType.HelmConfig, 'application/x-custom']) {
      expect(convertMediaType(mt, 'oci', 'x')).toBe(mt);
    }
  });
});

describe('convertMediaType to Docker v2 schema 2', () => {
  it.each([
    [MediaType.OciManifest, MediaType.DockerManifest],
    [MediaType.OciIndex, MediaType.DockerManifestList],
    [MediaType.OciConfig, MediaType.DockerConfig],
    [MediaType.OciLayerGzip, MediaType.DockerLayerGzip],
    [MediaType.OciLayerNondistGzip, MediaType.DockerForeignLayerGzip],
  ])('%s → %s', (from, to) => {
    expect(convertMediaType(from, 'v2s2', 'x')).toBe(to);
  });

  it('leaves Docker types alone', () => {
    for (const mt of [MediaType.DockerManifest, MediaType.DockerLayerGzip, MediaType.DockerForeignLayerGzip, 'application/vnd.docker.plugin.v1+json']) {
      expect(convertMediaType(mt, 'v2s2', 'x')).toBe(mt);
    }
  });

  it('refuses zstd layers, naming the layer and the media type', () => {
    const e = err(() => convertMediaType(MediaType.OciLayerZstd, 'v2s2', `layer sha256:${'a'.repeat(64)}`));
    expect(e.code).toBe('ERR_UNSUPPORTED');
    expect(e.exitCode).toBe(1);
    expect(e.message).toBe(
      `cannot convert layer sha256:${'a'.repeat(64)} to Docker v2 schema 2: media type ${MediaType.OciLayerZstd} has no Docker equivalent`,
    );
  });

  it('maps plain tar layers both ways (docker save stores them so)', () => {
    expect(convertMediaType(MediaType.OciLayerTar, 'v2s2', 'blob')).toBe(MediaType.DockerLayerTar);
    expect(convertMediaType(MediaType.DockerLayerTar, 'oci', 'blob')).toBe(MediaType.OciLayerTar);
  });

  it.each([MediaType.OciLayerNondistZstd, MediaType.HelmConfig, MediaType.OciEmpty])('refuses %s', (mt) => {
    expect(err(() => convertMediaType(mt, 'v2s2', 'blob')).message).toContain(`media type ${mt} has no Docker equivalent`);
  });
});

describe('layerMediaType', () => {
  it('names OCI layer types for both compressions', () => {
    expect(layerMediaType('gzip', 'oci')).toBe(MediaType.OciLayerGzip);
    expect(layerMediaType('zstd', 'oci')).toBe(MediaType.OciLayerZstd);
    expect(layerMediaType('gzip', 'oci', true)).toBe(MediaType.OciLayerNondistGzip);
    expect(layerMediaType('zstd', 'oci', true)).toBe(MediaType.OciLayerNondistZstd);
  });

  it('names Docker gzip layer types', () => {
    expect(layerMediaType('gzip', 'v2s2')).toBe(MediaType.DockerLayerGzip);
    expect(layerMediaType('gzip', 'v2s2', true)).toBe(MediaType.DockerForeignLayerGzip);
  });

  it('refuses zstd in Docker v2 schema 2', () => {
    const e = err(() => layerMediaType('zstd', 'v2s2'));
    expect(e).toMatchObject({ code: 'ERR_UNSUPPORTED', message: 'Docker v2 schema 2 has no zstd layer type' });
    expect(() => layerMediaType('zstd', 'v2s2', true)).toThrow('Docker v2 schema 2 has no zstd layer type');
  });
});
