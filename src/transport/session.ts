import { ClientPool } from './registry/client-pool.js';
import type { SessionOptions } from './open.js';

/** Runs `fn` with the caller's pool, or a fresh one that is closed afterwards. */
export async function withPool<T>(session: SessionOptions, fn: (pool: ClientPool) => Promise<T>): Promise<T> {
  if (session.pool) return fn(session.pool);
  const pool = new ClientPool();
  try {
    return await fn(pool);
  } finally {
    await pool.close();
  }
}
