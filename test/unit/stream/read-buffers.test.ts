// The process-wide pool of socket read buffers (src/http/read-buffers.ts): views lent
// out, handed back, and a buffer only going back to the free list (to be read into
// again) once every view of it is back. The pool is module state shared by the tests
// in this file, so each test works with counts relative to where it started.
import { describe, expect, it } from 'vitest';
import { idleReadBuffers, isLent, lendFresh, lendToOwner, lendView, nextReadBuffer, READ_BUFFER_SIZE, releaseChunk, takeReadBuffer } from '../../../src/stream/read-buffers.js';

/** Takes every idle buffer out of the pool, so the next take is a new one. */
function drain(): Buffer[] {
  const out: Buffer[] = [];
  while (idleReadBuffers() > 0) out.push(takeReadBuffer());
  return out;
}

describe('read buffers', () => {
  it('hands out 256 KiB buffers, new ones when none are idle', () => {
    drain();
    const a = takeReadBuffer();
    const b = takeReadBuffer();
    expect(a.length).toBe(READ_BUFFER_SIZE);
    expect(b.length).toBe(READ_BUFFER_SIZE);
    expect(a.buffer).not.toBe(b.buffer);
    expect(isLent(a)).toBe(false);
    expect(idleReadBuffers()).toBe(0);
  });

  it('lends views of the buffer itself (no copy) and counts them', () => {
    drain();
    const buf = takeReadBuffer();
    buf.write('hello world', 0, 'latin1');
    const view = lendView(buf, 6, 11);
    expect(view.toString('latin1')).toBe('world');
    expect(view.buffer).toBe(buf.buffer);
    buf.write('W', 6, 'latin1');
    expect(view.toString('latin1')).toBe('World');
    expect(isLent(buf)).toBe(true);
    releaseChunk(view);
    expect(isLent(buf)).toBe(false);
    expect(idleReadBuffers()).toBe(1);
  });

  it('returns a buffer to the pool only after all of its views are back', () => {
    drain();
    const buf = takeReadBuffer();
    const views = [lendView(buf, 0, 10), lendView(buf, 10, 20), lendView(buf, 20, READ_BUFFER_SIZE)];
    releaseChunk(views[1]!);
    releaseChunk(views[0]!);
    expect(isLent(buf)).toBe(true);
    expect(idleReadBuffers()).toBe(0);
    // while views are out, the pool hands out another buffer, never this one
    const other = takeReadBuffer();
    expect(other.buffer).not.toBe(buf.buffer);
    releaseChunk(views[2]!);
    expect(isLent(buf)).toBe(false);
    expect(idleReadBuffers()).toBe(1);
    const again = takeReadBuffer();
    expect(again.buffer).toBe(buf.buffer);
    expect(again.length).toBe(READ_BUFFER_SIZE);
    expect(again.byteOffset).toBe(0);
  });

  it('counts a view handed back twice once', () => {
    drain();
    const buf = takeReadBuffer();
    const first = lendView(buf, 0, 100);
    const second = lendView(buf, 100, 200);
    releaseChunk(first);
    releaseChunk(first);
    expect(isLent(buf)).toBe(true);
    expect(idleReadBuffers()).toBe(0);
    releaseChunk(second);
    expect(isLent(buf)).toBe(false);
    expect(idleReadBuffers()).toBe(1);
    releaseChunk(second);
    releaseChunk(first);
    expect(idleReadBuffers()).toBe(1);
  });

  it('ignores chunks it did not lend, even views of a lent buffer', () => {
    drain();
    const buf = takeReadBuffer();
    const view = lendView(buf, 0, 10);
    releaseChunk(Buffer.from('foreign'));
    releaseChunk(Buffer.alloc(READ_BUFFER_SIZE));
    releaseChunk(buf);
    releaseChunk(buf.subarray(0, 10)); // same bytes, but not the view that was lent
    expect(isLent(buf)).toBe(true);
    expect(idleReadBuffers()).toBe(0);
    releaseChunk(view);
    expect(idleReadBuffers()).toBe(1);
  });

  it('does not pool buffers of another size', () => {
    drain();
    const small = Buffer.allocUnsafeSlow(1000);
    const view = lendView(small, 0, 10);
    expect(isLent(small)).toBe(true);
    releaseChunk(view);
    expect(isLent(small)).toBe(false);
    expect(idleReadBuffers()).toBe(0);
  });

  it('keeps at most 4 MiB of idle buffers', () => {
    drain();
    const views = Array.from({ length: 70 }, () => lendView(takeReadBuffer(), 0, 1));
    for (const v of views) releaseChunk(v);
    expect(idleReadBuffers() * READ_BUFFER_SIZE).toBe(4 * 1024 * 1024);
  });

  it('never hands out a buffer twice while it is in use', () => {
    drain();
    const taken = Array.from({ length: 10 }, () => takeReadBuffer());
    const views = taken.map((b) => lendView(b, 0, 8));
    for (const v of views.slice(0, 5)) releaseChunk(v);
    const next = Array.from({ length: 8 }, () => takeReadBuffer());
    const inUse = new Set(taken.slice(5).map((b) => b.buffer));
    for (const b of next) expect(inUse.has(b.buffer)).toBe(false);
    expect(new Set(next.map((b) => b.buffer)).size).toBe(8);
  });

  it('reads into the same buffer again only when none of it is lent', () => {
    drain();
    const first = nextReadBuffer(undefined);
    expect(nextReadBuffer(first)).toBe(first);
    const view = lendView(first, 0, 5);
    const second = nextReadBuffer(first);
    expect(second.buffer).not.toBe(first.buffer);
    releaseChunk(view);
    expect(nextReadBuffer(second)).toBe(second);
  });

  it('never lets the reader that lent a buffer read into it again: it comes back through the pool only', () => {
    drain();
    const first = nextReadBuffer(undefined);
    const view = lendView(first, 0, 5);
    releaseChunk(view); // handed back before the reader asked for its next buffer
    expect(idleReadBuffers()).toBe(1);
    const next = nextReadBuffer(first);
    // the pool's copy and the reader's would otherwise be the same memory for two readers
    expect(next.buffer).toBe(first.buffer);
    expect(idleReadBuffers()).toBe(0);
    const other = takeReadBuffer();
    expect(other.buffer).not.toBe(first.buffer);
  });

  it('never lets a reader read again into memory that went back to the pool and out to another reader', () => {
    drain();
    const a = nextReadBuffer(undefined);
    releaseChunk(lendView(a, 0, 5)); // reader A's view written out: the memory is idle again
    const b = nextReadBuffer(undefined); // reader B takes that memory
    expect(b.buffer).toBe(a.buffer);
    // B's read held only a response head: B lent nothing and keeps the buffer for its next read
    expect(nextReadBuffer(b)).toBe(b);
    const aNext = nextReadBuffer(a); // reader A asks for its next buffer
    expect(aNext.buffer).not.toBe(b.buffer);
  });

  it('lets a reader that lent nothing keep its buffer, and only that one', () => {
    drain();
    const a = nextReadBuffer(undefined);
    releaseChunk(lendView(a, 0, 1));
    const b = nextReadBuffer(undefined);
    expect(nextReadBuffer(b)).toBe(b);
    expect(nextReadBuffer(a)).not.toBe(b);
  });

  it('gives memory lent to an owner back to that owner once the view is back, never to the read pool', () => {
    drain();
    const back: ArrayBuffer[] = [];
    const output = Buffer.allocUnsafeSlow(READ_BUFFER_SIZE);
    const view = lendToOwner(output, (memory) => back.push(memory));
    expect(view.buffer).toBe(output.buffer);
    expect(view.length).toBe(output.length);
    releaseChunk(view.subarray(0, 10));
    expect(back).toEqual([]);
    releaseChunk(view);
    expect(back).toEqual([output.buffer]);
    expect(idleReadBuffers()).toBe(0);
    // handed back again: ignored
    releaseChunk(view);
    expect(back).toHaveLength(1);
  });

  it('never gives lent-to-owner memory back while its view is out', () => {
    const back: ArrayBuffer[] = [];
    lendToOwner(Buffer.alloc(100), (memory) => back.push(memory));
    expect(back).toEqual([]);
  });
});

// Fresh memory (node:zlib's output buffers, a native compressor's results) is freed as
// soon as it is full and every piece of it is back. Node 20 has no ArrayBuffer.transfer:
// there every chunk passes through untouched, which the same tests check.
const canFree = typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === 'function';

describe(canFree ? 'fresh memory' : 'fresh memory, on a runtime without ArrayBuffer.transfer', () => {
  it('frees a chunk that is its whole memory once it is handed back', () => {
    const chunk = Buffer.allocUnsafeSlow(256 * 1024).fill(7);
    const lentChunk = lendFresh(chunk);
    expect(lentChunk.equals(chunk)).toBe(true);
    expect(lentChunk.buffer).toBe(chunk.buffer);
    expect(isLent(lentChunk)).toBe(canFree);
    const idle = idleReadBuffers();
    releaseChunk(lentChunk);
    expect(chunk.buffer.byteLength).toBe(canFree ? 0 : 256 * 1024);
    // freed, not pooled
    expect(idleReadBuffers()).toBe(idle);
  });

  it('frees memory filled in pieces only once the last piece is written and every piece is back', () => {
    const memory = Buffer.allocUnsafeSlow(256 * 1024).fill(1);
    releaseChunk(lendFresh(memory.subarray(0, 100_000)));
    // not filled yet: its writer still writes into the rest
    expect(memory.buffer.byteLength).toBe(256 * 1024);
    memory.fill(2, 100_000);
    const second = lendFresh(memory.subarray(100_000, 200_000));
    const last = lendFresh(memory.subarray(200_000));
    releaseChunk(last);
    expect(memory.buffer.byteLength).toBe(256 * 1024);
    expect(second[0]).toBe(2);
    releaseChunk(second);
    expect(memory.buffer.byteLength).toBe(canFree ? 0 : 256 * 1024);
  });

  it('never frees memory first seen in the middle, small memory, or memory lent otherwise', () => {
    const middle = Buffer.allocUnsafeSlow(256 * 1024);
    const fromMiddle = lendFresh(middle.subarray(10));
    releaseChunk(fromMiddle);
    expect(middle.buffer.byteLength).toBe(256 * 1024);
    const small = Buffer.allocUnsafeSlow(1000);
    expect(lendFresh(small)).toBe(small);
    const read = takeReadBuffer();
    const view = lendView(read, 0, READ_BUFFER_SIZE);
    expect(lendFresh(view)).toBe(view);
    releaseChunk(view);
    expect(read.buffer.byteLength).toBe(READ_BUFFER_SIZE);
    const owned = Buffer.allocUnsafeSlow(256 * 1024);
    const back: ArrayBuffer[] = [];
    const ownedView = lendToOwner(owned, (m) => back.push(m));
    expect(lendFresh(owned)).toBe(owned);
    releaseChunk(ownedView);
    expect(back).toEqual([owned.buffer]);
    expect(owned.buffer.byteLength).toBe(256 * 1024);
  });

  it('leaves memory with a piece still out to GC, intact', () => {
    const memory = Buffer.allocUnsafeSlow(128 * 1024).fill(3);
    const a = lendFresh(memory.subarray(0, 64 * 1024));
    lendFresh(memory.subarray(64 * 1024));
    releaseChunk(a);
    expect(memory.buffer.byteLength).toBe(128 * 1024);
    expect(memory.every((b) => b === 3)).toBe(true);
  });
});
