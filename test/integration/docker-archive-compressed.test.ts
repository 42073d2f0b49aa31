// Compressed docker-archive sources (`docker save | xz > a.tar.xz`), made with the real
// command-line tools, copied by ferry into the real registry and read back by skopeo.
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferryJson, ferryOk, oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildImage, type BuiltImage } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { dockerRef, skopeo, skopeoCopy, skopeoInspectRaw, skopeoListTags } from '../support/skopeo.js';

const TOOLS = {
  gz: ['gzip', '-c'],
  bz2: ['bzip2', '-c'],
  xz: ['xz', '-1', '-c'],
  zst: ['zstd', '-q', '-c'],
} as const;
type Ext = keyof typeof TOOLS;

function compress(plain: string, ext: Ext): string {
  const [cmd, ...args] = TOOLS[ext];
  const out = `${plain}.${ext}`;
  const run = spawnSync('sh', ['-c', `${cmd} ${args.join(' ')} "$1" > "$2"`, 'sh', plain, out]);
  if (run.status !== 0) throw new Error(`${cmd} failed: ${String(run.stderr)}`);
  return out;
}

describe('compressed docker-archive sources', () => {
  let registry: RunningRegistry;
  let image: BuiltImage;
  let work: string;
  /** skopeo's archive (legacy <id>/layer.tar layout) and ferry's (docker 25 blobs/sha256 layout). */
  const archives: Record<'legacy' | 'oci', string> = { legacy: '', oci: '' };
  const plainDigest: Record<'legacy' | 'oci', string> = { legacy: '', oci: '' };

  beforeAll(async () => {
    [registry, image, work] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      buildImage({
        layers: [{ files: { 'etc/app.conf': 'name=app\n' } }, { random: { size: 1536 * 1024, seed: 'one' } }, { random: { size: 1200 * 1024, seed: 'two' } }],
      }),
      scratchDir('compressed-archive'),
    ]);
    archives.legacy = join(work, 'legacy.tar');
    archives.oci = join(work, 'oci.tar');
    await skopeoCopy(image.ociRef, `docker-archive:${archives.legacy}:team/app:v1`);
    await ferryOk(['copy', '-q', image.ociRef, `docker-archive:${archives.oci}:team/app:v1`]);
    for (const kind of ['legacy', 'oci'] as const) {
      const run = await ferryOk(['copy', '-q', `docker-archive:${archives[kind]}`, dockerRef(registry, `plain/${kind}:v1`)]);
      plainDigest[kind] = run.stdout.trim();
    }
  });
  afterAll(() => registry?.stop());

  for (const kind of ['legacy', 'oci'] as const) {
    for (const ext of Object.keys(TOOLS) as Ext[]) {
      it(`${kind} archive .tar.${ext}: copied to the registry with the same digest as the plain one, and skopeo reads it back`, async () => {
        const packed = compress(archives[kind], ext);
        const run = await ferryOk(['copy', '-q', `docker-archive:${packed}`, dockerRef(registry, `packed/${kind}:${ext}`)]);
        expect(run.stdout.trim()).toBe(plainDigest[kind]);
        // skopeo pulls every blob again, verifying each digest
        await skopeoCopy(dockerRef(registry, `packed/${kind}:${ext}`), `oci:${join(work, `back-${kind}-${ext}`)}:v1`, { src: registry });
        const raw = JSON.parse(await skopeoInspectRaw(registry, `packed/${kind}:${ext}`)) as { layers: unknown[] };
        expect(raw.layers).toHaveLength(3);
      });
    }
  }

  it('a truncated .tar.xz fails with one line and tags nothing', async () => {
    const packed = compress(archives.legacy, 'xz');
    const cut = join(work, 'cut.tar.xz');
    const bytes = await readFile(packed);
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    const run = await runFerry(['copy', '-q', `docker-archive:${cut}`, dockerRef(registry, 'packed/cut:v1')]);
    expect(oneLineError(run)).toMatch(/^ferry: \[ERR_COMPRESSION\] docker-archive:.*cut\.tar\.xz: xz decompression: /);
    await expect(skopeoListTags(registry, 'packed/cut')).rejects.toThrow(/NAME_UNKNOWN|404/);
  });

  it('a .tar.gz with flipped bytes inside a layer fails with one line and tags nothing', async () => {
    const packed = compress(archives.oci, 'gz');
    const bad = join(work, 'bad.tar.gz');
    const bytes = Buffer.from(await readFile(packed));
    for (let i = bytes.length >> 1; i < (bytes.length >> 1) + 32; i++) bytes[i] = bytes[i]! ^ 0xff;
    await writeFile(bad, bytes);
    const run = await runFerry(['copy', '-q', `docker-archive:${bad}`, dockerRef(registry, 'packed/bad:v1')]);
    expect(oneLineError(run)).toMatch(/bad\.tar\.gz: gzip decompression: /);
    await expect(skopeoListTags(registry, 'packed/bad')).rejects.toThrow(/NAME_UNKNOWN|404/);
  });

  it('list-tags of a compressed archive prints what skopeo prints', async () => {
    const packed = compress(archives.legacy, 'bz2');
    const mine = await ferryJson<Record<string, unknown>>(['list-tags', `docker-archive:${packed}`]);
    const theirs = JSON.parse(await skopeo(['list-tags', `docker-archive:${packed}`])) as Record<string, unknown>;
    expect(mine).toEqual(theirs);
    expect(mine).toEqual({ Tags: ['docker.io/team/app:v1'] });
  });
});
