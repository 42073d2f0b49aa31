// Output memory that node:zlib's decoders and the libdeflate compressor allocate anew for
// each chunk is freed as soon as the consumer hands the chunk back (lendFresh in
// src/stream/read-buffers.ts), instead of waiting for GC, which Node 24 runs late. On a
// runtime without ArrayBuffer.transfer (Node 20) nothing is lent and nothing freed; the
// bytes are the same either way.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { getCodec } from '../../../src/compression/codec.js';
import { parallelCompress } from '../../../src/compression/parallel.js';
import { isLent, releaseChunk } from '../../../src/stream/read-buffers.js';
import { codecCases } from './codecs.js';
import { chunked, collect, runTool, sampleData } from './sample-data.js';

const canFree = typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === 'function';

/** A consumer that writes each chunk out (a copy here) and then hands it back. */
function handingBack(): { sink: Writable; bytes: () => Buffer; memories: Set<ArrayBufferLike>; lent: () => number; large: () => number } {
  const parts: Buffer[] = [];
  const memories = new Set<ArrayBufferLike>();
  let lent = 0;
  let large = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      parts.push(Buffer.from(chunk));
      if (chunk.length >= 64 * 1024) large++;
      if (isLent(chunk)) {
        lent++;
        memories.add(chunk.buffer);
      }
      releaseChunk(chunk);
      setImmediate(cb);
    },
  });
  return { sink, bytes: () => Buffer.concat(parts), memories, lent: () => lent, large: () => large };
}

const zlibDecoders = codecCases().filter((c) => c.codec.backend === 'zlib');

describe.each(zlibDecoders)('$label decoder output', ({ codec }) => {
  it(canFree ? 'is freed once handed back, and decodes intact' : 'passes through as it is, intact', async () => {
    const data = sampleData(3 * 1024 * 1024, 11);
    const compressed = await collect(Readable.from([data]), codec.compress(3));
    const out = handingBack();
    await pipeline(chunked(compressed, 100_000), codec.decompress(), out.sink);
    expect(out.bytes().equals(data)).toBe(true);
    if (!canFree) {
      expect(out.lent()).toBe(0);
      return;
    }
    // 3 MiB in 256 KiB output buffers; only the last may be left unfilled, to GC
    expect(out.memories.size).toBeGreaterThanOrEqual(11);
    const kept = [...out.memories].filter((m) => m.byteLength > 0);
    expect(kept.length).toBeLessThanOrEqual(1);
  });

  it('is left whole to a consumer that keeps its chunks', async () => {
    const data = sampleData(1024 * 1024, 12);
    const compressed = await collect(Readable.from([data]), codec.compress(3));
    expect((await collect(chunked(compressed, 50_000), codec.decompress())).equals(data)).toBe(true);
  });
});

describe('libdeflate block output', () => {
  it(canFree ? 'is freed once handed back, and gzip -d reads it' : 'passes through as it is, and gzip -d reads it', async () => {
    const data = sampleData(2 * 1024 * 1024, 13);
    const out = handingBack();
    await pipeline(chunked(data, 100_000), parallelCompress('gzip', 6, { blockSize: 256 * 1024, workers: 2, gzipBackend: 'libdeflate' }), out.sink);
    expect((await runTool('gzip', ['-d', '-c'], out.bytes())).equals(data)).toBe(true);
    if (!canFree) {
      expect(out.lent()).toBe(0);
      return;
    }
    // each block is one chunk of its own memory; those under 64 KiB are left to GC
    expect(out.large()).toBeGreaterThanOrEqual(4);
    expect(out.lent()).toBe(out.large());
    expect([...out.memories].every((m) => m.byteLength === 0)).toBe(true);
  });

  it('is left whole to a consumer that keeps its chunks', async () => {
    const data = sampleData(1024 * 1024, 14);
    const compressed = await collect(chunked(data, 100_000), parallelCompress('gzip', 6, { blockSize: 256 * 1024, workers: 2, gzipBackend: 'libdeflate' }));
    expect((await collect(chunked(compressed, 50_000), getCodec('gzip').decompress())).equals(data)).toBe(true);
  });
});
