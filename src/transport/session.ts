import { checkDurationMs } from '../options/duration.js';
import { checkInteger } from '../options/integer.js';
import { ClientPool } from './registry/client-pool.js';
import type { SessionOptions } from './open.js';

/** Number options of a session, checked once where every operation enters the library. */
export function checkSessionOptions(session: SessionOptions): void {
  checkInteger('retryTimes', session.retryTimes, { min: 0 });
  checkDurationMs('retryDelayMs', session.retryDelayMs);
  checkDurationMs('stallTimeoutMs', session.stallTimeoutMs);
}

/** Runs `fn` with the caller's pool, or a fresh one that is closed afterwards. */
export async function withPool<T>(session: SessionOptions, fn: (pool: ClientPool) => Promise<T>): Promise<T> {
  checkSessionOptions(session);
  if (session.pool) return fn(session.pool);
  const pool = new ClientPool();
  try {
    return await fn(pool);
  } finally {
    await pool.close();
  }
}
export type { ClientPool } from './registry/client-pool.js';
