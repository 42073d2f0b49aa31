import { afterEach, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { getCodec } from '../../../src/compression/codec.js';
import { compressStream } from '../../../src/compression/streams.js';
import { availableZstdBackends, selectZstdBackend, ZSTD_BACKEND_ENV, zstdLoadErrors } from '../../../src/compression/zstd-backend.js';
import { chunked, collect, sampleData } from './sample-data.js';

const saved = process.env[ZSTD_BACKEND_ENV];
afterEach(() => {
  if (saved === undefined) delete process.env[ZSTD_BACKEND_ENV];
  else process.env[ZSTD_BACKEND_ENV] = saved;
});

const zlibZstd = process.versions.zstd !== undefined;

describe('zstd backend selection', () => {
  it('prefers zstd-napi, whose add-on the tests install, and lists node:zlib after it where the runtime has zstd', () => {
    expect(availableZstdBackends()).toEqual(zlibZstd ? ['napi', 'zlib'] : ['napi']);
    delete process.env[ZSTD_BACKEND_ENV];
    expect(selectZstdBackend().name).toBe('napi');
    expect(selectZstdBackend('auto').name).toBe('napi');
  });

  it('follows FERRY_ZSTD_BACKEND', () => {
    process.env[ZSTD_BACKEND_ENV] = 'napi';
    expect(getCodec('zstd').backend).toBe('napi');
    expect(getCodec('zstd', { zstdBackend: 'auto' }).backend).toBe('napi');
  });

  // npm test runs this on Node 20 (no zlib zstd) and on 22 and 24 (zlib zstd)
  it('asking for zlib gets zlib where Node has zstd, and an error, not a fallback, where it has not', () => {
    process.env[ZSTD_BACKEND_ENV] = 'zlib';
    if (zlibZstd) {
      expect(getCodec('zstd').backend).toBe('zlib');
      expect(zstdLoadErrors.zlib()).toBeUndefined();
    } else {
      expect(() => getCodec('zstd')).toThrow(expect.objectContaining({ code: 'ERR_UNSUPPORTED', message: expect.stringContaining('22.15') }));
      expect(zstdLoadErrors.zlib()).toContain('needs >= 22.15');
    }
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

  it('the napi decoder, which runs on the main thread, yields to the event loop while it decodes', async () => {
    const codec = getCodec('zstd', { zstdBackend: 'napi' });
    const data = sampleData(64 * 1024 * 1024, 5);
    const compressed = await collect(chunked(data, 1024 * 1024), codec.compress(1));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    // the whole stream in one write: a decoder that never yielded would let no timer fire
    const decoded = await collect(chunked(compressed, compressed.length), codec.decompress());
    clearInterval(timer);
    expect(decoded.equals(data)).toBe(true);
    expect(ticks).toBeGreaterThan(2);
  });

  it('the napi decoder feeding parallel gzip compression runs to the end (no stall between the two backpressures)', async () => {
    const codec = getCodec('zstd', { zstdBackend: 'napi' });
    const data = sampleData(96 * 1024 * 1024, 6);
    const compressed = await collect(chunked(data, 1024 * 1024), codec.compress(1));
    // Node exits with code 13 if a stall leaves the event loop empty; keep it alive so a
    // stall shows as a test timeout instead of killing the worker.
    const alive = setInterval(() => undefined, 1000);
    try {
      const gzipped = await collect(chunked(compressed, 64 * 1024), codec.decompress(), compressStream('gzip', 1));
      expect(gunzipSync(gzipped).equals(data)).toBe(true);
    } finally {
      clearInterval(alive);
    }
  });

  it('the napi decoder decodes into pooled buffers, which parallel compression hands back once copied', async () => {
    const codec = getCodec('zstd', { zstdBackend: 'napi' });
    const data = sampleData(32 * 1024 * 1024, 7);
    const compressed = await collect(chunked(data, 1024 * 1024), codec.compress(1));
    const decoder = codec.decompress();
    const memories = new Set<ArrayBufferLike>();
    let chunks = 0;
    decoder.on('data', (c: Buffer) => {
      chunks++;
      memories.add(c.buffer);
    });
    const gzipped = await collect(chunked(compressed, 64 * 1024), decoder, compressStream('gzip', 1));
    expect(gunzipSync(gzipped).equals(data)).toBe(true);
    expect(chunks).toBeGreaterThan(100);
    // a new buffer per output chunk was the old way; the pool's few are used again and again
    expect(memories.size).toBeLessThan(chunks / 4);
  });
});
