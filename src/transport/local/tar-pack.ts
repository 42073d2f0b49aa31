import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, rename, stat } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { Header, Pack } from 'tar-stream';
import type { ReadOptions } from '../types.js';
import type { TempFiles } from './temp-files.js';

/**
 * Streams a staged directory into a tar file written under a temp name next to the
 * target and renamed over it at the end, so the target is either the old archive or the
 * complete new one. Headers are fixed (mtime 0, root-owned, 0644/0755) and entries sorted,
 * so the same image always gives the same archive bytes.
 */

/** In-memory files added at the top of the archive, before the staged directory's content. */
export interface ExtraFile {
  name: string;
  bytes: Uint8Array;
}

const EPOCH = new Date(0);
const fixed: Partial<Header> = { mtime: EPOCH, uid: 0, gid: 0, uname: 'root', gname: 'root' };

/** Relative POSIX paths under `root`: each directory before its content, names sorted. */
async function listTree(root: string, rel = ''): Promise<{ name: string; dir: boolean }[]> {
  const out: { name: string; dir: boolean }[] = [];
  const names = (await readdir(join(root, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const d of names) {
    const name = rel === '' ? d.name : posix.join(rel, d.name);
    if (d.isDirectory()) {
      out.push({ name, dir: true });
      out.push(...(await listTree(root, name)));
    } else if (d.isFile()) {
      out.push({ name, dir: false });
    }
  }
  return out;
}

function entryDone(pack: Pack, header: Partial<Header> & { name: string }, bytes?: Buffer): { sink: ReturnType<Pack['entry']>; done: Promise<void> } {
  let sink!: ReturnType<Pack['entry']>;
  const done = new Promise<void>((resolve, reject) => {
    const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
    sink = bytes ? pack.entry(header, bytes, cb) : pack.entry(header, cb);
  });
  return { sink, done };
}

async function feed(pack: Pack, root: string, extra: ExtraFile[]): Promise<void> {
  for (const f of extra) {
    await entryDone(pack, { ...fixed, name: f.name, type: 'file', mode: 0o644, size: f.bytes.byteLength }, Buffer.from(f.bytes)).done;
  }
  for (const item of await listTree(root)) {
    if (item.dir) {
      await entryDone(pack, { ...fixed, name: `${item.name}/`, type: 'directory', mode: 0o755 }, Buffer.alloc(0)).done;
      continue;
    }
    const file = join(root, item.name);
    const { size } = await stat(file);
    const { sink, done } = entryDone(pack, { ...fixed, name: item.name, type: 'file', mode: 0o644, size });
    for await (const chunk of createReadStream(file)) {
      if (!sink.write(chunk as Buffer)) await once(sink, 'drain');
    }
    sink.end(undefined);
    await done;
  }
  pack.finalize();
}

/** Writes `extra` then the tree under `root` as a tar at `target`, atomically. */
export async function packDirectory(root: string, extra: ExtraFile[], target: string, temps: TempFiles, opts: ReadOptions = {}): Promise<void> {
  const tmp = temps.name(dirname(target), 'archive');
  const pack = tar.pack();
  try {
    const sink = createWriteStream(tmp, { flags: 'wx', flush: true });
    const writing = pipeline(pack, sink, { signal: opts.signal });
    const feeding = feed(pack, root, extra).catch((e: unknown) => {
      pack.destroy(e as Error);
      throw e;
    });
    await Promise.all([feeding, writing]);
    await rename(tmp, target);
    temps.release(tmp);
  } catch (e) {
    await temps.remove(tmp);
    throw e;
  }
}
