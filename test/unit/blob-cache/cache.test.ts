import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobLocationCache } from '../../../src/blob-cache/cache.js';
import { CACHE_LIMITS } from '../../../src/blob-cache/compact.js';
import { parseLog, serializeRecord } from '../../../src/blob-cache/records.js';
import { blobCacheDir } from '../../../src/blob-cache/session.js';
import { LOG_FILE, loadLog } from '../../../src/blob-cache/store.js';
import { scratchDir } from '../../support/scratch.js';

const d = (n: number): `sha256:${string}` => `sha256:${n.toString(16).padStart(64, '0')}`;
const REG = '127.0.0.1:5000';
const at = (repository: string) => ({ registry: REG, repository });

describe('BlobLocationCache', () => {
  const limits = { ...CACHE_LIMITS };
  afterEach(() => Object.assign(CACHE_LIMITS, limits));

  it('remembers across instances, most recently seen first, per registry', async () => {
    const dir = join(await scratchDir('bc'), 'nested', 'ferry');
    let t = 1_800_000_000_000;
    const first = new BlobLocationCache(dir, { now: () => t });
    first.recordLocation(d(1), at('a'));
    t += 2 * 3600 * 1000;
    first.recordLocation(d(1), at('b'));
    first.recordLocation(d(1), { registry: 'other.example', repository: 'c' });
    await first.flush();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, LOG_FILE))).mode & 0o777).toBe(0o600);

    const second = new BlobLocationCache(dir, { now: () => t });
    expect(await second.repositoriesWith(d(1), REG)).toEqual(['b', 'a']);
    expect(await second.repositoriesWith(d(1), 'other.example')).toEqual(['c']);
    expect(await second.repositoriesWith(d(2), REG)).toEqual([]);
    second.forgetLocation(d(1), at('b'));
    expect(await second.repositoriesWith(d(1), REG)).toEqual(['a']);
  });

  it('writes a location seen again within the hour only once', async () => {
    const dir = await scratchDir('bc');
    let t = 1_800_000_000_000;
    const cache = new BlobLocationCache(dir, { now: () => t });
    cache.recordLocation(d(1), at('a'));
    await cache.flush();
    t += 60_000;
    cache.recordLocation(d(1), at('a'));
    await cache.flush();
    t += 3600 * 1000;
    cache.recordLocation(d(1), at('a'));
    await cache.flush();
    expect(parseLog(await readFile(join(dir, LOG_FILE), 'utf8'))).toHaveLength(2);
  });

  it('finds compressed forms by uncompressed digest, format and level', async () => {
    const dir = await scratchDir('bc');
    const cache = new BlobLocationCache(dir);
    cache.recordVariant({ uncompressed: d(10), digest: d(11), size: 5, compression: 'gzip', level: 'unknown' });
    cache.recordVariant({ uncompressed: d(10), digest: d(12), size: 4, compression: 'zstd', level: 'default' });
    cache.recordVariant({ uncompressed: d(10), digest: d(13), size: 3, compression: 'zstd', level: 19 });
    await cache.flush();
    const again = new BlobLocationCache(dir);
    expect(await again.uncompressedOf(d(11))).toBe(d(10));
    expect(await again.uncompressedOf(d(10))).toBeUndefined();
    const zstd = await again.variantsOf(d(10), 'zstd', () => true);
    expect(zstd.map((v) => v.digest).sort()).toEqual([d(12), d(13)]);
    expect((await again.variantsOf(d(10), 'zstd', (l) => l === 19)).map((v) => [v.digest, v.size])).toEqual([[d(13), 3]]);
  });

  it('a corrupt log is read for what parses, and appended to', async () => {
    const dir = await scratchDir('bc');
    const good = serializeRecord({ kind: 'location', digest: d(1), registry: REG, repository: 'ok', seen: Date.now() });
    await writeFile(join(dir, LOG_FILE), Buffer.concat([Buffer.from([0, 255, 254, 10]), Buffer.from(`{"f":1,"t":\n${good}\n{{{{\n`)]));
    const cache = new BlobLocationCache(dir);
    expect(await cache.repositoriesWith(d(1), REG)).toEqual(['ok']);
    cache.recordLocation(d(2), at('new'));
    await cache.flush();
    expect(await new BlobLocationCache(dir).repositoriesWith(d(2), REG)).toEqual(['new']);
  });

  it('a cache directory that cannot be made or read is an empty cache, and flush does not throw', async () => {
    const root = await scratchDir('bc');
    await writeFile(join(root, 'file'), 'x');
    const logs: string[] = [];
    const cache = new BlobLocationCache(join(root, 'file', 'ferry'), { log: (l) => logs.push(l) });
    expect(await cache.repositoriesWith(d(1), REG)).toEqual([]);
    cache.recordLocation(d(1), at('a'));
    await expect(cache.flush()).resolves.toBeUndefined();
    expect(logs.join('\n')).toMatch(/not written/);
    // a directory in place of the log file
    const dir = await scratchDir('bc');
    await mkdir(join(dir, LOG_FILE));
    const blocked = new BlobLocationCache(dir);
    expect(await blocked.repositoriesWith(d(1), REG)).toEqual([]);
    blocked.recordLocation(d(1), at('a'));
    await expect(blocked.flush()).resolves.toBeUndefined();
  });

  it('reads only the newest bytes of a log over the load bound', async () => {
    const dir = await scratchDir('bc');
    const now = Date.now();
    const lines = Array.from({ length: 200 }, (_, i) => serializeRecord({ kind: 'location', digest: d(i), registry: REG, repository: 'r', seen: now - 1000 + i }));
    await writeFile(join(dir, LOG_FILE), `${lines.join('\n')}\n`);
    const { records } = await loadLog(dir, 50 * 150);
    expect(records.length).toBeGreaterThan(30);
    expect(records.length).toBeLessThan(60);
    expect(records.at(-1)).toMatchObject({ digest: d(199) });
  });

  it('compacts the log once it outgrows its bound, keeping the newest', async () => {
    const dir = await scratchDir('bc');
    CACHE_LIMITS.compactAboveBytes = 20_000;
    CACHE_LIMITS.compactToBytes = 5_000;
    let t = 1_800_000_000_000;
    const cache = new BlobLocationCache(dir, { now: () => t });
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 60; i++) cache.recordLocation(d(round * 100 + i), at('repo'));
      t += 1000;
      await cache.flush();
    }
    const text = await readFile(join(dir, LOG_FILE), 'utf8');
    expect(text.length).toBeLessThanOrEqual(20_000 + 60 * 150);
    const kept = parseLog(text);
    expect(kept.some((r) => r.digest === d(359))).toBe(true);
    expect(kept.some((r) => r.digest === d(0))).toBe(false);
    expect(text.split('\n').filter(Boolean).length).toBe(kept.length);
  });
});

describe('blobCacheDir', () => {
  it('follows the option, FERRY_CACHE_DIR, XDG_CACHE_HOME (absolute only), then HOME', () => {
    expect(blobCacheDir({ cacheDir: '/x', env: { FERRY_CACHE_DIR: '/y' } })).toBe('/x');
    expect(blobCacheDir({ env: { FERRY_CACHE_DIR: '/y', XDG_CACHE_HOME: '/z' } })).toBe('/y');
    expect(blobCacheDir({ env: { XDG_CACHE_HOME: '/z', HOME: '/h' } })).toBe('/z/ferry');
    expect(blobCacheDir({ env: { XDG_CACHE_HOME: 'relative', HOME: '/h' } })).toBe('/h/.cache/ferry');
    expect(blobCacheDir({ env: { HOME: '/h' }, homedir: '/home/me' })).toBe('/home/me/.cache/ferry');
  });
});
