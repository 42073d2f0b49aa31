import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import type { BlockCompressor } from '../../../src/compression/block-compressor.js';
import { parallelCompress, ParallelCompressStream } from '../../../src/compression/parallel.js';
import { backendOptions, codecCases } from './codecs.js';
import { chunked, collect, runTool, sampleData } from './sample-data.js';

const MiB = 1024 * 1024;

/** `total` bytes of layer-like data made on the fly, never held at once. */
function generated(total: number, chunk = 64 * 1024): Readable {
  const base = sampleData(4 * MiB, 3);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const n = Math.min(chunk, total - sent);
      const start = (sent * 7) % (base.length - n);
      const piece = Buffer.from(base.subarray(start, start + n));
      piece.writeUInt32LE(sent >>> 0, 0);
      sent += n;
      this.push(piece);
    },
  });
}

const varied = sampleData(16 * MiB, 9);

/**
 * Writes until the stream refuses for `quietMs`, and returns how much it accepted. The
 * data must not repeat within a zstd window: backpressure counts output bytes, and a
 * repeated 64 KiB piece compresses so well that 30 MB fit under a 64 KiB highWaterMark.
 */
async function acceptedWhileStalled(stream: Writable, quietMs = 300): Promise<number> {
  const size = 64 * 1024;
  let accepted = 0;
  const next = (): Buffer => Buffer.from(varied.subarray(accepted % (varied.length - size), (accepted % (varied.length - size)) + size));
  for (;;) {
    while (stream.write(next())) accepted += size;
    accepted += size;
    const drained = await Promise.race([new Promise((r) => stream.once('drain', () => r(true))), sleep(quietMs, false)]);
    if (!drained) return accepted;
  }
}

function fakeCompressor(maxDelayMs: number) {
  const state = { outstanding: 0, maxOutstanding: 0, closed: false };
  const compressor: BlockCompressor = {
    async compress(block) {
      state.outstanding++;
      state.maxOutstanding = Math.max(state.maxOutstanding, state.outstanding);
      await sleep(Math.random() * maxDelayMs);
      state.outstanding--;
      if (block.includes('FAIL')) throw new Error('boom');
      return { output: Buffer.from(block) };
    },
    close() {
      state.closed = true;
    },
  };
  return { compressor, state };
}

describe('ParallelCompressStream', () => {
  it('emits blocks in input order when they finish out of order, holding at most 2 x workers', async () => {
    const { compressor, state } = fakeCompressor(15);
    const data = sampleData(3 * MiB + 5, 4);
    const out = await collect(chunked(data, 10_000), new ParallelCompressStream(compressor, { blockSize: 64 * 1024, workers: 3, what: 'test' }));
    expect(out.equals(data)).toBe(true);
    expect(state.maxOutstanding).toBeLessThanOrEqual(6);
    expect(state.maxOutstanding).toBeGreaterThan(1);
    expect(state.closed).toBe(true);
  });

  it('holds a block per core in the process-wide budget, and one more for blocks of 4 MiB or less', async () => {
    const cores = availableParallelism();
    const heldAtOnce = async (blockSize: number): Promise<number> => {
      const seen = { outstanding: 0, max: 0 };
      const slow: BlockCompressor = {
        async compress(block) {
          seen.max = Math.max(seen.max, ++seen.outstanding);
          await sleep(20);
          seen.outstanding--;
          return { output: Buffer.from(block.subarray(0, 1)) };
        },
        close: () => undefined,
      };
      // on its own the stream could hold 2 x workers blocks: the budget is what stops it
      const workers = cores + 2;
      // one block of data written again and again: the stream copies each into its own block
      const block = sampleData(blockSize, 8);
      await collect(Readable.from(Array.from({ length: cores + 4 }, () => block)), new ParallelCompressStream(slow, { blockSize, workers, what: 'test' }));
      return seen.max;
    };
    expect(await heldAtOnce(8 * MiB)).toBe(cores);
    expect(await heldAtOnce(4 * MiB)).toBe(cores + 1);
  });

  it('fails with ERR_COMPRESSION when a block fails, and frees the compressor', async () => {
    const { compressor, state } = fakeCompressor(5);
    const data = Buffer.concat([sampleData(MiB, 5), Buffer.from('FAIL'), sampleData(MiB, 6)]);
    await expect(collect(chunked(data), new ParallelCompressStream(compressor, { blockSize: 64 * 1024, workers: 2, what: 'test' }))).rejects.toMatchObject({ code: 'ERR_COMPRESSION', message: 'test: boom' });
    expect(state.closed).toBe(true);
  });
});

describe.each(codecCases())('backpressure $label', ({ codec, tool }) => {
  const backend = backendOptions(codec);

  it('parallelCompress stops accepting input when nobody reads', async () => {
    const stream = parallelCompress(codec.name, 1, { blockSize: MiB, workers: 2, ...backend });
    const accepted = await acceptedWhileStalled(stream);
    // 2 x workers blocks held, one filling, one compressed in the readable buffer, hwm slack.
    expect(accepted).toBeLessThan(7 * MiB);
    stream.destroy();
  });

  it('single-stream compress stops accepting input when nobody reads', async () => {
    const stream = codec.compress(1);
    expect(await acceptedWhileStalled(stream)).toBeLessThan(4 * MiB);
    stream.destroy();
  });

  it('a decoder of a 256 MiB run of zeros waits for its reader', async () => {
    const compressed = await runTool(tool, ['-c', '-1'], Buffer.alloc(256 * MiB));
    const stream = codec.decompress();
    stream.end(compressed);
    await sleep(300);
    expect(stream.readableLength).toBeLessThan(4 * MiB);
    let total = 0;
    await pipeline(stream, new Writable({ write(c: Buffer, _e, cb) { total += c.length; cb(); } }));
    expect(total).toBe(256 * MiB);
  });

  // Measured growth: ~45 MiB (gzip) and ~130 MiB (zstd-napi: three worker isolates, five
  // 8 MiB blocks, libzstd contexts), independent of the volume. Holding the data would
  // take the whole 256 MiB plus the compressed copy.
  it('keeps memory bounded for 256 MiB through parallel compress and decompress', async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    let total = 0;
    try {
      await pipeline(
        generated(256 * MiB),
        parallelCompress(codec.name, 1, backend),
        codec.decompress(),
        new Writable({ write(c: Buffer, _e, cb) { total += c.length; cb(); } }),
      );
    } finally {
      clearInterval(timer);
    }
    expect(total).toBe(256 * MiB);
    expect((peak - before) / MiB).toBeLessThan(180);
  }, 120_000);
});
