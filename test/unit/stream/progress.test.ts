import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ProgressCounter } from '../../../src/stream/progress.js';
import { VerifyStream } from '../../../src/stream/verify.js';

const sink = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });

/** Runs chunks through a VerifyStream that counts into a ProgressCounter, as a copy does. */
async function counted(chunks: Buffer[] | AsyncIterable<Buffer>, reports: number[], intervalMs?: number, content?: Buffer): Promise<void> {
  const all = content ?? Buffer.concat(chunks as Buffer[]);
  const digest = `sha256:${createHash('sha256').update(all).digest('hex')}` as const;
  const verify = new VerifyStream({ digest, size: all.length }, 'test', new ProgressCounter((b) => reports.push(b), intervalMs));
  await pipeline(Readable.from(chunks), verify, sink());
}

describe('ProgressCounter, as VerifyStream uses it', () => {
  it('reports the running total for every chunk when the interval is 0, and the total at the end', async () => {
    const reports: number[] = [];
    await counted([Buffer.alloc(10), Buffer.alloc(5), Buffer.alloc(1)], reports, 0);
    expect(reports).toEqual([10, 15, 16, 16]);
  });

  it('reports at most once per interval, plus once at the end', async () => {
    const reports: number[] = [];
    await counted(Array.from({ length: 1000 }, () => Buffer.alloc(100)), reports, 60_000);
    expect(reports).toEqual([100, 100_000]);
  });

  it('reports again once the interval has passed', async () => {
    const reports: number[] = [];
    async function* slow() {
      yield Buffer.alloc(1);
      yield Buffer.alloc(2);
      await sleep(80);
      yield Buffer.alloc(4);
    }
    await counted(slow(), reports, 50, Buffer.alloc(7));
    expect(reports).toEqual([1, 7, 7]);
  });

  it('reports 0 for an empty stream', async () => {
    const reports: number[] = [];
    await counted([], reports);
    expect(reports).toEqual([0]);
  });
});
