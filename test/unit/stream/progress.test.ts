import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ProgressStream } from '../../../src/stream/progress.js';

const sink = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });

describe('ProgressStream', () => {
  it('reports the running total for every chunk when the interval is 0, and the total at the end', async () => {
    const reports: number[] = [];
    await pipeline(Readable.from([Buffer.alloc(10), Buffer.alloc(5), Buffer.alloc(1)]), new ProgressStream((b) => reports.push(b), 0), sink());
    expect(reports).toEqual([10, 15, 16, 16]);
  });

  it('reports at most once per interval, plus once at the end', async () => {
    const reports: number[] = [];
    const chunks = Array.from({ length: 1000 }, () => Buffer.alloc(100));
    await pipeline(Readable.from(chunks), new ProgressStream((b) => reports.push(b), 60_000), sink());
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
    await pipeline(Readable.from(slow()), new ProgressStream((b) => reports.push(b), 50), sink());
    expect(reports).toEqual([1, 7, 7]);
  });

  it('passes the bytes through', async () => {
    const out: Buffer[] = [];
    await pipeline(
      Readable.from([Buffer.from('ab'), Buffer.from('cd')]),
      new ProgressStream(() => undefined),
      new Writable({
        write(c: Buffer, _e, cb) {
          out.push(c);
          cb();
        },
      }),
    );
    expect(Buffer.concat(out).toString()).toBe('abcd');
  });

  it('reports 0 for an empty stream', async () => {
    const reports: number[] = [];
    await pipeline(Readable.from([]), new ProgressStream((b) => reports.push(b)), sink());
    expect(reports).toEqual([0]);
  });
});
