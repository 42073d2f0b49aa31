import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CACHE_LIMITS, compactRecords } from './compact.js';
import { parseLog, type CacheRecord } from './records.js';

/**
 * The cache on disk: one append-only log of JSON lines in the cache directory.
 *
 * Several ferry processes may use it at once (parallel CI jobs, sync shards). Each
 * appends its new lines with one write on a file opened O_APPEND, which the kernel
 * places at the end as a whole, so writers never overwrite each other and never need a
 * lock. Readers take what parses and drop the rest (a line cut short by a crash). When
 * the log outgrows its bound, one process (holding a lock file made with O_EXCL)
 * rewrites it to a temporary file and renames that over the log: readers see either the
 * old or the new file, never half of one. Lines another process appends during that
 * rewrite can be lost; for a cache that only means a mount not tried once.
 */
export const LOG_FILE = 'blob-locations.jsonl';
const LOCK_FILE = 'blob-locations.compact.lock';
/** A compaction lock older than this was left by a process that died. */
const STALE_LOCK_MS = 60_000;

export interface LoadedLog {
  records: CacheRecord[];
  /** The log's size on disk (0 when there is none). */
  bytes: number;
}

/** The newest `maxLoadBytes` of the log, parsed; anything unreadable is an empty log. */
export async function loadLog(dir: string, maxBytes = CACHE_LIMITS.maxLoadBytes): Promise<LoadedLog> {
  const path = join(dir, LOG_FILE);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return { records: [], bytes: 0 };
  }
  try {
    const { size } = await handle.stat();
    if (size <= maxBytes) return { records: parseLog((await handle.readFile()).toString('utf8')), bytes: size };
    const buf = Buffer.alloc(maxBytes);
    const { bytesRead } = await handle.read(buf, 0, maxBytes, size - maxBytes);
    // the first line is probably cut: start after the first newline
    const text = buf.subarray(0, bytesRead).toString('utf8');
    return { records: parseLog(text.slice(text.indexOf('\n') + 1)), bytes: size };
  } catch {
    return { records: [], bytes: 0 };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Appends lines with a single write; returns the log's size afterwards. */
export async function appendLog(dir: string, lines: readonly string[]): Promise<number> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const handle = await open(join(dir, LOG_FILE), 'a', 0o600);
  try {
    await handle.write(lines.map((l) => `${l}\n`).join(''));
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}

async function takeLock(path: string, now: number): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const h = await open(path, 'wx', 0o600);
      await h.close();
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      const age = await stat(path).then((s) => now - s.mtimeMs, () => 0);
      if (age < STALE_LOCK_MS) return false;
      await rm(path, { force: true });
    }
  }
  return false;
}

/**
 * Rewrites the log within its bounds. Returns false when another process is already
 * compacting (it will do the work) or the directory is not writable.
 */
export async function compactLog(dir: string, now = Date.now()): Promise<boolean> {
  const lock = join(dir, LOCK_FILE);
  if (!(await takeLock(lock, now))) return false;
  const tmp = join(dir, `${LOG_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const { records, bytes } = await loadLog(dir, CACHE_LIMITS.maxLoadBytes);
    const compacted = compactRecords(records, now).map((l) => `${l}\n`).join('');
    // lines appended since the read go along, so only those of the last instant are lost
    await writeWhole(tmp, compacted + (await appendedSince(join(dir, LOG_FILE), bytes)));
    await rename(tmp, join(dir, LOG_FILE));
    return true;
  } catch {
    await rm(tmp, { force: true });
    return false;
  } finally {
    await rm(lock, { force: true });
  }
}

/** Whole lines written to the log after its first `offset` bytes. */
async function appendedSince(path: string, offset: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= offset) return '';
    const buf = Buffer.alloc(size - offset);
    const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    return text.slice(0, text.lastIndexOf('\n') + 1);
  } finally {
    await handle.close();
  }
}

async function writeWhole(path: string, text: string): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
