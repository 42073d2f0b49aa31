import { describe, expect, it } from 'vitest';
import { compressionOfMediaType, getCodec, isCompressionName, resolveLevel } from '../../../src/compression/codec.js';
import { selectGzipBackend } from '../../../src/compression/gzip-codec.js';
import { MediaType } from '../../../src/oci/media-types.js';

describe('codecs as data', () => {
  it('describe each format: magic, levels, media types', () => {
    const gzip = getCodec('gzip', { gzipBackend: 'zlib' });
    // the default is zlib -4's size class, no larger than skopeo's default output (docs/decisions.md)
    expect(gzip).toMatchObject({ name: 'gzip', backend: 'zlib', defaultLevel: 4, levels: { min: 1, max: 9 } });
    // one level scale for both backends: the default 4 runs libdeflate -2 (levels.test.ts checks the sizes)
    expect(getCodec('gzip', { gzipBackend: 'libdeflate' })).toMatchObject({ name: 'gzip', backend: 'libdeflate', defaultLevel: 4, levels: { min: 1, max: 9 } });
    expect(getCodec('gzip').backend).toBe('libdeflate');
    expect(gzip.magic[0]?.bytes).toEqual([0x1f, 0x8b]);
    expect(gzip.mediaTypes).toEqual({ oci: MediaType.OciLayerGzip, ociNondistributable: MediaType.OciLayerNondistGzip, docker: MediaType.DockerLayerGzip });

    const zstd = getCodec('zstd');
    expect(zstd).toMatchObject({ name: 'zstd', defaultLevel: 3, levels: { min: 1, max: 22 } });
    expect(zstd.mediaTypes.oci).toBe(MediaType.OciLayerZstd);
    expect(zstd.mediaTypes.docker).toBeUndefined();

    const none = getCodec('none');
    expect(none.mediaTypes.oci).toBe(MediaType.OciLayerTar);
    expect(none.magic).toEqual([]);
  });

  it('map layer media types back to their compression', () => {
    expect(compressionOfMediaType(MediaType.DockerLayerGzip)).toBe('gzip');
    expect(compressionOfMediaType(MediaType.OciLayerNondistZstd)).toBe('zstd');
    expect(compressionOfMediaType(MediaType.OciLayerTar)).toBe('none');
    expect(compressionOfMediaType(MediaType.OciConfig)).toBeUndefined();
    expect(isCompressionName('zstd')).toBe(true);
    expect(isCompressionName('xz')).toBe(false);
  });

  it('check levels: default when absent, usage error when out of range', () => {
    const gzip = getCodec('gzip', { gzipBackend: 'zlib' });
    expect(resolveLevel(gzip, undefined)).toBe(4);
    expect(resolveLevel(gzip, 9)).toBe(9);
    for (const bad of [0, 10, 2.5, Number.NaN]) {
      expect(() => resolveLevel(gzip, bad)).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }));
    }
    expect(() => getCodec('zstd').compress(23)).toThrow(/from 1 to 22/);
    expect(() => gzip.compress(0)).toThrow(/from 1 to 9/);
  });

  it('select the gzip backend: FERRY_GZIP_BACKEND, usage error for an unknown name', () => {
    expect(selectGzipBackend('zlib')).toBe('zlib');
    expect(selectGzipBackend('libdeflate')).toBe('libdeflate');
    expect(selectGzipBackend('auto')).toBe('libdeflate');
    expect(() => selectGzipBackend('pigz')).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }));
  });
});
