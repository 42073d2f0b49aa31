// Layers made by the real GNU tar (GNU or PAX format) from a file tree written to a
// scratch folder, compressed by the real gzip/zstd programs, and OCI images around
// them with a config of the test's choosing (user, env, history...). Nothing here
// uses ferry's code or tar-stream, so listings can be checked against `tar -t`.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, chown, link, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLayout, tagInLayout, writeBlob, writeJsonBlob, type Descriptor } from './oci-layout-writer.js';
import { scratchDir } from './scratch.js';

const run = promisify(execFile);

export type FileSpec = string | Buffer | { content: string | Buffer; mode?: number; uid?: number; gid?: number };

export interface TreeSpec {
  files?: Record<string, FileSpec>;
  /** Directories with their own mode/owner (parents of files are made anyway). */
  dirs?: Record<string, { mode?: number; uid?: number; gid?: number }>;
  symlinks?: Record<string, string>;
  /** New path → existing file of this tree. */
  hardlinks?: Record<string, string>;
  /** Paths of lower layers this layer removes (`.wh.` files). */
  whiteouts?: string[];
  /** Directories whose lower content this layer hides (`.wh..wh..opq`). */
  opaque?: string[];
  /** Files whose names are raw bytes, e.g. Latin-1: [dir, name bytes, content]. */
  rawNames?: Array<[string, Buffer, string]>;
  /** Files appended again (`tar -r`) with new content: duplicate entries in one layer. */
  duplicates?: Record<string, string>;
}

export type Compression = 'gzip' | 'zstd' | 'none';

export interface TarLayer {
  tar: Buffer;
  blob: Buffer;
  diffId: string;
  compression: Compression;
  mediaType: string;
}

const MTIME = '@1704067200';
const mediaTypes: Record<Compression, string> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  none: 'application/vnd.oci.image.layer.v1.tar',
};

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function writeFileSpec(root: string, path: string, spec: FileSpec): Promise<void> {
  const full = join(root, path);
  await mkdir(join(full, '..'), { recursive: true });
  const content = typeof spec === 'string' || Buffer.isBuffer(spec) ? spec : spec.content;
  await writeFile(full, content);
  const meta = typeof spec === 'object' && !Buffer.isBuffer(spec) ? spec : {};
  await chmod(full, meta.mode ?? 0o644);
  if (meta.uid !== undefined || meta.gid !== undefined) await chown(full, meta.uid ?? 0, meta.gid ?? 0);
}

export async function gnuTarLayer(spec: TreeSpec, options: { format?: 'gnu' | 'posix'; compression?: Compression } = {}): Promise<TarLayer> {
  const work = await scratchDir('gnu-tar');
  const root = join(work, 'root');
  await mkdir(root);
  for (const [dir, meta] of Object.entries(spec.dirs ?? {})) {
    await mkdir(join(root, dir), { recursive: true });
    await chmod(join(root, dir), meta.mode ?? 0o755);
    if (meta.uid !== undefined) await chown(join(root, dir), meta.uid, meta.gid ?? 0);
  }
  for (const [path, file] of Object.entries(spec.files ?? {})) await writeFileSpec(root, path, file);
  for (const path of spec.whiteouts ?? []) {
    const slash = path.lastIndexOf('/');
    await writeFileSpec(root, `${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`, '');
  }
  for (const dir of spec.opaque ?? []) await writeFileSpec(root, `${dir}/.wh..wh..opq`, '');
  for (const [path, target] of Object.entries(spec.symlinks ?? {})) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await symlink(target, join(root, path));
  }
  for (const [path, target] of Object.entries(spec.hardlinks ?? {})) await link(join(root, target), join(root, path));
  for (const [dir, name, content] of spec.rawNames ?? []) {
    await mkdir(join(root, dir), { recursive: true });
    await writeFile(Buffer.concat([Buffer.from(`${join(root, dir)}/`), name]), content);
  }
  const tarPath = join(work, 'layer.tar');
  const flags = [`--format=${options.format ?? 'gnu'}`, '--sort=name', `--mtime=${MTIME}`, '-C', root];
  if (options.format === 'posix') flags.push('--pax-option=delete=atime,delete=ctime');
  await run('tar', [...flags, '-cf', tarPath, '.']);
  for (const [path, content] of Object.entries(spec.duplicates ?? {})) {
    await writeFile(join(root, path), content);
    await run('tar', [...flags, '-rf', tarPath, `./${path}`]);
  }
  const compression = options.compression ?? 'gzip';
  const { readFile } = await import('node:fs/promises');
  const tar = await readFile(tarPath);
  let blob = tar;
  if (compression !== 'none') {
    const [program, args] = compression === 'gzip' ? ['gzip', ['-n', '-c', tarPath]] : ['zstd', ['-q', '-c', tarPath]];
    blob = (await run(program, args as string[], { encoding: 'buffer', maxBuffer: 1 << 30 })).stdout;
  }
  return { tar, blob, diffId: sha256(tar), compression, mediaType: mediaTypes[compression] };
}

export interface ConfigSpec {
  user?: string;
  env?: string[];
  entrypoint?: string[];
  cmd?: string[];
  labels?: Record<string, string>;
  /** Default: one `created_by` line per layer. */
  history?: Array<{ created_by: string; empty_layer?: boolean }>;
}

export interface LayeredImage {
  layoutPath: string;
  tag: string;
  ociRef: string;
  digest: string;
  mediaType: string;
  manifest: { schemaVersion: number; mediaType: string; config: Descriptor; layers: Descriptor[] };
  manifestBytes: Buffer;
  config: Descriptor;
  layers: Descriptor[];
}

export async function buildLayeredImage(layers: TarLayer[], spec: ConfigSpec = {}, options: { layoutPath?: string; tag?: string } = {}): Promise<LayeredImage> {
  const layoutPath = await createLayout(options.layoutPath);
  const tag = options.tag ?? 'latest';
  const descriptors: Descriptor[] = [];
  for (const l of layers) descriptors.push(await writeBlob(layoutPath, l.blob, l.mediaType));
  const configJson = {
    created: '2024-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: {
      ...(spec.user !== undefined ? { User: spec.user } : {}),
      Env: spec.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
      ...(spec.cmd ? { Cmd: spec.cmd } : {}),
      ...(spec.labels ? { Labels: spec.labels } : {}),
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: spec.history ?? layers.map((_l, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `layer ${i}` })),
  };
  const config = await writeJsonBlob(layoutPath, configJson, 'application/vnd.oci.image.config.v1+json');
  const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: config.descriptor, layers: descriptors };
  const written = await writeJsonBlob(layoutPath, manifest, manifest.mediaType);
  await tagInLayout(layoutPath, { ...written.descriptor, platform: { os: 'linux', architecture: 'amd64' } }, tag);
  return {
    layoutPath, tag, ociRef: `oci:${layoutPath}:${tag}`, digest: written.descriptor.digest, mediaType: manifest.mediaType,
    manifest, manifestBytes: written.bytes, config: config.descriptor, layers: descriptors,
  };
}

/** `tar -tv --numeric-owner` of an uncompressed layer, one parsed row per entry, names as raw bytes. */
export async function tarListing(tar: Buffer, work: string): Promise<Array<{ mode: string; uid: number; gid: number; size: number; name: Buffer; link?: Buffer }>> {
  const path = join(work, `list-${sha256(tar).slice(7, 19)}.tar`);
  await writeFile(path, tar);
  const out = (await run('tar', ['--numeric-owner', '--quoting-style=literal', '-tvf', path], { encoding: 'buffer', maxBuffer: 1 << 28, env: { ...process.env, LC_ALL: 'C' } })).stdout;
  const rows = [];
  let start = 0;
  while (start < out.length) {
    let end = out.indexOf(0x0a, start);
    if (end < 0) end = out.length;
    const line = out.subarray(start, end);
    start = end + 1;
    const text = line.toString('latin1');
    const m = /^(\S+) (\d+)\/(\d+)\s+(\d+) \S+ \S+ /.exec(text);
    if (!m) throw new Error(`unexpected tar -tv line: ${text}`);
    let name = line.subarray(m[0].length);
    let linkTo: Buffer | undefined;
    const arrow = name.indexOf(m[1]!.startsWith('l') ? ' -> ' : ' link to ');
    if (arrow >= 0 && (m[1]!.startsWith('l') || m[1]!.startsWith('h'))) {
      linkTo = name.subarray(arrow + (m[1]!.startsWith('l') ? 4 : 9));
      name = name.subarray(0, arrow);
    }
    rows.push({ mode: m[1]!, uid: Number(m[2]), gid: Number(m[3]), size: Number(m[4]), name, ...(linkTo ? { link: linkTo } : {}) });
  }
  return rows;
}
