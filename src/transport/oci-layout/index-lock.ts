import { randomBytes } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError } from '../../errors.js';
import { isProcessAlive } from '../local/process-alive.js';

/**
 * A lock on one OCI layout's index.json, so two ferry processes that add tags to the
 * same layout do not lose each other's entries (each reads, adds, renames into place).
 * The lock is a file made with O_EXCL holding the holder's pid, host and start time. A
 * killed holder must not block the layout forever: a lock whose pid is gone (same host)
 * or that is older than `staleMs` is taken over. Holders keep it for one small
 * read-modify-write, milliseconds, so a minute means the holder is dead or hung.
 */

export const INDEX_LOCK_FILE = 'index.json.lock';
export const STALE_LOCK_MS = 60_000;

export interface LayoutLockOptions {
  signal?: AbortSignal;
  staleMs?: number;
}

interface Holder {
  raw: string;
  pid?: number;
  host?: string;
  created: number;
}

async function readHolder(path: string): Promise<Holder | undefined> {
  try {
    const [raw, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    try {
      const doc = JSON.parse(raw) as { pid?: unknown; host?: unknown; created?: unknown };
      return {
        raw,
        ...(typeof doc.pid === 'number' ? { pid: doc.pid } : {}),
        ...(typeof doc.host === 'string' ? { host: doc.host } : {}),
        created: typeof doc.created === 'number' ? doc.created : st.mtimeMs,
      };
    } catch {
      // a holder killed between creating the file and writing it: judge it by its age
      return { raw, created: st.mtimeMs };
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function isStale(h: Holder, staleMs: number): boolean {
  if (Date.now() - h.created > staleMs) return true;
  return h.pid !== undefined && h.host === hostname() && !isProcessAlive(h.pid);
}

/** Creates `path` exclusively; false when it exists. */
async function createExclusive(path: string, content: string): Promise<boolean> {
  try {
    const fh = await open(path, 'wx');
    try {
      await fh.writeFile(content);
    } finally {
      await fh.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/**
 * Removes a stale lock, but only the one judged stale: two waiters may judge it at once,
 * so the removal happens under a second exclusive file, after checking the lock is
 * still the same bytes (not a fresh lock another waiter has just made).
 */
async function takeOver(path: string, stale: Holder, staleMs: number): Promise<void> {
  const guard = `${path}.takeover`;
  if (!(await createExclusive(guard, String(process.pid)))) {
    const g = await readHolder(guard);
    if (g && Date.now() - g.created > staleMs) await rm(guard, { force: true });
    return;
  }
  try {
    const now = await readHolder(path);
    if (now && now.raw === stale.raw) await rm(path, { force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

/** Runs `fn` holding the layout's index lock; waits (with backoff) while another process holds it. */
export async function withIndexLock<T>(dir: string, fn: () => Promise<T>, opts: LayoutLockOptions = {}): Promise<T> {
  const path = join(dir, INDEX_LOCK_FILE);
  const staleMs = opts.staleMs ?? STALE_LOCK_MS;
  const content = JSON.stringify({ pid: process.pid, host: hostname(), created: Date.now(), token: randomBytes(8).toString('hex') });
  for (let attempt = 0; !(await createExclusive(path, content)); attempt++) {
    if (opts.signal?.aborted) throw new AbortedError();
    const holder = await readHolder(path);
    if (holder && isStale(holder, staleMs)) {
      await takeOver(path, holder, staleMs);
      continue;
    }
    const delay = Math.min(250, 5 * 2 ** attempt);
    await sleep(delay / 2 + Math.random() * (delay / 2), undefined, { signal: opts.signal }).catch(() => {
      throw new AbortedError();
    });
  }
  try {
    return await fn();
  } finally {
    // only our own lock: a holder judged stale (hung, not dead) must not remove its successor's
    const now = await readHolder(path).catch(() => undefined);
    if (now?.raw === content) await rm(path, { force: true });
  }
}
