// FileSink (src/stream/file-sink.ts): a new file written from a stream, each chunk handed
// back to the read-buffer pool once it is on disk.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSink } from '../../../src/stream/file-sink.js';
import { idleReadBuffers, isLent, lendView, takeReadBuffer } from '../../../src/stream/read-buffers.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-file-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `f${++n}`);

describe('FileSink', () => {
  it('writes every byte, in order, from many chunks at once (the writev path) and one by one', async () => {
    const chunks = Array.from({ length: 50 }, (_, i) => randomBytes(1 + i * 1013));
    const a = fresh();
    await pipeline(Readable.from(chunks), new FileSink(a));
    expect(readFileSync(a).equals(Buffer.concat(chunks))).toBe(true);
    const b = fresh();
    const sink = new FileSink(b);
    for (const c of chunks) await new Promise<void>((r, j) => sink.write(c, (e) => (e ? j(e) : r())));
    await new Promise<void>((r) => sink.end(r));
    expect(readFileSync(b).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('never writes over an existing file', async () => {
    const f = fresh();
    writeFileSync(f, 'theirs');
    await expect(pipeline(Readable.from([Buffer.from('ours')]), new FileSink(f))).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(f, 'utf8')).toBe('theirs');
  });

  it('hands lent chunks back once written, so their buffers return to the pool', async () => {
    while (idleReadBuffers() > 0) takeReadBuffer();
    const views = Array.from({ length: 6 }, (_, i) => {
      const buf = takeReadBuffer();
      buf.fill(i);
      return lendView(buf, 0, 1000 + i);
    });
    const f = fresh();
    await pipeline(Readable.from(views), new FileSink(f));
    expect(readFileSync(f).length).toBe(views.reduce((s, v) => s + v.length, 0));
    expect(views.every((v) => !isLent(v))).toBe(true);
    expect(idleReadBuffers()).toBe(6);
  });

  it('fails with the source error and leaves the file for the caller to remove', async () => {
    const f = fresh();
    const failing = new Readable({
      read() {
        this.destroy(new Error('source broke'));
      },
    });
    const sink = new FileSink(f);
    await expect(pipeline(failing, sink)).rejects.toThrow('source broke');
    // the pipeline can settle while the open is still pending; settled() waits for it
    await sink.settled();
    expect(existsSync(f)).toBe(true);
  });

  it('settled() waits for an open still pending when a pipeline fails at once (many times over)', async () => {
    let missing = 0;
    for (let i = 0; i < 300; i++) {
      const f = fresh();
      const sink = new FileSink(f);
      const failing = new Readable({
        read() {
          this.destroy(new Error('source broke'));
        },
      });
      await pipeline(failing, sink).catch(() => undefined);
      await sink.settled();
      if (!existsSync(f)) missing++;
    }
    expect(missing).toBe(0);
  });

  it('settled() on a sink nothing wrote to closes it', async () => {
    const sink = new FileSink(fresh());
    await sink.settled();
    expect(sink.destroyed).toBe(true);
    expect(sink.closed).toBe(true);
  });
});
