import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { openArchiveStore } from '../../../src/transport/local/archive-store.js';
import { TarStore } from '../../../src/transport/local/tar-store.js';
import { packDirectory } from '../../../src/transport/local/tar-pack.js';
import { TempFiles } from '../../../src/transport/local/temp-files.js';
import { readAll, tempDir } from './helpers.js';

type Entry = { name: string; type?: 'file' | 'symlink' | 'link' | 'directory'; body?: string; linkname?: string };

async function makeTar(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const out = readAll(pack as unknown as NodeJS.ReadableStream);
  for (const e of entries) {
    if (e.type === 'symlink' || e.type === 'link' || e.type === 'directory') pack.entry({ name: e.name, type: e.type, linkname: e.linkname ?? '' });
    else pack.entry({ name: e.name }, e.body ?? '');
  }
  pack.finalize();
  return out;
}

const longName = `deep/${'a'.repeat(120)}/${'b'.repeat(60)}.txt`;

async function sample(): Promise<Buffer> {
  return makeTar([
    { name: './index.json', body: '{"x":1}' },
    { name: 'blobs/', type: 'directory' },
    { name: 'blobs/one', body: 'first blob\n'.repeat(100) },
    { name: 'empty', body: '' },
    { name: longName, body: 'long' },
    { name: 'dir/link.tar', type: 'symlink', linkname: '../blobs/one' },
    { name: 'hard', type: 'link', linkname: 'blobs/one' },
  ]);
}

describe('TarStore', () => {
  it('indexes entries and reads them in place, including ranges', async () => {
    const dir = await tempDir();
    const file = join(dir, 'a.tar');
    await writeFile(file, await sample());
    const store = await openArchiveStore(file, 'test');
    expect((await store.readFile('index.json', 100))?.toString()).toBe('{"x":1}');
    expect(await store.size('blobs/one')).toBe(1100);
    const part = await store.openFile('blobs/one', 1089);
    expect((await readAll(part!.stream)).toString()).toBe('first blob\n');
    expect((await readAll((await store.openFile('empty', 0))!.stream)).length).toBe(0);
    expect((await store.readFile(longName, 100))?.toString()).toBe('long');
    expect(await store.readHead('blobs/one', 5)).toEqual(Buffer.from('first'));
    expect(await store.readFile('missing', 100)).toBeUndefined();
    expect(await store.readFile('blobs', 100)).toBeUndefined();
  });

  it('follows symbolic and hard links to the file they name', async () => {
    const dir = await tempDir();
    const file = join(dir, 'a.tar');
    await writeFile(file, await sample());
    const store = await openArchiveStore(file, 'test');
    expect((await store.readFile('dir/link.tar', 2000))?.length).toBe(1100);
    expect((await store.readFile('hard', 2000))?.length).toBe(1100);
  });

  it('refuses files over the limit and paths that leave the archive', async () => {
    const dir = await tempDir();
    const file = join(dir, 'a.tar');
    await writeFile(file, await sample());
    const store = await openArchiveStore(file, 'test');
    await expect(store.readFile('blobs/one', 10)).rejects.toMatchObject({ code: 'ERR_TOO_LARGE' });
    await expect(store.readFile('../etc/passwd', 10)).rejects.toMatchObject({ code: 'ERR_LAYOUT' });
  });

  it('reports missing, corrupt and truncated archives with one-line errors', async () => {
    const dir = await tempDir();
    await expect(openArchiveStore(join(dir, 'none.tar'), 'oci-archive:none.tar')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    const junk = join(dir, 'junk.tar');
    await writeFile(junk, Buffer.alloc(1024, 7));
    await expect(openArchiveStore(junk, 'x')).rejects.toMatchObject({ code: 'ERR_LAYOUT', message: expect.stringMatching(/corrupt tar header at byte 0/) });
    const cut = join(dir, 'cut.tar');
    await writeFile(cut, (await sample()).subarray(0, 1500));
    await expect(openArchiveStore(cut, 'x')).rejects.toMatchObject({ code: 'ERR_LAYOUT', message: expect.stringMatching(/truncated/) });
    await expect(openArchiveStore(dir, 'x')).rejects.toMatchObject({ code: 'ERR_LAYOUT' });
  });
});

describe('packDirectory', () => {
  it('writes a readable tar atomically and the same bytes every time', async () => {
    const dir = await tempDir();
    const src = join(dir, 'src');
    await mkdir(join(src, 'blobs/sha256'), { recursive: true });
    await writeFile(join(src, 'blobs/sha256/abc'), Buffer.alloc(70_000, 1));
    await writeFile(join(src, 'index.json'), '{}');
    const temps = new TempFiles();
    await packDirectory(src, [{ name: 'manifest.json', bytes: Buffer.from('[]') }], join(dir, 'one.tar'), temps);
    await packDirectory(src, [{ name: 'manifest.json', bytes: Buffer.from('[]') }], join(dir, 'two.tar'), temps);
    const one = await readFile(join(dir, 'one.tar'));
    expect(one).toEqual(await readFile(join(dir, 'two.tar')));
    const store = (await openArchiveStore(join(dir, 'one.tar'), 'x')) as TarStore;
    expect(store.names()).toEqual(['manifest.json', 'blobs', 'blobs/sha256', 'blobs/sha256/abc', 'index.json']);
    expect((await store.readFile('blobs/sha256/abc', 100_000))?.equals(Buffer.alloc(70_000, 1))).toBe(true);
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(dir)).sort()).toEqual(['one.tar', 'src', 'two.tar']);
  });
});
