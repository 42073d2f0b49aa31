import type { Clock } from '../../src/http/clock.js';

/**
 * A clock tests move by hand: `now` changes only by `advance` or by a sleep, and a
 * sleep returns at once (recording how long it was asked to wait), so retry and expiry
 * tests never wait for real time. With `holdSleeps`, a sleep instead lasts until its
 * signal aborts, for tests of aborting during a back-off.
 */
export class FakeClock implements Clock {
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];
  holdSleeps = false;
  private time: number;

  constructor(start = Date.UTC(2026, 0, 1, 12, 0, 0)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.holdSleeps) {
      this.time += ms;
      return Promise.resolve();
    }
    return new Promise((_resolve, reject) => {
      if (!signal) return;
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }
}
