import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The temp files a destination has in flight, so abort() can remove exactly those and
 * nothing that existed before the copy started.
 */
export class TempFiles {
  private readonly live = new Set<string>();

  /** A fresh name in `dir`; dot-prefixed so listings of blob folders skip it. */
  name(dir: string, hint: string): string {
    const p = join(dir, `.ferry-${hint}-${randomBytes(6).toString('hex')}.tmp`);
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
