import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { openArchiveStore } from '../../../src/transport/local/archive-store.js';
import { readAll, tempDir } from './helpers.js';

function noise(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let s = seed;
  for (let i = 0; i < size; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = i % 7 === 0 ? s >>> 24 : 0x61 + (i % 13);
  }
  return out;
}

// big.* are over the 1 MiB a store keeps in memory from its index pass, so they need passes
const files: Record<string, Buffer> = {
  'manifest.json': Buffer.from('[{"x":1}]'),
  'big.one': noise(3 * 1024 * 1024, 1),
  'big.two': noise(2 * 1024 * 1024 + 17, 2),
  'small.txt': Buffer.from('hello'),
  'big.three': noise(1536 * 1024, 3),
};

async function makeTar(): Promise<Buffer> {
  const pack = tar.pack();
  const out = readAll(pack as unknown as NodeJS.ReadableStream);
  for (const [name, body] of Object.entries(files)) pack.entry({ name }, body);
  pack.entry({ name: 'alias', type: 'link', linkname: 'big.two' });
  pack.finalize();
  return out;
}

async function compressed(dir: string, tool: string[], name: string): Promise<string> {
  const file = join(dir, name);
  const out = spawnSync(tool[0]!, tool.slice(1), { input: await makeTar(), maxBuffer: 64 << 20 });
  await writeFile(file, out.stdout);
  return file;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('StreamedTarStore (compressed archives)', () => {
  for (const [tool, ext] of [[['xz', '-1', '-c'], 'tar.xz'], [['bzip2', '-c'], 'tar.bz2'], [['gzip', '-c'], 'tar.gz'], [['zstd', '-q', '-c'], 'tar.zst']] as const) {
    it(`${ext}: indexes, hashes, and serves entries read at once, in any order and from an offset`, async () => {
      const dir = await tempDir();
      const store = await openArchiveStore(await compressed(dir, [...tool], `a.${ext}`), `docker-archive:a.${ext}`);
      try {
        expect((await store.readFile('manifest.json', 100))?.toString()).toBe('[{"x":1}]');
        expect(store.knownDigest('big.one')).toBe(`sha256:${sha(files['big.one']!)}`);
        expect(await store.readHead('big.two', 4)).toEqual(files['big.two']!.subarray(0, 4));
        expect(await store.size('alias')).toBe(files['big.two']!.length);
        // later entries first, all at once, as the copy engine asks; then an earlier one again
        const reads = ['big.three', 'big.one', 'alias'].map(async (name) => sha(await readAll((await store.openFile(name, 0))!.stream)));
        expect(await Promise.all(reads)).toEqual([sha(files['big.three']!), sha(files['big.one']!), sha(files['big.two']!)]);
        const tail = await readAll((await store.openFile('big.one', 1_000_000))!.stream);
        expect(tail.equals(files['big.one']!.subarray(1_000_000))).toBe(true);
        expect(await store.readFile('missing', 10)).toBeUndefined();
      } finally {
        await store.close();
      }
    });
  }

  it('a truncated compressed archive fails at open with a one-line error', async () => {
    const dir = await tempDir();
    const file = await compressed(dir, ['xz', '-1', '-c'], 'a.tar.xz');
    const whole = spawnSync('cat', [file]).stdout;
    await writeFile(file, whole.subarray(0, whole.length >> 1));
    const err = (await openArchiveStore(file, 'docker-archive:a.tar.xz').catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('ERR_COMPRESSION');
    expect(err.message).toMatch(/^docker-archive:a\.tar\.xz: xz decompression: /);
    expect(err.message).not.toContain('\n');
  });

  it('an archive whose tar is whole but whose compressed stream was cut after it fails at open', async () => {
    const dir = await tempDir();
    for (const [tool, ext] of [[['xz', '-1', '-c'], 'tar.xz'], [['gzip', '-c'], 'tar.gz']] as const) {
      const file = await compressed(dir, [...tool], `b.${ext}`);
      const whole = spawnSync('cat', [file]).stdout;
      await writeFile(file, whole.subarray(0, whole.length - 4));
      await expect(openArchiveStore(file, `docker-archive:b.${ext}`)).rejects.toMatchObject({ code: 'ERR_COMPRESSION' });
    }
  });

  it('an abandoned read does not stall the others', async () => {
    const dir = await tempDir();
    const store = await openArchiveStore(await compressed(dir, ['gzip', '-c'], 'a.tar.gz'), 'x');
    try {
      const first = (await store.openFile('big.one', 0))!.stream;
      const later = store.openFile('big.three', 0);
      first.destroy();
      expect(sha(await readAll((await later)!.stream))).toBe(sha(files['big.three']!));
    } finally {
      await store.close();
    }
  });
});
