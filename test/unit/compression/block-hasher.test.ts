import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { workerBlockHasher } from '../../../src/compression/block-hasher.js';
import { sampleData } from './sample-data.js';

describe('workerBlockHasher', () => {
  it('hashes blocks in the order given, hands each block back intact, and keeps hashes apart', async () => {
    const data = sampleData(3 * 65536 + 100, 3);
    const a = workerBlockHasher('sha256');
    const b = workerBlockHasher('sha512');
    // whole buffers move to the worker and back; a view into a larger buffer is copied
    const blocks = [Buffer.from(data.subarray(0, 65536)), Buffer.from(data.subarray(65536, 3 * 65536)), data.subarray(3 * 65536)];
    const back = await Promise.all(blocks.map((block) => a.update(block)));
    expect(Buffer.concat(back).equals(data)).toBe(true);
    await b.update(Buffer.from(data));
    expect(await a.digest()).toBe(createHash('sha256').update(data).digest('hex'));
    expect(await b.digest()).toBe(createHash('sha512').update(data).digest('hex'));
    // the view given last was copied, so the buffer it came from is still usable
    expect(data.length).toBe(3 * 65536 + 100);
  });

  it('gives the digest of nothing when no block came, and rejects use after close', async () => {
    const h = workerBlockHasher('sha256');
    expect(await h.digest()).toBe(createHash('sha256').digest('hex'));
    const closed = workerBlockHasher('sha256');
    closed.close();
    closed.close();
    await expect(closed.update(Buffer.alloc(10))).rejects.toThrow(/closed/);
  });

  it('rejects an unknown algorithm without breaking the worker for others', async () => {
    await expect(workerBlockHasher('no-such-hash').update(Buffer.alloc(4))).rejects.toThrow();
    const ok = workerBlockHasher('sha256');
    await ok.update(Buffer.from('abc'));
    expect(await ok.digest()).toBe(createHash('sha256').update('abc').digest('hex'));
  });
});
