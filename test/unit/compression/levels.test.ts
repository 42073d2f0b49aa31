import { describe, expect, it } from 'vitest';
import { GZIP_DEFAULT_LEVEL, libdeflateLevel } from '../../../src/compression/gzip-codec.js';
import { codecCases } from './codecs.js';
import { runTool, sampleData } from './sample-data.js';

/**
 * A given --dest-compress-level means the same output size whichever backend runs: each
 * backend's output at level N is compared with the reference CLI's (`gzip -N`, `zstd -N`;
 * zlib and libzstd define what the levels mean). Sizes, not timings.
 */
const data = sampleData(4 * 1024 * 1024, 7);

async function blockSize(codec: ReturnType<typeof codecCases>[number]['codec'], level: number): Promise<number> {
  const compressor = codec.blockCompressor(level, 1);
  try {
    const block = Buffer.allocUnsafeSlow(data.length);
    data.copy(block);
    return (await compressor.compress(block)).output.length;
  } finally {
    compressor.close();
  }
}

describe('compression levels mean the same on every backend', () => {
  for (const c of codecCases()) {
    // the ultra levels take tens of seconds on 4 MiB; the others show the mapping
    const levels = c.tool === 'gzip' ? [1, 4, 6, 9] : [1, 3, 9];
    it(`${c.label}: output size at levels ${levels.join(', ')} within 5% of ${c.tool} -N`, async () => {
      const sizes: number[] = [];
      for (const level of levels) {
        const ours = await blockSize(c.codec, level);
        const reference = (await runTool(c.tool, [`-${level}`, '-c', ...(c.tool === 'zstd' ? ['-q', '--ultra'] : [])], data)).length;
        if (process.env['FERRY_PRINT_LEVELS']) console.log(c.label, level, ours, reference, (ours / reference).toFixed(3));
        expect(Math.abs(ours / reference - 1), `level ${level}: ${ours} bytes against ${c.tool}'s ${reference}`).toBeLessThan(0.05);
        sizes.push(ours);
      }
      // a higher level never writes more (the levels are listed in increasing order)
      for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]!);
    }, 120_000);
  }

  it('map gzip levels 1-9 onto libdeflate levels that grow with them', () => {
    const mapped = [1, 2, 3, 4, 5, 6, 7, 8, 9].map(libdeflateLevel);
    expect(mapped).toEqual([...mapped].sort((a, b) => a - b));
    expect(libdeflateLevel(6)).toBe(3);
    // the default, zlib -4's size class, runs libdeflate -2
    expect(libdeflateLevel(GZIP_DEFAULT_LEVEL)).toBe(2);
    expect(() => libdeflateLevel(0)).toThrow(RangeError);
    expect(() => libdeflateLevel(10)).toThrow(RangeError);
  });
});
