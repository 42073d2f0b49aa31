import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { resumableStream, type ResumableOptions } from '../../../src/stream/resumable.js';

const blob = randomBytes(100_000);
const reset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const retryable = (e: unknown) => (e as { code?: string }).code === 'ECONNRESET';

/** Chunks of `size` bytes of `data`, then `error` after `failAfter` bytes (if given). */
function source(data: Buffer, opts: { chunk?: number; failAfter?: number; error?: () => Error } = {}): Readable {
  const chunk = opts.chunk ?? 4096;
  async function* gen() {
    let sent = 0;
    for (let i = 0; i < data.length; i += chunk) {
      const part = data.subarray(i, Math.min(i + chunk, data.length));
      if (opts.failAfter !== undefined && sent + part.length > opts.failAfter) {
        const cut = opts.failAfter - sent;
        if (cut > 0) yield part.subarray(0, cut);
        throw (opts.error ?? reset)();
      }
      sent += part.length;
      yield part;
    }
  }
  return Readable.from(gen(), { objectMode: false });
}

async function readAll(r: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of r) out.push(c as Buffer);
  return Buffer.concat(out);
}

const opts = (o: Partial<ResumableOptions> = {}): ResumableOptions => ({ retries: 3, retryable, ...o });

describe('resumableStream', () => {
  it('streams an unbroken source through unchanged with one open', async () => {
    const offsets: number[] = [];
    const out = await readAll(
      resumableStream(async (offset) => {
        offsets.push(offset);
        return { stream: source(blob), offset: 0 };
      }, opts()),
    );
    expect(out.equals(blob)).toBe(true);
    expect(offsets).toEqual([0]);
  });

  it('resumes at the byte it stopped at from a source that honours Range', async () => {
    const offsets: number[] = [];
    const retries: [number, number][] = [];
    const breaks = [30_001, 20_000];
    const out = await readAll(
      resumableStream(
        async (offset) => {
          offsets.push(offset);
          const failAfter = breaks.shift();
          return { stream: source(blob.subarray(offset), failAfter === undefined ? {} : { failAfter }), offset };
        },
        opts({ onRetry: (_e, attempt, offset) => retries.push([attempt, offset]) }),
      ),
    );
    expect(out.equals(blob)).toBe(true);
    expect(offsets).toEqual([0, 30_001, 50_001]);
    expect(retries).toEqual([
      [1, 30_001],
      [2, 50_001],
    ]);
  });

  it('skips the bytes already delivered when the source ignores Range', async () => {
    const offsets: number[] = [];
    let opens = 0;
    const out = await readAll(
      resumableStream(async (offset) => {
        offsets.push(offset);
        opens++;
        // the first open breaks inside a chunk, the second one exactly at a chunk boundary
        const failAfter = opens === 1 ? 10_000 : opens === 2 ? 4096 * 5 : undefined;
        return { stream: source(blob, failAfter === undefined ? { chunk: 3000 } : { failAfter, chunk: opens === 2 ? 4096 : 3000 }), offset: 0 };
      }, opts()),
    );
    expect(out.length).toBe(blob.length);
    expect(out.equals(blob)).toBe(true);
    expect(offsets).toEqual([0, 10_000, 20_480]);
  });

  it('retries when opening itself fails', async () => {
    let opens = 0;
    const out = await readAll(
      resumableStream(async (offset) => {
        if (++opens === 1) throw reset();
        return { stream: source(blob.subarray(offset)), offset };
      }, opts()),
    );
    expect(out.equals(blob)).toBe(true);
    expect(opens).toBe(2);
  });

  it('gives up after N retries with the source error', async () => {
    const offsets: number[] = [];
    const attempts: number[] = [];
    const r = resumableStream(
      async (offset) => {
        offsets.push(offset);
        return { stream: source(blob.subarray(offset), { failAfter: 1000 }), offset };
      },
      opts({ retries: 2, onRetry: (_e, n) => attempts.push(n) }),
    );
    await expect(readAll(r)).rejects.toMatchObject({ code: 'ECONNRESET', message: 'read ECONNRESET' });
    expect(offsets).toEqual([0, 1000, 2000]);
    expect(attempts).toEqual([1, 2]);
  });

  it('does not retry an error that is not retryable', async () => {
    let opens = 0;
    const r = resumableStream(
      async () => {
        opens++;
        return { stream: source(blob, { failAfter: 500, error: () => Object.assign(new Error('digest mismatch'), { code: 'ERR_DIGEST_MISMATCH' }) }), offset: 0 };
      },
      opts(),
    );
    await expect(readAll(r)).rejects.toThrow('digest mismatch');
    expect(opens).toBe(1);
  });

  it('does not retry once the signal has aborted', async () => {
    const ac = new AbortController();
    let opens = 0;
    const r = resumableStream(
      async () => {
        opens++;
        ac.abort();
        return { stream: source(blob, { failAfter: 100 }), offset: 0 };
      },
      opts({ signal: ac.signal }),
    );
    await expect(readAll(r)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(opens).toBe(1);
  });

  it('destroys the broken source before reopening', async () => {
    const sources: Readable[] = [];
    const out = await readAll(
      resumableStream(async (offset) => {
        const s = source(blob.subarray(offset), sources.length === 0 ? { failAfter: 50_000 } : {});
        sources.push(s);
        return { stream: s, offset };
      }, opts()),
    );
    expect(out.equals(blob)).toBe(true);
    expect(sources[0]!.destroyed).toBe(true);
  });

  it('destroys a source that arrives after the stream was destroyed, without an unheard error', async () => {
    // like an undici body: destroyed before its end, it emits 'error'
    const late = new Readable({ read() {}, destroy: (_e, cb) => cb(Object.assign(new Error('Request aborted'), { code: 'UND_ERR_ABORTED' })) });
    let opened!: () => void;
    const r = resumableStream(
      () => new Promise((resolve) => (opened = () => resolve({ stream: late, offset: 0 }))),
      opts(),
    );
    r.on('error', () => undefined);
    r.resume();
    await new Promise((resolve) => setImmediate(resolve));
    r.destroy();
    opened();
    await new Promise((resolve) => late.once('close', resolve));
    expect(late.destroyed).toBe(true);
  });
});
