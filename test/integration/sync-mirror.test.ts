// The mirror engine against real registries: parallel images, unchanged tags by one HEAD
// per side, --skip-existing, --dry-run (nothing written, per the access log),
// --keep-going with a broken source image, --delete-missing, shards, skopeo's form.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncRepository } from '../../src/sync/sync.js';
import { countByMethod, formatAccessLog } from '../support/access-log.js';
import { describeRun, ferryOk, oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildImage, pushWithSkopeo, type BuiltImage } from '../support/fixtures.js';
import { probe } from '../support/http-probe.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { MANIFEST_ACCEPT } from '../support/stored-image.js';
import { dockerRef, skopeoListTags } from '../support/skopeo.js';

const TAGS = ['1.0.0', '1.0.1', '1.0.2', '1.1.0', '2.0.0', 'latest'];
const WRITES = new Set(['PUT', 'POST', 'PATCH', 'DELETE']);

async function tagDigest(registry: RunningRegistry, repo: string, tag: string): Promise<string | undefined> {
  const res = await probe(`${registry.url}/v2/${repo}/manifests/${tag}`, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } });
  return res.status === 200 ? (res.headers['docker-content-digest'] as string) : undefined;
}

function blobFile(registry: RunningRegistry, digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return join(registry.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
}

describe('ferry sync, the mirror engine', () => {
  let src: RunningRegistry;
  let dst: RunningRegistry;
  const images = new Map<string, BuiltImage>();

  beforeAll(async () => {
    [src, dst] = await Promise.all([startRegistry({ mode: 'plain' }), startRegistry({ mode: 'plain' })]);
    for (const tag of TAGS) {
      // one base layer shared by every tag, one of its own
      const img = await buildImage({ tag, layers: [{ files: { 'base.txt': 'shared base' } }, { files: { 'app.txt': `app ${tag}` } }], labels: { version: tag } });
      images.set(tag, img);
      await pushWithSkopeo(img, src, `apps/web:${tag}`);
    }
  });
  afterAll(async () => {
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  it('copies every tag with images in parallel, the shared base layer once; a rerun costs one tag list and one HEAD per tag on each side', async () => {
    const mark = await dst.mark();
    const run = await ferryOk(['sync', '--image-jobs', '3', dockerRef(src, 'apps/web'), dockerRef(dst, 'mirror/web')]);
    expect(run.stdout.split('\n').filter(Boolean).sort()).toEqual(TAGS.map((t) => `${t} ${images.get(t)!.digest}`).sort());
    for (const t of TAGS) expect(await tagDigest(dst, 'mirror/web', t)).toBe(images.get(t)!.digest);
    const uploads = (await dst.accessLog(mark)).filter((e) => e.method === 'PUT' && e.path.includes('/blobs/uploads/'));
    // per tag a config and its own layer, plus the base once
    expect(uploads).toHaveLength(TAGS.length * 2 + 1);

    const srcMark = await src.mark();
    const dstMark = await dst.mark();
    const rerun = await ferryOk(['sync', dockerRef(src, 'apps/web'), dockerRef(dst, 'mirror/web')]);
    expect(rerun.stdout.split('\n').filter(Boolean).every((l) => l.endsWith('(unchanged)'))).toBe(true);
    const srcLog = (await src.accessLog(srcMark)).filter((e) => e.path !== '/v2/');
    const dstLog = (await dst.accessLog(dstMark)).filter((e) => e.path !== '/v2/');
    // attachments: the tag list has no cosign or sha256-<hex> tags, and the referrers API is
    // asked once for the whole run (distribution answers 404, remembered per registry)
    expect(srcLog.filter((e) => e.path.includes('/referrers/'))).toHaveLength(1);
    expect(countByMethod(srcLog), formatAccessLog(srcLog)).toEqual({ GET: 2, HEAD: TAGS.length });
    // the tag list of each side once, then a HEAD per tag on each side
    expect(countByMethod(dstLog), formatAccessLog(dstLog)).toEqual({ GET: 1, HEAD: TAGS.length });
  });

  it('--skip-existing copies only tags the destination lacks, without reading the source for the others', async () => {
    await syncRepository(dockerRef(src, 'apps/web'), dockerRef(dst, 'skip/web'), { tags: '1\\.0\\..*' });
    const srcMark = await src.mark();
    const result = await syncRepository(dockerRef(src, 'apps/web'), dockerRef(dst, 'skip/web'), { skipExisting: true });
    const s = result.summary;
    expect([s.skipped, s.copied]).toEqual([3, 3]);
    const manifestReads = (await src.accessLog(srcMark)).filter((e) => e.path.includes('/manifests/'));
    expect(manifestReads.map((e) => e.path.split('/').pop()).sort()).toEqual(['1.1.0', '2.0.0', 'latest']);
  });

  it('--dry-run writes nothing and says what it would copy and delete', async () => {
    await syncRepository(dockerRef(src, 'apps/web'), dockerRef(dst, 'dry/web'), { tags: '1\\.0\\.0' });
    await pushWithSkopeo(images.get('2.0.0')!, dst, 'dry/web:0.9.0');
    const mark = await dst.mark();
    const run = await ferryOk(['sync', '--dry-run', '--delete-missing', dockerRef(src, 'apps/web'), dockerRef(dst, 'dry/web')]);
    const log = await dst.accessLog(mark);
    expect(log.filter((e) => WRITES.has(e.method)), formatAccessLog(log)).toEqual([]);
    const lines = run.stdout.split('\n').filter(Boolean).sort();
    expect(lines).toContain(`1.0.0 ${images.get('1.0.0')!.digest} (unchanged)`);
    expect(lines).toContain('1.0.1 would be copied (destination has no such tag)');
    expect(lines).toContain('0.9.0 would be deleted (source no longer has it)');
    expect(run.stderr).toMatch(/dry run, nothing written\): 5 would be copied, 1 unchanged, 0 skipped, 1 would be deleted/);
    expect((await skopeoListTags(dst, 'dry/web')).sort()).toEqual(['0.9.0', '1.0.0']);
  });

  it('--delete-missing removes only the tags the source no longer has, never another tag\'s manifest', async () => {
    await syncRepository(dockerRef(src, 'apps/web'), dockerRef(dst, 'prune/web'));
    // an old tag on the same manifest as a tag that stays
    await pushWithSkopeo(images.get('1.0.0')!, dst, 'prune/web:0.1.0');
    const run = await ferryOk(['sync', '--delete-missing', dockerRef(src, 'apps/web'), dockerRef(dst, 'prune/web')]);
    expect(run.stdout).toContain('0.1.0 deleted (source no longer has it)');
    expect((await skopeoListTags(dst, 'prune/web')).sort()).toEqual([...TAGS].sort());
    expect(await tagDigest(dst, 'prune/web', '1.0.0')).toBe(images.get('1.0.0')!.digest);
  });

  it('three shards together copy every tag exactly once, reporting NDJSON', async () => {
    const mark = await dst.mark();
    const runs = [];
    for (const i of [0, 1, 2]) runs.push(await ferryOk(['sync', '--progress', 'json', '--shard', `${i}/3`, dockerRef(src, 'apps/web'), dockerRef(dst, 'sharded/web')]));
    // NDJSON: one object per image, then the summary
    const events = runs.map((r) => r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; tag?: string; status?: string; copied?: number }));
    for (const e of events) expect(e.at(-1)).toMatchObject({ type: 'summary', copied: e.length - 1 });
    const images = events.flatMap((e) => e.filter((x) => x.type === 'image'));
    expect(images.every((x) => x.status === 'copied')).toBe(true);
    expect(images.map((x) => x.tag).sort()).toEqual([...TAGS].sort());
    const tagPuts = (await dst.accessLog(mark)).filter((e) => e.method === 'PUT' && e.path.includes('/manifests/')).map((e) => e.path.split('/').pop());
    expect(tagPuts.sort()).toEqual([...TAGS].sort());
  });

  it('skopeo\'s form: last path component, --append-suffix, --digestfile', async () => {
    const run = await ferryOk(['sync', '--src', 'docker', '--dest', 'docker', '--append-suffix', '-m', src.ref('apps/web'), `${dst.host}/skopeo-form`]);
    expect(run.code).toBe(0);
    expect((await skopeoListTags(dst, 'skopeo-form/web')).sort()).toEqual(TAGS.map((t) => `${t}-m`).sort());
    const folder = await scratchDir('sync-dir');
    const digestFile = join(folder, 'digests');
    const scoped = await ferryOk(['sync', '--src', 'docker', '--dest', 'dir', '--scoped', '--digestfile', digestFile, `${src.ref('apps/web')}:1.0.0`, folder]);
    const image = `dir:${folder}/${src.host}/apps/web:1.0.0`;
    expect(scoped.stdout.trim()).toBe(`${image} ${images.get('1.0.0')!.digest}`);
    expect(await readFile(digestFile, 'utf8')).toBe(`${images.get('1.0.0')!.digest} ${image}\n`);
    // back into a registry: images found under the folder, named by their path below it
    const back = await ferryOk(['sync', '--src', 'dir', '--dest', 'docker', join(folder, src.host, 'apps'), `${dst.host}/from-dir`]);
    expect(back.stdout.trim()).toBe(`docker://${dst.host}/from-dir/web:1.0.0 ${images.get('1.0.0')!.digest}`);
  });

  it('skopeo\'s form between layouts: --src oci into --dest oci and dir, a rerun unchanged, --skip-existing on dir folders', async () => {
    const folder = await scratchDir('sync-oci');
    await ferryOk(['sync', '-q', '--tags', '1\\.0\\..*', dockerRef(src, 'apps/web'), `oci:${join(folder, 'in', 'web')}`]);
    const toOci = await ferryOk(['sync', '--src', 'oci', '--dest', 'oci', join(folder, 'in', 'web'), join(folder, 'out')]);
    expect(toOci.stdout.split('\n').filter(Boolean).sort()).toEqual(['1.0.0', '1.0.1', '1.0.2'].map((t) => `oci:${join(folder, 'out', 'web')}:${t} ${images.get(t)!.digest}`));
    const again = await ferryOk(['sync', '--src', 'oci', '--dest', 'oci', join(folder, 'in', 'web'), join(folder, 'out')]);
    expect(again.stdout.split('\n').filter(Boolean).every((l) => l.endsWith('(unchanged)'))).toBe(true);
    await ferryOk(['sync', '--src', 'oci', '--dest', 'dir', '--tags', '1\\.0\\.0', join(folder, 'in', 'web'), join(folder, 'dirs')]);
    const skip = await ferryOk(['sync', '--src', 'oci', '--dest', 'dir', '--skip-existing', join(folder, 'in', 'web'), join(folder, 'dirs')]);
    const lines = skip.stdout.split('\n').filter(Boolean).sort();
    expect(lines[0]).toBe(`dir:${join(folder, 'dirs', 'web')}:1.0.0 (skipped: destination tag exists)`);
    expect(lines.slice(1)).toEqual(['1.0.1', '1.0.2'].map((t) => `dir:${join(folder, 'dirs', 'web')}:${t} ${images.get(t)!.digest}`));
  });

  it('a whole registry: the catalog, narrowed by --repos', async () => {
    await pushWithSkopeo(images.get('latest')!, src, 'other/thing:1');
    const result = await syncRepository(`docker://${src.host}`, `docker://${dst.host}/everything`, { repos: 'apps/.*' });
    expect(result.synced).toHaveLength(TAGS.length);
    expect((await skopeoListTags(dst, 'everything/apps/web')).sort()).toEqual([...TAGS].sort());
    expect(await tagDigest(dst, 'everything/other/thing', '1')).toBeUndefined();
  });

  it('--keep-going tries every image when a source blob is gone, then fails with a summary; without it, the first failure stops the run', async () => {
    await pushWithSkopeo(images.get('1.0.1')!, src, 'broken/web:good');
    await pushWithSkopeo(images.get('1.0.2')!, src, 'broken/web:bad');
    await rm(blobFile(src, images.get('1.0.2')!.manifest.layers[1]!.digest));
    // --no-cache: earlier tests put these layers in other repositories of dst, and a mount would hide the broken source
    const run = await runFerry(['sync', '--keep-going', '--no-cache', dockerRef(src, 'broken/web'), dockerRef(dst, 'broken/web')]);
    expect(run.code, describeRun(run)).not.toBe(0);
    expect(await tagDigest(dst, 'broken/web', 'good')).toBe(images.get('1.0.1')!.digest);
    expect(await tagDigest(dst, 'broken/web', 'bad')).toBeUndefined();
    expect(run.stderr).toMatch(/sync: 1 copied, 0 unchanged, 0 skipped, 1 failed, 0 deleted/);
    expect(run.stderr).toContain(`ferry: failed docker://${dst.host}/broken/web:bad: tag bad: `);
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(/^ferry: \[ERR_[A-Z_]+\] sync: 1 of 2 images failed$/);

    const stop = await runFerry(['sync', '-q', '--no-cache', dockerRef(src, 'broken/web'), dockerRef(dst, 'broken2/web')]);
    expect(oneLineError(stop)).toMatch(/^ferry: \[ERR_[A-Z_]+\] tag bad: /);
  });
});
