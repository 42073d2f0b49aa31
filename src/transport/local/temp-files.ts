import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from './process-alive.js';

/** `.ferry-<hint>-<pid>-<random>.tmp`: the pid tells a later run whether the writer still lives. */
const TEMP_NAME = /^\.ferry-[a-z]+-(\d+)-[0-9a-f]+\.tmp$/;

/**
 * Removes the temp files in `dir` whose writer is gone (a copy killed midway, which
 * had no chance to clean up); those of running processes are left alone.
 */
export async function removeOrphanTemps(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names.map(async (name) => {
      const pid = TEMP_NAME.exec(name)?.[1];
      if (pid !== undefined && !isProcessAlive(Number(pid))) await rm(join(dir, name), { force: true, recursive: true });
    }),
  );
}

/**
 * The temp files a destination has in flight, so abort() can remove exactly those and
 * nothing that existed before the copy started.
 */
export class TempFiles {
  private readonly live = new Set<string>();

  /** A fresh name in `dir`; dot-prefixed so listings of blob folders skip it. */
  name(dir: string, hint: string): string {
    const p = join(dir, `.ferry-${hint}-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
    this.live.add(p);
    return p;
  }

  /** The file was renamed into place (or removed); abort must not touch it any more. */
  release(path: string): void {
    this.live.delete(path);
  }

  async remove(path: string): Promise<void> {
    await rm(path, { force: true, recursive: true });
    this.live.delete(path);
  }

  async removeAll(): Promise<void> {
    const paths = [...this.live];
    await Promise.all(paths.map((p) => this.remove(p)));
  }
}
