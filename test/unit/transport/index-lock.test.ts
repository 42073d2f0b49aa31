import { spawnSync } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AbortedError } from '../../../src/errors.js';
import { INDEX_LOCK_FILE, withIndexLock } from '../../../src/transport/oci-layout/index-lock.js';
import { scratchDir } from '../../support/scratch.js';

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid;
}

describe('withIndexLock', () => {
  it('runs holders one after another and leaves no lock file', async () => {
    const dir = await scratchDir('lock');
    const order: string[] = [];
    let release!: () => void;
    const first = withIndexLock(dir, async () => {
      order.push('first in');
      await new Promise<void>((resolve) => (release = resolve));
      order.push('first out');
    });
    while (!release) await new Promise((r) => setImmediate(r));
    const second = withIndexLock(dir, async () => {
      order.push('second in');
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(order).toEqual(['first in']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'first out', 'second in']);
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over a lock whose process is gone', async () => {
    const dir = await scratchDir('lock');
    await writeFile(join(dir, INDEX_LOCK_FILE), JSON.stringify({ pid: deadPid(), host: hostname(), created: Date.now() }));
    expect(await withIndexLock(dir, async () => 'ran')).toBe('ran');
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over a lock older than the bound even when its pid lives', async () => {
    const dir = await scratchDir('lock');
    await writeFile(join(dir, INDEX_LOCK_FILE), JSON.stringify({ pid: process.pid, host: hostname(), created: Date.now() - 10_000 }));
    expect(await withIndexLock(dir, async () => 'ran', { staleMs: 5_000 })).toBe('ran');
  });

  it('takes over an empty lock file (holder killed before writing it) only once it is old', async () => {
    const dir = await scratchDir('lock');
    await writeFile(join(dir, INDEX_LOCK_FILE), '');
    const controller = new AbortController();
    const waiting = withIndexLock(dir, async () => 'ran', { signal: controller.signal, staleMs: 60_000 });
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    expect(await withIndexLock(dir, async () => 'ran', { staleMs: 1 })).toBe('ran');
  });

  it('stops waiting for a live lock when aborted, and leaves that lock alone', async () => {
    const dir = await scratchDir('lock');
    const live = JSON.stringify({ pid: process.pid, host: hostname(), created: Date.now() });
    await writeFile(join(dir, INDEX_LOCK_FILE), live);
    const controller = new AbortController();
    const waiting = withIndexLock(dir, async () => 'ran', { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    expect(await readdir(dir)).toEqual([INDEX_LOCK_FILE]);
  });
});
