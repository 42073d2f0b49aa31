// Two ferry processes writing one OCI layout keep each other's index.json entries
// (the index is rewritten under a lock), and a lock left by a killed process does not
// block the layout.
import { spawnSync } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { copy } from '../../src/copy/copy.js';
import { describeRun, runFerry } from '../support/ferry-cli.js';
import { buildImage, type BuiltImage } from '../support/fixtures.js';
import { scratchDir } from '../support/scratch.js';
import { leftoverTempFiles } from '../support/stored-image.js';

const REF = 'org.opencontainers.image.ref.name';
let images: BuiltImage[];

beforeAll(async () => {
  images = await Promise.all(['x', 'y'].map((tag, i) => buildImage({ tag, labels: { which: tag }, platform: i ? 'linux/arm64' : 'linux/amd64' })));
});

async function indexEntries(layout: string): Promise<Record<string, string>> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
  return Object.fromEntries(index.manifests.map((m) => [m.annotations?.[REF] ?? '', m.digest]));
}

describe('concurrent writers of one oci: layout', () => {
  it('keep both tags, every time', async () => {
    for (let round = 0; round < 6; round++) {
      const layout = join(await scratchDir('lock-e2e'), 'layout');
      const runs = await Promise.all(images.map((image) => runFerry(['copy', '--quiet', image.ociRef, `oci:${layout}:${image.tag}`])));
      for (const run of runs) expect(run.code, describeRun(run)).toBe(0);
      expect(await indexEntries(layout)).toEqual({ x: images[0]!.digest, y: images[1]!.digest });
      expect(await readdir(layout)).not.toContain('index.json.lock');
      expect(await leftoverTempFiles(layout)).toEqual([]);
    }
  });

  it('keep every tag when many copies commit at once (in one process their read-modify-writes interleave)', async () => {
    const layout = join(await scratchDir('lock-many'), 'layout');
    const tags = Array.from({ length: 12 }, (_, i) => `t${i}`);
    await Promise.all(tags.map((tag, i) => copy(images[i % 2]!.ociRef, `oci:${layout}:${tag}`)));
    const entries = await indexEntries(layout);
    expect(Object.keys(entries).sort()).toEqual([...tags].sort());
    for (const [i, tag] of tags.entries()) expect(entries[tag]).toBe(images[i % 2]!.digest);
  });

  it('a lock file left by a process that died does not block the next copy', async () => {
    const layout = join(await scratchDir('lock-stale'), 'layout');
    const first = await runFerry(['copy', '--quiet', images[0]!.ociRef, `oci:${layout}:x`]);
    expect(first.code, describeRun(first)).toBe(0);
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(join(layout, 'index.json.lock'), JSON.stringify({ pid: dead, host: hostname(), created: Date.now() }));
    // well under the one-minute age bound: the lock is taken over because its pid is gone
    const run = await runFerry(['copy', '--quiet', images[1]!.ociRef, `oci:${layout}:y`], { timeoutMs: 30_000 });
    expect(run.code, describeRun(run)).toBe(0);
    expect(await indexEntries(layout)).toEqual({ x: images[0]!.digest, y: images[1]!.digest });
    expect(await readdir(layout)).not.toContain('index.json.lock');
  });
});
