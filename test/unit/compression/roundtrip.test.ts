import { describe, expect, it } from 'vitest';
import { codecCases } from './codecs.js';
import { chunked, collect, runTool, sampleData } from './sample-data.js';

const data = sampleData(3 * 1024 * 1024 + 12345);

describe.each(codecCases())('$label streams', ({ codec, tool, levels }) => {
  it.each(levels)('round-trip at level %i; the real CLI decodes the output', async (level) => {
    const input = level >= 19 ? data.subarray(0, 600_000) : data;
    const compressed = await collect(chunked(input, 50_000), codec.compress(level));
    expect(compressed.length).toBeLessThan(input.length);
    expect((await collect(chunked(compressed, 7_777), codec.decompress())).equals(input)).toBe(true);
    expect((await runTool(tool, ['-d', '-c'], compressed)).equals(input)).toBe(true);
  });

  it('decodes what the CLI made, including concatenated members / frames', async () => {
    const a = await runTool(tool, ['-c', '-1'], data.subarray(0, 1_000_000));
    const b = await runTool(tool, ['-c', '-9'], data.subarray(1_000_000));
    const empty = await runTool(tool, ['-c'], Buffer.alloc(0));
    const joined = Buffer.concat([a, empty, b]);
    for (const size of [1_000, 65_536, joined.length]) {
      expect((await collect(chunked(joined, size), codec.decompress())).equals(data)).toBe(true);
    }
  });

  it('decodes an empty compressed stream to nothing', async () => {
    const empty = await collect(chunked(Buffer.alloc(0)), codec.compress());
    expect(empty.length).toBeGreaterThan(0);
    expect((await collect(chunked(empty), codec.decompress())).length).toBe(0);
  });

  it('fails with ERR_COMPRESSION on corrupt data, naming what it was decoding', async () => {
    const compressed = await collect(chunked(data.subarray(0, 500_000)), codec.compress());
    const corrupt = Buffer.from(compressed);
    for (let i = 100; i < 400; i++) corrupt[i] = corrupt[i]! ^ 0x5a;
    await expect(collect(chunked(corrupt, 4096), codec.decompress('layer sha256:abc'))).rejects.toMatchObject({
      code: 'ERR_COMPRESSION',
      message: expect.stringMatching(/^layer sha256:abc: /),
    });
  });

  it('fails with ERR_COMPRESSION on truncated data instead of ending quietly', async () => {
    const compressed = await collect(chunked(data.subarray(0, 500_000)), codec.compress());
    for (const keep of [compressed.length - 1, Math.floor(compressed.length / 2), 10]) {
      await expect(collect(chunked(compressed.subarray(0, keep)), codec.decompress())).rejects.toMatchObject({ code: 'ERR_COMPRESSION' });
    }
  });

  it('fails with ERR_COMPRESSION on data in another format', async () => {
    await expect(collect(chunked(data.subarray(0, 100_000)), codec.decompress())).rejects.toMatchObject({ code: 'ERR_COMPRESSION' });
  });
});
