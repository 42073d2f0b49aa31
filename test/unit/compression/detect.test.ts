import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DETECT_BYTES, detectCompression, detectFormat } from '../../../src/compression/detect.js';
import { chunked, collect, runTool, sampleData } from './sample-data.js';

function tarHeader(): Buffer {
  const header = Buffer.alloc(512);
  header.write('usr/lib/os-release', 0);
  header.write('ustar', 257);
  return header;
}

describe('detectFormat', () => {
  it('knows gzip, zstd frames and zstd skippable frames by their magic', async () => {
    expect(detectFormat(gzipSync(Buffer.from('x')))).toBe('gzip');
    expect(detectFormat(await runTool('zstd', ['-q', '-c'], Buffer.from('x')))).toBe('zstd');
    for (const low of [0x50, 0x5a, 0x5f]) {
      expect(detectFormat(Buffer.from([low, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]))).toBe('zstd');
    }
  });

  it('calls anything else none: a tar, short input, empty input, near-misses', () => {
    expect(detectFormat(tarHeader())).toBe('none');
    expect(detectFormat(Buffer.alloc(0))).toBe('none');
    expect(detectFormat(Buffer.from([0x1f]))).toBe('none');
    expect(detectFormat(Buffer.from([0x28, 0xb5, 0x2f]))).toBe('none');
    expect(detectFormat(Buffer.from([0x60, 0x2a, 0x4d, 0x18]))).toBe('none');
    expect(detectFormat(Buffer.from('BZh91AY&SY'))).toBe('none');
  });
});

describe('detectCompression', () => {
  it('peeks without consuming: the returned stream yields every byte', async () => {
    const data = gzipSync(sampleData(300_000));
    const { format, stream } = await detectCompression(chunked(data, 1));
    expect(format).toBe('gzip');
    expect((await collect(stream)).equals(data)).toBe(true);
  });

  it('reads across chunk boundaries to see a whole zstd magic', async () => {
    const data = await runTool('zstd', ['-q', '-c'], sampleData(10_000));
    const { format, stream } = await detectCompression(Readable.from([data.subarray(0, 1), Buffer.alloc(0), data.subarray(1, 3), data.subarray(3)]));
    expect(format).toBe('zstd');
    expect((await collect(stream)).equals(data)).toBe(true);
  });

  it('treats a plain tar as none and passes it through', async () => {
    const data = Buffer.concat([tarHeader(), sampleData(100_000)]);
    const { format, stream } = await detectCompression(chunked(data, 4096));
    expect(format).toBe('none');
    expect((await collect(stream)).equals(data)).toBe(true);
  });

  it('handles input shorter than a magic, and empty input', async () => {
    const short = await detectCompression(Readable.from([Buffer.from([0x1f])]));
    expect(short.format).toBe('none');
    expect(await collect(short.stream)).toEqual(Buffer.from([0x1f]));
    const empty = await detectCompression(Readable.from([], { objectMode: false }));
    expect(empty.format).toBe('none');
    expect((await collect(empty.stream)).length).toBe(0);
    expect(DETECT_BYTES).toBe(4);
  });

  it('rejects when the source fails before the magic is known', async () => {
    const source = new Readable({ read() { this.destroy(new Error('connection reset')); } });
    await expect(detectCompression(source)).rejects.toThrow('connection reset');
  });

  it('passes a later source error through the returned stream', async () => {
    let sent = false;
    const source = new Readable({
      read() {
        if (!sent) {
          sent = true;
          this.push(gzipSync(Buffer.from('hello')));
        } else this.destroy(new Error('connection reset'));
      },
    });
    const { stream } = await detectCompression(source);
    await expect(collect(stream)).rejects.toThrow('connection reset');
  });

  it('destroys the source when the returned stream is destroyed', async () => {
    const source = chunked(sampleData(1 << 20), 1024);
    const { stream } = await detectCompression(source);
    stream.destroy();
    await new Promise((resolve) => source.once('close', resolve));
    expect(source.destroyed).toBe(true);
  });
});
