import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultBlockSize, parallelCompress } from '../../../src/compression/parallel.js';
import type { Digest } from '../../../src/oci/digest.js';
import { releaseChunk } from '../../../src/stream/read-buffers.js';
import { backendOptions, codecCases } from './codecs.js';
import { chunked, collect, runTool, sampleData } from './sample-data.js';

const blockSize = 256 * 1024;
const data = sampleData(10 * blockSize + 4321, 7);

describe.each(codecCases())('parallelCompress $label', ({ codec, tool }) => {
  const options = { blockSize, workers: 2, ...backendOptions(codec) };

  it('emits blocks in order: our decoder and the real CLI get the input back', async () => {
    const compressed = await collect(chunked(data, 100_000), parallelCompress(codec.name, 1, options));
    expect((await collect(chunked(compressed, 65_536), codec.decompress())).equals(data)).toBe(true);
    expect((await runTool(tool, ['-d', '-c'], compressed)).equals(data)).toBe(true);
  });

  it('makes one member / frame per block', async () => {
    const compressed = await collect(chunked(data), parallelCompress(codec.name, undefined, options));
    const magic = codec.name === 'gzip' ? Buffer.from([0x1f, 0x8b, 0x08]) : Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
    const starts: number[] = [];
    for (let i = compressed.indexOf(magic); i >= 0; i = compressed.indexOf(magic, i + 1)) starts.push(i);
    // Every block boundary starts a member; stray matches inside compressed data are possible but rare.
    expect(starts[0]).toBe(0);
    expect(starts.length).toBeGreaterThanOrEqual(Math.ceil(data.length / blockSize));
  });

  it('gives the same bytes whatever the worker count or input chunking', async () => {
    const one = await collect(chunked(data, 3_000), parallelCompress(codec.name, 2, { ...options, workers: 1 }));
    const four = await collect(chunked(data, 1 << 20), parallelCompress(codec.name, 2, { ...options, workers: 4 }));
    expect(four.equals(one)).toBe(true);
  });

  it('gives the same bytes when a consumer hands every chunk back after writing it (output memory used again)', async () => {
    const expected = await collect(chunked(data, 100_000), parallelCompress(codec.name, 1, options));
    const written: Buffer[] = [];
    const stream = parallelCompress(codec.name, 1, options);
    const done = (async () => {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        // what the layout writer and the upload pump do once a write completes
        await new Promise((r) => setImmediate(r));
        written.push(Buffer.from(chunk));
        releaseChunk(chunk);
      }
    })();
    for (let i = 0; i < data.length; i += 100_000) if (!stream.write(data.subarray(i, i + 100_000))) await new Promise((r) => stream.once('drain', r));
    stream.end();
    await done;
    expect(Buffer.concat(written).equals(expected)).toBe(true);
  });

  it('turns empty input into a valid empty stream', async () => {
    const compressed = await collect(chunked(Buffer.alloc(0)), parallelCompress(codec.name, undefined, options));
    expect(compressed.length).toBeGreaterThan(0);
    expect((await runTool(tool, ['-d', '-c'], compressed)).length).toBe(0);
    expect((await collect(chunked(compressed), codec.decompress())).length).toBe(0);
  });

  it('handles input of exactly one block and chunks larger than a block', async () => {
    const exact = data.subarray(0, blockSize);
    const compressed = await collect(chunked(exact, blockSize * 3), parallelCompress(codec.name, undefined, options));
    expect((await runTool(tool, ['-d', '-c'], compressed)).equals(exact)).toBe(true);
  });

  it('verifies the input digest it was given, and fails before the end when it differs', async () => {
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}` as Digest;
    const verifyInput = { digest, what: 'uncompressed content of layer x (diff_id)' };
    const compressed = await collect(chunked(data, 100_000), parallelCompress(codec.name, 1, { ...options, verifyInput }));
    // the same bytes as without the check
    expect(compressed.equals(await collect(chunked(data, 100_000), parallelCompress(codec.name, 1, options)))).toBe(true);

    const other = Buffer.from(data);
    other[blockSize * 3 + 17] ^= 1;
    const failed = collect(chunked(other, 100_000), parallelCompress(codec.name, 1, { ...options, verifyInput }));
    await expect(failed).rejects.toMatchObject({ code: 'ERR_DIGEST_MISMATCH', expected: digest });
    await expect(failed).rejects.toThrow(/uncompressed content of layer x \(diff_id\)/);
  });

  it('rejects a bad level with a usage error before any work', () => {
    expect(() => parallelCompress(codec.name, 99, options)).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }));
  });
});

describe('defaultBlockSize', () => {
  it('grows with the zstd level, so the ratio loss stays small, and never depends on the machine', () => {
    const MiB = 1024 * 1024;
    expect(defaultBlockSize('gzip', 9)).toBe(4 * MiB);
    expect([1, 3, 4, 8, 9, 19, 22].map((l) => defaultBlockSize('zstd', l) / MiB)).toEqual([8, 8, 16, 16, 32, 32, 32]);
  });
});

describe('parallelCompress none', () => {
  it('passes bytes through unchanged', async () => {
    const out = await collect(chunked(data), parallelCompress('none', undefined, { blockSize }));
    expect(out.equals(data)).toBe(true);
  });
});
