import { PassThrough, type Readable } from 'node:stream';
import { AbortedError, FerryError } from '../../errors.js';
import type { Decompressed, OpenDecompressed } from './tar-decompressed.js';
import { walkTar } from './tar-walk.js';

/**
 * Serves entries of a compressed archive from decompression passes. A compressed stream
 * cannot be read at an offset, so a read is attached to a pass that has not yet reached
 * its entry; one pass serves every read that arrives in time, in archive order. The copy
 * engine asks for all the layers it copies at once, so one pass usually serves a whole
 * image; a read for an entry every live pass has gone past starts a new pass.
 *
 * A pass with nothing to serve pauses (no CPU, backpressure holds the decoder) rather
 * than ending, because the next read is often for a later entry. A read resolves only
 * when its pass reaches the entry, so no upload waits on an idle body.
 */

/** Paused passes kept for later reads; more would only hold decoder memory. */
const MAX_PASSES = 3;

interface Waiter {
  offset: number;
  resolve(stream: Readable): void;
  reject(e: unknown): void;
}

function drained(out: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/** Hands `size` bytes of the current entry to each waiter, from the offset it asked for. */
async function feed(stream: Decompressed, size: number, waiters: Waiter[], where: string): Promise<void> {
  const outs = waiters.map((w) => {
    const out = new PassThrough({ highWaterMark: 1024 * 1024 });
    w.resolve(out);
    return { out, skip: w.offset };
  });
  try {
    let pos = 0;
    for await (const chunk of stream.source.chunks(size)) {
      for (const o of outs) {
        const from = Math.max(0, o.skip - pos);
        if (o.out.destroyed || from >= chunk.length) continue;
        if (!o.out.write(from ? chunk.subarray(from) : chunk)) await drained(o.out);
      }
      pos += chunk.length;
    }
    if (pos < size) throw new FerryError('ERR_LAYOUT', `${where}: truncated tar archive (an entry ends past the end of the file)`);
    for (const o of outs) o.out.end();
  } catch (e) {
    for (const o of outs) o.out.destroy(e as Error);
    throw e;
  }
}

class Pass {
  /** Ordinal of the entry being read or last read. */
  position = -1;
  finished = false;
  private stopped = false;
  private readonly waiting = new Map<number, Waiter[]>();
  private wake: (() => void) | undefined;

  constructor(
    private readonly open: OpenDecompressed,
    private readonly where: string,
  ) {
    void this.run();
  }

  accepts(ordinal: number): boolean {
    return !this.finished && !this.stopped && ordinal > this.position;
  }

  get idle(): boolean {
    return this.waiting.size === 0;
  }

  add(ordinal: number, w: Waiter): void {
    this.waiting.set(ordinal, [...(this.waiting.get(ordinal) ?? []), w]);
    this.wake?.();
  }

  /** Withdraws a read not yet served; false when it already was. */
  remove(ordinal: number, w: Waiter): boolean {
    const list = this.waiting.get(ordinal);
    if (!list?.includes(w)) return false;
    const rest = list.filter((x) => x !== w);
    if (rest.length) this.waiting.set(ordinal, rest);
    else this.waiting.delete(ordinal);
    return true;
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    let stream: Decompressed | undefined;
    try {
      stream = await this.open();
      let ordinal = 0;
      for await (const e of walkTar(stream.source, this.where)) {
        this.position = ordinal;
        const waiters = this.waiting.get(ordinal);
        this.waiting.delete(ordinal);
        if (waiters) await feed(stream, e.size, waiters, this.where);
        ordinal++;
        while (this.idle && !this.stopped) await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        if (this.stopped) break;
      }
      this.failAll(this.stopped ? new AbortedError() : new FerryError('ERR_LAYOUT', `${this.where}: the archive changed while it was read (an entry is gone)`));
    } catch (e) {
      this.failAll(e);
    } finally {
      this.finished = true;
      await stream?.stop();
    }
  }

  private failAll(e: unknown): void {
    for (const list of this.waiting.values()) for (const w of list) w.reject(e);
    this.waiting.clear();
  }
}

export class PassScheduler {
  private passes: Pass[] = [];

  constructor(
    private readonly open: OpenDecompressed,
    private readonly where: string,
  ) {}

  /** The data of entry number `ordinal` from `offset`, once a pass has reached it. */
  read(ordinal: number, offset: number, signal?: AbortSignal): Promise<Readable> {
    if (signal?.aborted) return Promise.reject(new AbortedError());
    this.passes = this.passes.filter((p) => !p.finished);
    // the pass closest before the entry serves it soonest
    const pass = this.passes.filter((p) => p.accepts(ordinal)).sort((a, b) => b.position - a.position)[0] ?? this.startPass();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        if (pass.remove(ordinal, w)) reject(new AbortedError());
      };
      const w: Waiter = {
        offset,
        resolve: (s) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(s);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      pass.add(ordinal, w);
    });
  }

  private startPass(): Pass {
    const idle = this.passes.filter((p) => p.idle);
    for (const p of idle.slice(0, Math.max(0, this.passes.length - MAX_PASSES + 1))) p.stop();
    const pass = new Pass(this.open, this.where);
    this.passes.push(pass);
    return pass;
  }

  close(): void {
    for (const p of this.passes) p.stop();
    this.passes = [];
  }
}
