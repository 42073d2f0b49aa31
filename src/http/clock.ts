import { setTimeout as delay } from 'node:timers/promises';

/**
 * Time as the HTTP layer sees it: token expiry reads `now`, retry back-off and
 * Retry-After wait with `sleep`. Injected so tests control time instead of waiting.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, signal ? { signal } : {}),
};
