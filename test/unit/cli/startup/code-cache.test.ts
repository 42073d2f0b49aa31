import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { loadWithCodeCache } from '../../../../src/cli/startup/code-cache.js';
import { cacheName, codeCacheDir } from '../../../../src/cli/startup/load-cli.js';
import { scratchDir } from '../../../support/scratch.js';

// Each CLI run compiles the bundle once per process; here one process loads the same file
// again and again, and V8's in-memory compilation cache would answer before the code cache
// is even looked at.
setFlagsFromString('--no-compilation-cache');

// enough code that the cache is worth V8's while and damage lands in real bytecode
const body = Array.from({ length: 200 }, (_, i) => `function f${i}(x) { return x * ${i} + String(x).length; }`).join('\n');
const program = (answer: number) => `${body}\nexports.answer = () => ${answer} + f1(0) - 1;\nexports.file = __filename;\n`;

async function setup(answer = 42) {
  const dir = await scratchDir('code-cache');
  const file = join(dir, 'module.cjs');
  writeFileSync(file, program(answer));
  return { file, cacheDir: join(dir, 'cache') };
}

function run(file: string, dir: string | undefined, name = 'copy') {
  const loaded = loadWithCodeCache(file, { dir, name });
  const answer = (loaded.exports['answer'] as () => number)();
  loaded.save();
  return { answer, cacheUsed: loaded.cacheUsed, exports: loaded.exports };
}

describe('loadWithCodeCache', () => {
  it('runs the file as CommonJS, then uses the cache the first run wrote', async () => {
    const { file, cacheDir } = await setup();
    const first = run(file, cacheDir);
    expect(first).toMatchObject({ answer: 42, cacheUsed: false });
    expect(first.exports['file']).toBe(file);
    expect(readdirSync(cacheDir)).toHaveLength(1);
    expect(run(file, cacheDir)).toMatchObject({ answer: 42, cacheUsed: true });
  });

  it('rejects a damaged cache, runs anyway and writes a good one', async () => {
    const { file, cacheDir } = await setup();
    run(file, cacheDir);
    const [cacheFile] = readdirSync(cacheDir);
    const path = join(cacheDir, cacheFile!);
    const bytes = readFileSync(path);
    for (let i = Math.floor(bytes.length / 2); i < bytes.length - 64; i += 7) bytes[i]! ^= 0x5a;
    writeFileSync(path, bytes);
    expect(run(file, cacheDir)).toMatchObject({ answer: 42, cacheUsed: false });
    expect(run(file, cacheDir)).toMatchObject({ answer: 42, cacheUsed: true });
  });

  it('ignores garbage and an empty file in place of the cache', async () => {
    const { file, cacheDir } = await setup();
    run(file, cacheDir);
    const path = join(cacheDir, readdirSync(cacheDir)[0]!);
    for (const junk of ['', 'not a code cache']) {
      writeFileSync(path, junk);
      expect(run(file, cacheDir)).toMatchObject({ answer: 42, cacheUsed: false });
    }
  });

  it('does not use the cache of an earlier version of the file, and removes it', async () => {
    const { file, cacheDir } = await setup(42);
    run(file, cacheDir);
    const before = readdirSync(cacheDir);
    // same length, different code: V8 alone would take the old cache
    writeFileSync(file, program(43));
    expect(run(file, cacheDir)).toMatchObject({ answer: 43, cacheUsed: false });
    const after = readdirSync(cacheDir);
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
    expect(run(file, cacheDir)).toMatchObject({ answer: 43, cacheUsed: true });
  });

  it('tells builds apart by their build id when size, mtime and inode are the same (npm installs)', async () => {
    const { file, cacheDir } = await setup();
    const built = (answer: number, id: string) => `${program(answer)}//# ferryBuildId=${id}\n`;
    // the mtime npm gives every file it unpacks
    const npmTime = new Date('1985-10-26T08:15:00Z');
    writeFileSync(file, built(42, 'aaaaaaaaaaaaaaaa'));
    utimesSync(file, npmTime, npmTime);
    const before = statSync(file);
    expect(run(file, cacheDir)).toMatchObject({ answer: 42, cacheUsed: false });
    writeFileSync(file, built(43, 'bbbbbbbbbbbbbbbb'));
    utimesSync(file, npmTime, npmTime);
    const after = statSync(file);
    expect([after.size, after.mtimeMs, after.ino]).toEqual([before.size, before.mtimeMs, before.ino]);
    expect(run(file, cacheDir)).toMatchObject({ answer: 43, cacheUsed: false });
    expect(run(file, cacheDir)).toMatchObject({ answer: 43, cacheUsed: true });
  });

  it('keeps one cache per name', async () => {
    const { file, cacheDir } = await setup();
    run(file, cacheDir, 'copy');
    run(file, cacheDir, 'inspect');
    expect(readdirSync(cacheDir).map((f) => f.split('-')[0]).sort()).toEqual(['copy', 'inspect']);
  });

  it('runs without a cache when the folder cannot be made', async () => {
    const { file, cacheDir } = await setup();
    writeFileSync(cacheDir, 'a file where the folder should be');
    expect(run(file, join(cacheDir, 'v8'))).toMatchObject({ answer: 42, cacheUsed: false });
    expect(run(file, undefined)).toMatchObject({ answer: 42, cacheUsed: false });
  });
});

describe('cache location and name', () => {
  it('follows XDG_CACHE_HOME, then HOME, and can be turned off', () => {
    expect(codeCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/ferry/v8');
    expect(codeCacheDir({ HOME: '/h' })).toBe('/h/.cache/ferry/v8');
    expect(codeCacheDir({ HOME: '/h', FERRY_NO_CODE_CACHE: '1' })).toBeUndefined();
  });

  it('is named after the command', () => {
    expect(cacheName(['node', 'ferry', '--debug', 'copy', 'a', 'b'])).toBe('copy');
    expect(cacheName(['node', 'ferry', '--version'])).toBe('cli');
    expect(cacheName(['node', 'ferry', '../../etc/passwd'])).toBe('cli');
  });
});
