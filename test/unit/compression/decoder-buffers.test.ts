// Decoders hand back the pooled read buffers their input chunks are views of, once they
// have consumed them (src/stream/read-buffers.ts): a recompressing copy then reads its
// source into the same few buffers instead of a new one per read. Every decoder this
// runtime has: gzip (node:zlib, WrappedTransform), zstd-napi, and node:zlib's zstd
// (through the frame splitter) where Node has it.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { isLent, lendView, releaseChunk, takeReadBuffer } from '../../../src/stream/read-buffers.js';
import { codecCases } from './codecs.js';
import { collect, sampleData } from './sample-data.js';

const decoders = codecCases().filter((c) => !(c.codec.name === 'gzip' && c.codec.backend === 'libdeflate'));

describe.each(decoders)('$label decoder', ({ codec }) => {
  it('hands back each lent input chunk once it has consumed it, and decodes it intact', async () => {
    const data = sampleData(3 * 1024 * 1024, 9);
    // several frames / members, as parallel compression writes them
    const compressed = Buffer.concat(await Promise.all([data.subarray(0, 1_000_000), data.subarray(1_000_000)].map((part) => collect(Readable.from([part]), codec.compress(3)))));
    const buffers: Buffer[] = [];
    const views: Buffer[] = [];
    for (let at = 0; at < compressed.length; ) {
      const buf = takeReadBuffer();
      const n = compressed.copy(buf, 0, at);
      buffers.push(buf);
      views.push(lendView(buf, 0, n));
      at += n;
    }
    expect(buffers.length).toBeGreaterThan(1);
    expect(buffers.every((b) => isLent(b))).toBe(true);
    // a consumer that hands back what it has written out, as the upload does: the zstd-napi
    // decoder's output comes from the same pool, so memory seen lent here is its output
    const parts: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        parts.push(Buffer.from(chunk));
        releaseChunk(chunk);
        cb();
      },
    });
    await pipeline(Readable.from(views), codec.decompress(), sink);
    expect(Buffer.concat(parts).equals(data)).toBe(true);
    expect(buffers.filter((b) => isLent(b))).toEqual([]);
  });
});
