// ferry layers / ls / cat against images whose layers the real GNU tar made (GNU and
// PAX formats; gzip, zstd and plain tar), with long names, hard links, symlinks,
// whiteouts, an opaque directory, a duplicate entry and a non-UTF-8 name. Listings
// are compared with `tar -tv` of the same layers; the image is read from an OCI
// layout and from a real registry.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferryJson, ferryOk, ferryRegistryFlags, oneLineError, runFerry } from '../support/ferry-cli.js';
import { pushWithSkopeo } from '../support/fixtures.js';
import { buildLayeredImage, gnuTarLayer, tarListing, type LayeredImage, type TarLayer } from '../support/gnu-tar-image.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { runCommand } from '../support/run-command.js';

const run = promisify(execFile);
const LONG_DIR = `opt/${'very-long-directory-name-'.repeat(5)}end`;
const LONG_FILE = `${LONG_DIR}/${'file-with-a-long-name-'.repeat(3)}.txt`;
const RAW_NAME = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]); // "café.txt" in Latin-1
const BIG0 = Buffer.alloc(10_000, 7);
const BIG1 = Buffer.alloc(5_000, 9);

interface FileRow { path: string; type: string; mode: number; uid: number; gid: number; size: number; linkTarget?: string; layer: number; whiteout?: { kind: string; target: string } }
interface Listing { files: FileRow[] }
interface LayersJson {
  rows: Array<{ kind: string; index?: number; files?: number; addedBytes?: number; wastedBytes?: number; uncompressedSize?: number; compression?: string; createdBy?: string }>;
  total: { addedBytes: number; wastedBytes: number; layers: number };
  efficiency: number;
}

/** What ferry shows for raw name bytes: UTF-8 as is, other bytes as \xNN. */
function shown(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return [...bytes].map((b) => (b < 0x80 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
  }
}

function normal(name: string): string {
  return name.split('/').filter((p) => p !== '' && p !== '.').join('/');
}

const typeOf: Record<string, string> = { '-': 'file', d: 'directory', l: 'symlink', h: 'link' };

/** tar's mode column as ferry's type and permission bits. */
function parseMode(mode: string): { type: string; bits: number } {
  let bits = 0;
  const chars = mode.slice(1);
  for (let i = 0; i < 9; i++) {
    const c = chars[i]!;
    if (c !== '-' && c !== 'S' && c !== 'T') bits |= 1 << (8 - i);
  }
  if ('sS'.includes(chars[2]!)) bits |= 0o4000;
  if ('sS'.includes(chars[5]!)) bits |= 0o2000;
  if ('tT'.includes(chars[8]!)) bits |= 0o1000;
  return { type: typeOf[mode[0]!] ?? 'other', bits };
}

describe('ferry layers, ls and cat on GNU tar layers', () => {
  let registry: RunningRegistry;
  let image: LayeredImage;
  let layers: TarLayer[];
  let work: string;
  let locations: string[];

  beforeAll(async () => {
    [registry, work] = await Promise.all([startRegistry({ mode: 'plain' }), scratchDir('layers-test')]);
    layers = [
      await gnuTarLayer({
        files: {
          'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n',
          'etc/motd': 'first motd\n',
          'usr/bin/tool': { content: '#!/bin/sh\necho tool\n', mode: 0o4755 },
          'data/big.bin': BIG0,
          'opt/app/a': 'a\n',
          'opt/app/b': 'bb\n',
          'var/cache/x': 'cached\n',
          'home/user/notes': { content: 'mine\n', uid: 1000, gid: 1000 },
          [LONG_FILE]: 'long name\n',
        },
        hardlinks: { 'usr/bin/tool-link': 'usr/bin/tool' },
        symlinks: { 'etc/alias': 'motd' },
        rawNames: [['srv', RAW_NAME, 'latin-1 name\n']],
      }, { format: 'gnu', compression: 'gzip' }),
      await gnuTarLayer({
        files: { 'etc/passwd': 'first duplicate\n', 'data/big.bin': BIG1, 'opt/app/c': 'ccc\n' },
        whiteouts: ['etc/motd'],
        opaque: ['opt/app'],
        duplicates: { 'etc/passwd': 'root:x:0:0:root:/root:/bin/bash\n' },
      }, { format: 'posix', compression: 'zstd' }),
      await gnuTarLayer({ files: { 'etc/motd': 'second motd\n' }, whiteouts: ['var/cache'] }, { format: 'gnu', compression: 'none' }),
    ];
    image = await buildLayeredImage(layers, {
      history: [
        { created_by: 'ADD rootfs.tar /' },
        { created_by: 'ENV A=1', empty_layer: true },
        { created_by: 'RUN update' },
        { created_by: 'CMD ["sh"]', empty_layer: true },
        { created_by: 'COPY motd /etc/motd' },
      ],
    });
    await pushWithSkopeo(image, registry, 'walk/image:v1');
    locations = [image.ociRef, `docker://${registry.ref('walk/image:v1')}`];
  }, 120_000);
  afterAll(async () => {
    await registry?.stop();
  });

  it('lists each layer exactly as tar -tv does: names, types, modes, owners, sizes, link targets', async () => {
    for (const [n, layer] of layers.entries()) {
      const expected = (await tarListing(layer.tar, work))
        .filter((row) => normal(shown(row.name)) !== '')
        .map((row) => {
          const { type, bits } = parseMode(row.mode);
          const link = row.link ? shown(row.link) : undefined;
          return { path: `/${normal(shown(row.name))}`, type, mode: bits, uid: row.uid, gid: row.gid, size: type === 'file' ? row.size : 0, ...(link !== undefined ? { linkTarget: type === 'link' ? normal(link) : link } : {}) };
        });
      for (const location of locations) {
        const listing = await ferryJson<Listing>(['ls', '--layer', String(n), '--format', 'json', location, ...ferryRegistryFlags(registry)]);
        const actual = listing.files.map((f) => ({ path: f.path, type: f.type, mode: f.mode, uid: f.uid, gid: f.gid, size: f.size, ...(f.linkTarget !== undefined ? { linkTarget: f.linkTarget } : {}) }));
        expect(actual, `layer ${n} of ${location}`).toEqual(expected);
      }
    }
  });

  it('marks whiteouts and opaque directories in a layer listing', async () => {
    const listing = await ferryJson<Listing>(['ls', '--layer', '1', '--format', 'json', image.ociRef]);
    const whiteouts = listing.files.filter((f) => f.whiteout).map((f) => [f.path, f.whiteout]);
    expect(whiteouts).toEqual([
      ['/etc/.wh.motd', { kind: 'path', target: 'etc/motd' }],
      ['/opt/app/.wh..wh..opq', { kind: 'opaque', target: 'opt/app' }],
    ]);
    // the duplicate: two entries for one path in one layer
    expect(listing.files.filter((f) => f.path === '/etc/passwd')).toHaveLength(2);
  });

  it('merges the layers: whiteouts, opaque directory, re-added and duplicate files', async () => {
    for (const location of locations) {
      const listing = await ferryJson<Listing>(['ls', '--format', 'json', location]);
      const files = listing.files.filter((f) => f.type !== 'directory').map((f) => `${f.path} ${f.layer} ${f.size}`);
      expect(files, location).toEqual([
        '/data/big.bin 1 5000',
        '/etc/alias 0 0',
        '/etc/motd 2 12',
        '/etc/passwd 1 32',
        '/home/user/notes 0 5',
        '/opt/app/c 1 4',
        `/${LONG_FILE} 0 10`,
        `/srv/caf\\xe9.txt 0 13`,
        '/usr/bin/tool 0 20',
        '/usr/bin/tool-link 0 0',
      ]);
      const dirs = listing.files.filter((f) => f.type === 'directory').map((f) => f.path);
      expect(dirs).toContain('/var');
      expect(dirs).not.toContain('/var/cache');
    }
  });

  it('the merged listing is the filesystem umoci unpacks from the same image', async () => {
    // umoci applies the layers with its own whiteout handling; this umoci reads no zstd,
    // so it gets the same tars, all gzip. `find` lists what it unpacked, names as bytes.
    const gzipped = await buildLayeredImage(layers.map((l) => ({ ...l, blob: gzipSync(l.tar), compression: 'gzip' as const, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' })));
    const bundle = join(work, 'umoci-bundle');
    await runCommand('umoci', ['unpack', '--rootless', '--image', `${gzipped.layoutPath}:${gzipped.tag}`, bundle], { timeoutMs: 120_000 });
    const found = (await run('find', [join(bundle, 'rootfs'), '-mindepth', '1', '-printf', '%y %m %s %P\\0%l\\0'], { encoding: 'buffer', maxBuffer: 1 << 26 })).stdout;
    const expected: string[] = [];
    for (let at = 0; at < found.length; ) {
      const end1 = found.indexOf(0, at);
      const end2 = found.indexOf(0, end1 + 1);
      const head = found.subarray(at, end1);
      const [type, mode, size] = head.toString('latin1').split(' ', 3);
      const name = shown(head.subarray(type!.length + mode!.length + size!.length + 3));
      const target = shown(found.subarray(end1 + 1, end2));
      at = end2 + 1;
      expected.push(type === 'l' ? `l ${name} -> ${target}` : type === 'd' ? `d ${name} ${mode}` : `f ${name} ${mode} ${size}`);
    }
    const listing = await ferryJson<Listing>(['ls', '--format', 'json', image.ociRef]);
    expect((await ferryJson<Listing>(['ls', '--format', 'json', gzipped.ociRef])).files).toEqual(listing.files);
    const byPath = new Map(listing.files.map((f) => [f.path, f]));
    const actual = listing.files.map((f) => {
      const p = f.path.slice(1);
      if (f.type === 'directory') return `d ${p} ${f.mode.toString(8)}`;
      if (f.type === 'symlink') return `l ${p} -> ${f.linkTarget}`;
      // a hard link is the same file as its target on disk
      const target = f.type === 'link' ? byPath.get(`/${f.linkTarget}`)! : f;
      return `f ${p} ${target.mode.toString(8)} ${target.size}`;
    });
    expect(actual.sort()).toEqual(expected.sort());
  });

  it('lists a path and what is below it; a missing path is a one-line error', async () => {
    const listing = await ferryJson<Listing>(['ls', '--format', 'json', image.ociRef, '/opt/app']);
    expect(listing.files.map((f) => f.path)).toEqual(['/opt/app', '/opt/app/c']);
    const text = await ferryOk(['ls', image.ociRef, '/usr/bin']);
    expect(text.stdout).toMatch(/^-rwsr-xr-x\s+root\/root\s+20\s+0\s+\/usr\/bin\/tool$/m);
    expect(text.stdout).toMatch(/\/usr\/bin\/tool-link link to \/usr\/bin\/tool$/m);
    const missing = await runFerry(['ls', image.ociRef, '/nowhere']);
    expect(oneLineError(missing)).toContain('/nowhere');
  });

  it('cats files byte-exact: duplicates, re-added, hard links, symlinks, long and non-UTF-8 names', async () => {
    const cases: Array<[string, string | Buffer]> = [
      ['/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\n'],
      ['/etc/motd', 'second motd\n'],
      ['/etc/alias', 'second motd\n'],
      ['/usr/bin/tool-link', '#!/bin/sh\necho tool\n'],
      ['/data/big.bin', BIG1],
      ['/opt/app/c', 'ccc\n'],
      [`/${LONG_FILE}`, 'long name\n'],
      ['/srv/caf\\xe9.txt', 'latin-1 name\n'],
    ];
    for (const location of locations) {
      for (const [path, content] of cases) {
        const run = await ferryOk(['cat', location, path]);
        expect(run.stdoutBytes.equals(Buffer.from(content)), `${path} of ${location}`).toBe(true);
      }
    }
  });

  it('cat reads only the layers it needs, newest first', async () => {
    const blobsRead = async (path: string): Promise<string[]> => {
      const mark = await registry.mark();
      await ferryOk(['cat', `docker://${registry.ref('walk/image:v1')}`, path]);
      const log = await registry.accessLog(mark);
      return log.filter((e) => e.method === 'GET' && e.path.includes('/blobs/') && !e.path.endsWith(image.config.digest)).map((e) => e.path.slice(e.path.lastIndexOf('/') + 1));
    };
    const [l0, l1, l2] = image.layers.map((l) => l.digest);
    // in the top layer: one layer read
    expect(await blobsRead('/etc/motd')).toEqual([l2]);
    // in the middle layer: the top one, then that one
    expect(await blobsRead('/opt/app/c')).toEqual([l2, l1]);
    // in the base layer: all three, newest first
    expect(await blobsRead('/home/user/notes')).toEqual([l2, l1, l0]);
  });

  it('cat: whiteouts and opaque directories hide lower files; directories are refused', async () => {
    for (const path of ['/opt/app/a', '/var/cache/x', '/nope']) {
      const run = await runFerry(['cat', image.ociRef, path]);
      expect(oneLineError(run)).toBe(`ferry: [ERR_NOT_FOUND] ${path} not found in ${image.ociRef}`);
      expect(run.stdout).toBe('');
    }
    expect(oneLineError(await runFerry(['cat', image.ociRef, '/etc']))).toContain('is a directory');
  });

  it('layers: sizes, counts, bytes added and wasted per layer, history with empty layers, efficiency', async () => {
    for (const location of locations) {
      const report = await ferryJson<LayersJson>(['layers', '--format', 'json', location]);
      // files: entries that are neither directories nor whiteouts
      const rows = report.rows.map((r) => (r.kind === 'empty' ? `empty ${r.createdBy}` : `${r.index} ${r.compression} ${r.uncompressedSize} ${r.files} ${r.addedBytes} ${r.wastedBytes} ${r.createdBy}`));
      const added0 = 30 + 11 + 20 + 10_000 + 2 + 3 + 7 + 5 + 10 + 13;
      // later layers remove: passwd (30), motd (11), big.bin (10000), opt/app/a and b (5), var/cache/x (7)
      const wasted0 = 30 + 11 + 10_000 + 2 + 3 + 7;
      expect(rows).toEqual([
        `0 gzip ${layers[0]!.tar.length} 12 ${added0} ${wasted0} ADD rootfs.tar /`,
        'empty ENV A=1',
        `1 zstd ${layers[1]!.tar.length} 4 ${16 + 5000 + 4 + 32} 16 RUN update`,
        'empty CMD ["sh"]',
        `2 none ${layers[2]!.tar.length} 1 12 0 COPY motd /etc/motd`,
      ]);
      const total = added0 + 16 + 5000 + 4 + 32 + 12;
      expect(report.total).toMatchObject({ layers: 3, addedBytes: total, wastedBytes: wasted0 + 16 });
      expect(report.efficiency).toBeCloseTo(1 - (wasted0 + 16) / total, 10);
    }
    const text = await ferryOk(['layers', image.ociRef]);
    expect(text.stdout).toContain('(empty layer)');
    expect(text.stdout).toMatch(/Efficiency:\s+\d+\.\d\d %/);
  });
});
