// Layer tarballs for fixtures, built with tar-stream from small files that
// tests describe inline, so every digest is reproducible from run to run.
import { createCipheriv, createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';

type EntryHeader = Partial<Header> & Pick<Header, 'name'>;
import { compress as zstdCompress } from 'zstd-napi';

export type LayerCompression = 'gzip' | 'zstd' | 'none';

export type FileContent = string | Buffer | { content: string | Buffer; mode?: number };

export interface LayerSpec {
  /** path (no leading slash) → content. Parent directories are added for you. */
  files?: Record<string, FileContent>;
  symlinks?: Record<string, string>;
  /** Paths removed from lower layers, written as `.wh.` whiteout files. */
  whiteouts?: string[];
  /** A file of reproducible incompressible bytes, to make layers of a chosen size. */
  random?: { path?: string; size: number; seed?: string };
  compression?: LayerCompression;
}

export interface BuiltLayer {
  tar: Buffer;
  /** The compressed bytes, the blob as stored. */
  blob: Buffer;
  /** sha256 of the uncompressed tar, as listed in the config's rootfs.diff_ids. */
  diffId: string;
  compression: LayerCompression;
}

export async function buildLayer(spec: LayerSpec, mtime: Date): Promise<BuiltLayer> {
  const entries: Array<{ header: EntryHeader; body?: Buffer }> = [];
  const dirs = new Set<string>();
  const addParents = (path: string): void => {
    const parts = path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  };
  const files: Record<string, FileContent> = { ...spec.files };
  if (spec.random) files[spec.random.path ?? 'data/random.bin'] = deterministicBytes(spec.random.size, spec.random.seed ?? 'ferry');
  for (const path of spec.whiteouts ?? []) {
    const slash = path.lastIndexOf('/');
    files[`${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`] = '';
  }
  for (const [path, value] of Object.entries(files)) {
    addParents(path);
    const content = typeof value === 'string' || Buffer.isBuffer(value) ? value : value.content;
    const mode = typeof value === 'object' && !Buffer.isBuffer(value) ? (value.mode ?? 0o644) : 0o644;
    entries.push({ header: { name: path, type: 'file', mode, mtime }, body: Buffer.from(content) });
  }
  for (const [path, target] of Object.entries(spec.symlinks ?? {})) {
    addParents(path);
    entries.push({ header: { name: path, type: 'symlink', linkname: target, mode: 0o777, mtime } });
  }
  const dirEntries = [...dirs].map((dir) => ({ header: { name: `${dir}/`, type: 'directory' as const, mode: 0o755, mtime } }));
  const ordered = [...dirEntries, ...entries].sort((a, b) => a.header.name.localeCompare(b.header.name));
  const tar = await packTar(ordered);
  const compression = spec.compression ?? 'gzip';
  return { tar, blob: compressBytes(tar, compression), diffId: sha256Hex(tar), compression };
}

async function packTar(entries: Array<{ header: EntryHeader; body?: Buffer }>): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of archive) chunks.push(chunk as Buffer);
  })();
  for (const { header, body } of entries) {
    await new Promise<void>((resolve, reject) => {
      const finished = (error?: Error | null): void => (error ? reject(error) : resolve());
      const full = { uid: 0, gid: 0, uname: 'root', gname: 'root', ...header };
      if (body) archive.entry(full, body, finished);
      else archive.entry(full, finished);
    });
  }
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function compressBytes(bytes: Buffer, compression: LayerCompression): Buffer {
  if (compression === 'gzip') return gzipSync(bytes);
  if (compression === 'zstd') return zstdCompress(bytes);
  return bytes;
}

/** Reproducible incompressible bytes: AES-128-CTR keystream keyed by the seed (fast enough for 100 MB fixtures). */
export function deterministicBytes(size: number, seed: string): Buffer {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

function sha256Hex(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
