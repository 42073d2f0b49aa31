// FileRangeStream (src/stream/file-range.ts): byte ranges of a real file, read into the
// pooled read buffers; chunks are lent views that come back to the pool when released.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { fileRange } from '../../../src/stream/file-range.js';
import { idleReadBuffers, isLent, READ_BUFFER_SIZE, releaseChunk, takeReadBuffer } from '../../../src/stream/read-buffers.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-file-range-'));
const data = randomBytes(3 * READ_BUFFER_SIZE + 1234);
const file = join(dir, 'blob');
writeFileSync(file, data);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function chunksOf(stream: Readable): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of stream) out.push(c as Buffer);
  return out;
}

describe('fileRange', () => {
  it.each([
    [0, data.length],
    [1, data.length - 1],
    [READ_BUFFER_SIZE - 3, READ_BUFFER_SIZE + 10],
    [100, 1],
    [data.length - 5, 5],
  ])('reads bytes [%i, +%i) exactly', async (start, length) => {
    const got = Buffer.concat(await chunksOf(fileRange(file, start, length)));
    expect(got.equals(data.subarray(start, start + length))).toBe(true);
  });

  it('ends early, as createReadStream does, when the file is shorter than the range', async () => {
    const got = Buffer.concat(await chunksOf(fileRange(file, data.length - 10, 100)));
    expect(got.equals(data.subarray(data.length - 10))).toBe(true);
  });

  it('fails with the file system error for a missing file', async () => {
    await expect(chunksOf(fileRange(join(dir, 'missing'), 0, 10))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('stops with an AbortError when the signal fires', async () => {
    const controller = new AbortController();
    const stream = fileRange(file, 0, data.length, controller.signal);
    const reading = (async () => {
      for await (const _ of stream) controller.abort();
    })();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('hands out lent views, and their buffers come back to the pool once released', async () => {
    while (idleReadBuffers() > 0) takeReadBuffer();
    const chunks = await chunksOf(fileRange(file, 0, data.length));
    expect(chunks.length).toBe(4);
    expect(chunks.every((c) => isLent(c))).toBe(true);
    // every read went into a buffer of its own: none is read into while a view of it is out
    expect(new Set(chunks.map((c) => c.buffer)).size).toBe(chunks.length);
    for (const c of chunks) releaseChunk(c);
    expect(idleReadBuffers()).toBe(chunks.length);
  });
});
