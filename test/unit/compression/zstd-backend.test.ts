import { afterEach, describe, expect, it } from 'vitest';
import { getCodec } from '../../../src/compression/codec.js';
import { availableZstdBackends, selectZstdBackend, ZSTD_BACKEND_ENV } from '../../../src/compression/zstd-backend.js';
import { chunked, collect, sampleData } from './sample-data.js';

const saved = process.env[ZSTD_BACKEND_ENV];
afterEach(() => {
  if (saved === undefined) delete process.env[ZSTD_BACKEND_ENV];
  else process.env[ZSTD_BACKEND_ENV] = saved;
});

const zlibZstd = process.versions.zstd !== undefined;

describe('zstd backend selection', () => {
  it('prefers node:zlib when the runtime has zstd, else zstd-napi', () => {
    expect(availableZstdBackends()).toEqual(zlibZstd ? ['zlib', 'napi'] : ['napi']);
    delete process.env[ZSTD_BACKEND_ENV];
    expect(selectZstdBackend().name).toBe(zlibZstd ? 'zlib' : 'napi');
    expect(selectZstdBackend('auto').name).toBe(zlibZstd ? 'zlib' : 'napi');
  });

  it('follows FERRY_ZSTD_BACKEND', () => {
    process.env[ZSTD_BACKEND_ENV] = 'napi';
    expect(getCodec('zstd').backend).toBe('napi');
    expect(getCodec('zstd', { zstdBackend: 'auto' }).backend).toBe(zlibZstd ? 'zlib' : 'napi');
  });

  it.skipIf(zlibZstd)('refuses a backend the runtime lacks instead of falling back', () => {
    process.env[ZSTD_BACKEND_ENV] = 'zlib';
    expect(() => getCodec('zstd')).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED', message: expect.stringContaining('22.15') }));
  });

  it('rejects an unknown backend name as a usage error', () => {
    expect(() => selectZstdBackend('zstd-codec')).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }));
  });

  it('napi streams leave the event loop free even at level 19', async () => {
    const codec = getCodec('zstd', { zstdBackend: 'napi' });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = Date.now();
    // A synchronous source: with libzstd on the main thread no timer could fire at all.
    const compressed = await collect(chunked(sampleData(4 * 1024 * 1024), 64 * 1024), codec.compress(19));
    const elapsed = Date.now() - started;
    clearInterval(timer);
    expect(compressed.length).toBeGreaterThan(0);
    expect(elapsed).toBeGreaterThan(200);
    expect(ticks).toBeGreaterThan(elapsed / 5 / 4);
  });
});
