import { describe, expect, it } from 'vitest';
import { ZstdFrameSplitter } from '../../../src/compression/zstd-frames.js';
import { runTool, sampleData } from './sample-data.js';

function skippable(payload: Buffer, low = 0x50): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(0x184d2a00 | low, 0);
  header.writeUInt32LE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Frames made by the real CLI with every header and block variant it can produce. */
async function variedFrames(): Promise<Buffer[]> {
  return Promise.all([
    runTool('zstd', ['-q', '-c', '-3'], sampleData(300_000, 1)),
    runTool('zstd', ['-q', '-c', '--no-check', '--no-content-size'], sampleData(200_000, 2)),
    runTool('zstd', ['-q', '-c', '-1'], Buffer.alloc(500_000)), // RLE blocks
    runTool('zstd', ['-q', '-c', '-19'], Buffer.from('tiny')), // single segment
    runTool('zstd', ['-q', '-c'], Buffer.alloc(0)), // empty frame
    runTool('zstd', ['-q', '-c', '--no-check'], sampleData(50_000, 3).map(() => Math.floor(Math.random() * 256))), // raw blocks
  ]);
}

/** Splits `input` fed in chunks of the sizes `chunkSizes` returns. */
function splitAll(input: Buffer, chunkSizes: () => number): Buffer[] {
  const splitter = new ZstdFrameSplitter();
  const pieces: Buffer[] = [];
  for (let i = 0; i < input.length; ) {
    const n = Math.max(1, chunkSizes());
    pieces.push(...splitter.split(input.subarray(i, i + n)));
    i += n;
  }
  expect(splitter.atFrameBoundary).toBe(true);
  return pieces;
}

describe('ZstdFrameSplitter', () => {
  it('passes data frames through, drops skippable frames, never spans a frame end', async () => {
    const frames = await variedFrames();
    const input = Buffer.concat([skippable(Buffer.from('toc')), frames[0]!, skippable(Buffer.alloc(0), 0x5f), ...frames.slice(1), skippable(Buffer.alloc(70_000))]);
    const expected = Buffer.concat(frames);
    const ends = new Set<number>();
    let acc = 0;
    for (const f of frames) ends.add((acc += f.length));
    for (const sizes of [() => 3, () => 7, () => 65_536, () => 1 + Math.floor(Math.random() * 9000), () => input.length]) {
      const pieces = splitAll(input, sizes);
      expect(Buffer.concat(pieces).equals(expected)).toBe(true);
      const sortedEnds = [...ends];
      let offset = 0;
      let crossings = 0;
      for (const piece of pieces) {
        const nextEnd = sortedEnds.find((e) => e > offset) ?? Infinity;
        if (offset + piece.length > nextEnd) crossings++;
        offset += piece.length;
      }
      expect(crossings).toBe(0);
    }
  });

  it('copes with one-byte chunks, every field split', async () => {
    const frames = await variedFrames();
    const small = [frames[3]!, frames[4]!, frames[1]!.subarray(0, 0)];
    const input = Buffer.concat([small[0]!, skippable(Buffer.from('x')), small[1]!]);
    expect(Buffer.concat(splitAll(input, () => 1)).equals(Buffer.concat(small))).toBe(true);
  });

  it('knows when the input stops inside a frame', async () => {
    const frame = await runTool('zstd', ['-q', '-c'], sampleData(100_000));
    for (const cut of [1, 4, 6, frame.length - 4, frame.length - 1]) {
      const splitter = new ZstdFrameSplitter();
      splitter.split(frame.subarray(0, cut));
      expect(splitter.atFrameBoundary).toBe(false);
    }
    const inSkippable = new ZstdFrameSplitter();
    inSkippable.split(skippable(Buffer.alloc(100)).subarray(0, 50));
    expect(inSkippable.atFrameBoundary).toBe(false);
  });

  it('rejects bytes that are not a frame with ERR_COMPRESSION', async () => {
    const frame = await runTool('zstd', ['-q', '-c'], Buffer.from('hello'));
    const splitter = new ZstdFrameSplitter();
    splitter.split(frame);
    expect(() => splitter.split(Buffer.from('garbage!'))).toThrow(expect.objectContaining({ code: 'ERR_COMPRESSION' }));
    const reserved = Buffer.from(frame);
    reserved[4] = reserved[4]! | 0x08;
    expect(() => new ZstdFrameSplitter().split(reserved)).toThrow(/reserved bit/);
  });
});
