import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { UsageError } from '../errors.js';
import type { SourceRepo } from './jobs.js';

const MAX_DEPTH = 8;

async function isImageDir(path: string): Promise<boolean> {
  return (await stat(join(path, 'manifest.json')).catch(() => undefined))?.isFile() ?? false;
}

/** "busybox:1-glibc" → repository and tag (a folder without ":" is tag latest). */
function nameAndTag(rel: string): { repository: string; tag: string } {
  const slash = rel.lastIndexOf('/');
  const colon = rel.indexOf(':', slash + 1);
  return colon < 0 ? { repository: rel, tag: 'latest' } : { repository: rel.slice(0, colon), tag: rel.slice(colon + 1) };
}

/**
 * skopeo's `--src dir`: SOURCE is one `dir:` image (named by its folder, e.g.
 * `/media/usb/busybox:1-glibc`) or a folder holding such images at any depth. Images
 * are grouped per repository name (the path relative to SOURCE, or the folder's own
 * name for a single image).
 */
export async function dirSourceRepos(source: string): Promise<Array<{ repository: string; repo: SourceRepo }>> {
  const root = source.replace(/\/+$/, '');
  const found: Array<{ path: string; rel: string }> = [];
  if (await isImageDir(root)) found.push({ path: root, rel: basename(root) });
  else {
    const walk = async (dir: string, depth: number): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
        throw new UsageError(`--src dir: cannot read ${dir}: ${e.code ?? e.message}`);
      });
      for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
        const path = join(dir, e.name);
        if (await isImageDir(path)) found.push({ path, rel: relative(root, path) });
        else if (depth < MAX_DEPTH) await walk(path, depth + 1);
      }
    };
    await walk(root, 0);
  }
  if (found.length === 0) throw new UsageError(`--src dir: no dir: image (a folder with manifest.json) under ${source}`);
  const byRepo = new Map<string, Array<{ location: { kind: 'dir'; path: string }; tag: string }>>();
  for (const f of found) {
    const { repository, tag } = nameAndTag(f.rel);
    byRepo.set(repository, [...(byRepo.get(repository) ?? []), { location: { kind: 'dir', path: f.path }, tag }]);
  }
  return [...byRepo].map(([repository, images]) => ({ repository, repo: { kind: 'images', images, description: `dir:${root}/${repository}` } }));
}
