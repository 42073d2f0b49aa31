import { PassThrough, Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { StallWatch } from '../../../src/stream/stall-watch.js';

const stalled = () => new Error('stalled');

describe('StallWatch', () => {
  it('fails when the reader stops taking data that is waiting', async () => {
    const watch = new StallWatch(100, stalled);
    const failed = new Promise<Error>((resolve) => watch.once('error', resolve));
    // nobody reads: the first chunk waits in the buffer
    watch.write(Buffer.alloc(1024));
    expect((await failed).message).toBe('stalled');
  });

  it('does not count time spent waiting for a slow source', async () => {
    const source = new PassThrough();
    const watch = new StallWatch(100, stalled);
    let error: unknown;
    watch.on('error', (e) => (error = e));
    const chunks: Buffer[] = [];
    source.pipe(watch).on('data', (c: Buffer) => chunks.push(c));
    source.write(Buffer.from('a'));
    await sleep(400);
    source.end(Buffer.from('b'));
    await new Promise((resolve) => watch.once('end', resolve));
    expect(error).toBeUndefined();
    expect(Buffer.concat(chunks).toString()).toBe('ab');
  });

  it('passes a body through unchanged when it flows', async () => {
    const watch = Readable.from([Buffer.from('x'.repeat(100_000))]).pipe(new StallWatch(100, stalled));
    let n = 0;
    for await (const c of watch) n += (c as Buffer).length;
    expect(n).toBe(100_000);
  });
});
