// A node:zlib stream behind WrappedTransform hands back the pooled read buffers its input
// chunks are views of, once zlib has consumed them (src/stream/read-buffers.ts): a
// recompressing copy then reads into the same few buffers instead of a new one per read.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { getCodec } from '../../../src/compression/codec.js';
import { isLent, lendView, takeReadBuffer } from '../../../src/stream/read-buffers.js';
import { collect, sampleData } from './sample-data.js';
import { Readable } from 'node:stream';

describe('WrappedTransform (node:zlib)', () => {
  it('hands back each lent input chunk once zlib has consumed it, and decodes it intact', async () => {
    const data = sampleData(2 * 1024 * 1024, 9);
    const gz = gzipSync(data);
    const buffers: Buffer[] = [];
    const views: Buffer[] = [];
    for (let at = 0; at < gz.length; ) {
      const buf = takeReadBuffer();
      const n = gz.copy(buf, 0, at);
      buffers.push(buf);
      views.push(lendView(buf, 0, n));
      at += n;
    }
    expect(buffers.every((b) => isLent(b))).toBe(true);
    const out = await collect(Readable.from(views), getCodec('gzip').decompress());
    expect(out.equals(data)).toBe(true);
    expect(buffers.filter((b) => isLent(b))).toEqual([]);
  });
});
