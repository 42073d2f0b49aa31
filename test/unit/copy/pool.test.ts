import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runLanes, runPool } from '../../../src/copy/pool.js';

describe('runPool', () => {
  it('runs every item with at most `limit` in flight, and uses that many', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await runPool(Array.from({ length: 20 }, (_, i) => i), 3, async (i) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(5 + (i % 4) * 3);
      done.push(i);
      running--;
    });
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
  });

  it('starts items in order', async () => {
    const started: number[] = [];
    await runPool([0, 1, 2, 3, 4, 5], 2, async (i) => {
      started.push(i);
      await sleep(1);
    });
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('treats a limit below 1 as 1', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await runPool([1, 2, 3], 0, async (i) => {
      peak = Math.max(peak, ++running);
      await sleep(1);
      running--;
      done.push(i);
    });
    expect(done).toEqual([1, 2, 3]);
    expect(peak).toBe(1);
  });

  it('does nothing for no items', async () => {
    let calls = 0;
    await runPool([], 4, async () => {
      calls++;
    });
    expect(calls).toBe(0);
  });

  it('rethrows the first failure, starts nothing after it, and lets running tasks settle first', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const boom = new Error('blob 2 failed');
    const p = runPool([0, 1, 2, 3, 4, 5], 2, async (i) => {
      started.push(i);
      if (i === 2) {
        await sleep(5);
        throw boom;
      }
      await sleep(i === 1 ? 5 : 30);
      finished.push(i);
    });
    await expect(p).rejects.toBe(boom);
    // 0 was still running when 2 failed; it finished before runPool gave up
    expect(finished).toContain(0);
    expect(started).not.toContain(4);
    expect(started).not.toContain(5);
  });

  it('rethrows the first of several failures', async () => {
    const first = new Error('first');
    const p = runPool([10, 20], 2, async (ms) => {
      await sleep(ms);
      throw ms === 10 ? first : new Error('second');
    });
    await expect(p).rejects.toBe(first);
  });

  it('stops after a synchronous throw too', async () => {
    const started: number[] = [];
    const p = runPool([0, 1, 2], 1, (i) => {
      started.push(i);
      if (i === 0) throw new Error('sync');
      return Promise.resolve();
    });
    await expect(p).rejects.toThrow('sync');
    expect(started).toEqual([0]);
  });
});

describe('runLanes', () => {
  it('runs the lanes side by side, each with at most `limit` in flight', async () => {
    const running = { s: 0, l: 0 };
    const peak = { s: 0, l: 0 };
    const done: string[] = [];
    const small = ['s1', 's2', 's3', 's4'];
    const large = ['l1', 'l2', 'l3'];
    await runLanes([small, large], 2, async (item) => {
      const lane = item[0] as 's' | 'l';
      peak[lane] = Math.max(peak[lane], ++running[lane]);
      // both lanes busy at once: the small lane does not wait for the large one
      await sleep(lane === 'l' ? 20 : 2);
      running[lane]--;
      done.push(item);
    });
    expect(peak).toEqual({ s: 2, l: 2 });
    expect(done.slice(0, 4).sort()).toEqual(small);
    expect(done.sort()).toEqual([...large, ...small].sort());
  });

  it('stops every lane from starting more after the first failure, and rethrows it', async () => {
    const started: string[] = [];
    const boom = new Error('l1 failed');
    const p = runLanes([['s1', 's2', 's3'], ['l1', 'l2']], 1, async (item) => {
      started.push(item);
      if (item === 'l1') throw boom;
      await sleep(5);
    });
    await expect(p).rejects.toBe(boom);
    expect(started.sort()).toEqual(['l1', 's1']);
  });

  it('skips empty lanes', async () => {
    const done: number[] = [];
    await runLanes([[], [1, 2], []], 3, async (i) => {
      done.push(i);
    });
    expect(done).toEqual([1, 2]);
  });
});
