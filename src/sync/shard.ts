import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';

export interface Shard {
  /** 0-based */
  index: number;
  count: number;
}

/** "I/N" with 0 ≤ I < N. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) throw new UsageError(`--shard takes I/N with 0 <= I < N (e.g. 0/3), not "${text}"`);
  return { index, count };
}

/**
 * Whether `key` (a destination reference) belongs to this shard. A hash of the key alone,
 * so a tag's shard never moves when other tags come or go, and every process of a job
 * agrees without talking to the others.
 */
export function inShard(key: string, shard: Shard | undefined): boolean {
  if (!shard || shard.count === 1) return true;
  const h = createHash('sha256').update(key).digest();
  return h.readUInt32BE(0) % shard.count === shard.index;
}
