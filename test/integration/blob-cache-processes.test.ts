// Many processes appending to one blob-location cache while some of them compact it
// (a bound made tiny for the test): the log stays a sequence of whole, valid lines within
// its bound. (Lines appended in the instant between a compaction's last read and its
// rename are lost; a cache may forget, docs/blob-cache.md.)
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseRecord } from '../../src/blob-cache/records.js';
import { LOG_FILE } from '../../src/blob-cache/store.js';
import { REPO_ROOT } from '../support/ferry-cli.js';
import { scratchDir } from '../support/scratch.js';

const WRITER = `
const [cacheUrl, compactUrl, dir, id, rounds] = process.argv.slice(1);
const { BlobLocationCache } = await import(cacheUrl);
const { CACHE_LIMITS } = await import(compactUrl);
CACHE_LIMITS.compactAboveBytes = 30_000;
CACHE_LIMITS.compactToBytes = 10_000;
for (let r = 0; r < Number(rounds); r++) {
  const cache = new BlobLocationCache(dir);
  await cache.load();
  for (let i = 0; i < 40; i++) {
    const n = Number(id) * 1_000_000 + r * 1000 + i;
    cache.recordLocation('sha256:' + n.toString(16).padStart(64, '0'), { registry: 'reg.example', repository: 'writer' + id });
  }
  await cache.flush();
}
`;

function runWriter(dir: string, id: number, rounds: number): Promise<number | null> {
  const dist = (f: string) => pathToFileURL(join(REPO_ROOT, 'dist', 'blob-cache', f)).href;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, dist('cache.js'), dist('compact.js'), dir, String(id), String(rounds)], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

describe('blob-location cache shared by several processes', () => {
  it('stays whole lines of valid records while six writers append and compact at once', async () => {
    const dir = await scratchDir('blob-cache-procs');
    const codes = await Promise.all(Array.from({ length: 6 }, (_, id) => runWriter(dir, id, 15)));
    expect(codes).toEqual([0, 0, 0, 0, 0, 0]);
    const text = await readFile(join(dir, LOG_FILE), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.split('\n').filter(Boolean);
    const bad = lines.filter((l) => parseRecord(l) === undefined);
    expect(bad).toEqual([]);
    // compaction ran (6 × 15 × 40 records would be far over the bound otherwise)
    expect(lines.length).toBeLessThan(6 * 15 * 40);
    // bounded: at most the compaction target plus what was appended since the last compaction
    expect(text.length).toBeLessThan(30_000 + 6 * 40 * 200);
  });
});
