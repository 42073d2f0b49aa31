// The blob-location cache against a real registry: the promotion flow (one image into
// a second and third repository of one registry) mounts every blob from where the
// first copy put it; a stale or corrupt cache, or one pointing at a repository the
// credentials may not read, costs requests but never the copy; --no-cache neither reads
// nor writes it. Each test runs ferry with a cache directory of its own.
import { randomUUID } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecord, serializeRecord } from '../../src/blob-cache/records.js';
import { LOG_FILE } from '../../src/blob-cache/store.js';
import { formatAccessLog, type AccessLogEntry } from '../support/access-log.js';
import { ferryOk } from '../support/ferry-cli.js';
import { buildImage, type BuiltImage } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { skopeoInspectRaw } from '../support/skopeo.js';

const isMount = (e: AccessLogEntry) => e.method === 'POST' && e.uri.includes('mount=');
const isBodyUpload = (e: AccessLogEntry) => (e.method === 'PUT' || e.method === 'PATCH') && e.path.includes('/blobs/uploads/');
const toRepo = (repo: string) => (e: AccessLogEntry) => e.path.startsWith(`/v2/${repo}/`);

async function sixLayerImage(tag: string): Promise<BuiltImage> {
  const seed = randomUUID();
  return buildImage({ layers: Array.from({ length: 3 }, (_, i) => ({ files: { [`f${i}.txt`]: `${seed} ${tag} ${i}\n` }, random: { size: 24 * 1024, seed: `${seed}-${i}` } })) });
}

async function cacheEnv(): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = await scratchDir('blob-cache-test');
  return { dir, env: { FERRY_CACHE_DIR: dir } };
}

describe('blob-location cache, plain registry', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ mode: 'plain' });
  });
  afterAll(async () => {
    await registry?.stop();
  });
  const ref = (repoTag: string) => `docker://${registry.ref(repoTag)}`;

  it('the second and third copy into new repositories mount every blob from where the first put it', async () => {
    const image = await sixLayerImage('promote');
    const { dir, env } = await cacheEnv();
    const blobs = image.layers.length + 1;
    await ferryOk(['copy', '--quiet', image.ociRef, ref('promote/dev:v1')], { env });

    for (const [repo, from] of [['promote/test', 'promote%2Fdev'], ['promote/prod', 'promote%2Ftest']] as const) {
      const mark = await registry.mark();
      const run = await ferryOk(['copy', '--progress', 'plain', image.ociRef, ref(`${repo}:v1`)], { env });
      const log = (await registry.accessLog(mark)).filter(toRepo(repo));
      const context = formatAccessLog(log);
      const mounts = log.filter(isMount);
      expect(mounts.length, context).toBe(blobs);
      expect(mounts.every((e) => e.status === 201), context).toBe(true);
      // the most recently seen repository is asked first
      expect(mounts.every((e) => e.uri.includes(`from=${from}`)), context).toBe(true);
      expect(log.filter(isBodyUpload), context).toEqual([]);
      expect(run.stderr).toMatch(/Mounted blob|mounted/i);
      expect(await skopeoInspectRaw(registry, `${repo}:v1`)).toBe(image.manifestBytes.toString());
    }
    const lines = (await readFile(join(dir, LOG_FILE), 'utf8')).split('\n').filter(Boolean);
    expect(lines.every((l) => parseRecord(l) !== undefined)).toBe(true);
  });

  it('a cached repository that no longer has the blob costs one mount request, whose upload the copy then uses', async () => {
    const image = await sixLayerImage('stale');
    const { env } = await cacheEnv();
    const blobs = image.layers.length + 1;
    await ferryOk(['copy', '--quiet', image.ociRef, ref('stale/old:v1')], { env });
    // the repository loses every blob (as after a delete and garbage collection)
    for (const d of [image.config, ...image.layers].map((b) => b.digest)) {
      const res = await fetch(`${registry.url}/v2/stale/old/blobs/${d}`, { method: 'DELETE' });
      expect(res.status).toBe(202);
    }
    const mark = await registry.mark();
    const run = await ferryOk(['copy', '--quiet', image.ociRef, ref('stale/new:v1')], { env });
    expect(run.stdout.trim()).toBe(image.digest);
    const log = (await registry.accessLog(mark)).filter(toRepo('stale/new'));
    const context = formatAccessLog(log);
    const mounts = log.filter(isMount);
    expect(mounts.length, context).toBe(blobs);
    expect(mounts.every((e) => e.status === 202 && e.uri.includes('from=stale%2Fold')), context).toBe(true);
    // no POST besides the refused mounts: each 202 opened the upload its PUT used
    expect(log.filter((e) => e.method === 'POST' && !isMount(e)), context).toEqual([]);
    expect(log.filter((e) => e.method === 'PUT' && e.path.includes('/blobs/uploads/')).length, context).toBe(blobs);
    expect(await skopeoInspectRaw(registry, 'stale/new:v1')).toBe(image.manifestBytes.toString());
  });

  it('a corrupt cache file is ignored: the copy uploads and the file is readable afterwards', async () => {
    const image = await sixLayerImage('corrupt');
    const { dir, env } = await cacheEnv();
    await writeFile(join(dir, LOG_FILE), Buffer.concat([Buffer.from('{"f":1,"t":17000\n\u0000\u0001garbage{{{\n'), Buffer.alloc(64, 0xff), Buffer.from('\n[1,2]\n')]));
    const mark = await registry.mark();
    const run = await ferryOk(['copy', '--quiet', image.ociRef, ref('corrupt/app:v1')], { env });
    expect(run.stdout.trim()).toBe(image.digest);
    expect(run.stderr).toBe('');
    const log = (await registry.accessLog(mark)).filter(toRepo('corrupt/app'));
    expect(log.filter(isMount)).toEqual([]);
    // what this copy learnt was appended after the garbage and is found again
    const mark2 = await registry.mark();
    await ferryOk(['copy', '--quiet', image.ociRef, ref('corrupt/next:v1')], { env });
    const next = (await registry.accessLog(mark2)).filter(toRepo('corrupt/next'));
    expect(next.filter(isMount).every((e) => e.status === 201), formatAccessLog(next)).toBe(true);
    expect(next.filter(isMount).length).toBe(image.layers.length + 1);
  });

  it('two ferry processes writing one cache at once leave it readable, each copy recorded', async () => {
    const [one, two] = await Promise.all([sixLayerImage('c1'), sixLayerImage('c2')]);
    const { dir, env } = await cacheEnv();
    await Promise.all([
      ferryOk(['copy', '--quiet', one.ociRef, ref('conc/one:v1')], { env }),
      ferryOk(['copy', '--quiet', two.ociRef, ref('conc/two:v1')], { env }),
    ]);
    const lines = (await readFile(join(dir, LOG_FILE), 'utf8')).split('\n').filter(Boolean);
    const records = lines.map(parseRecord);
    expect(records.every((r) => r !== undefined), lines.join('\n')).toBe(true);
    const repos = new Set(records.map((r) => (r?.kind === 'location' ? r.repository : '')));
    expect(repos).toContain('conc/one');
    expect(repos).toContain('conc/two');
    for (const [image, repo] of [[one, 'conc/one'], [two, 'conc/two']] as const) {
      const digests = new Set(records.filter((r) => r?.kind === 'location' && r.repository === repo).map((r) => r?.digest));
      expect([...digests].sort()).toEqual([image.config, ...image.layers].map((b) => b.digest).sort());
    }
  });

  it('--no-cache neither reads nor writes the cache', async () => {
    const image = await sixLayerImage('nocache');
    const { dir, env } = await cacheEnv();
    await ferryOk(['copy', '--quiet', image.ociRef, ref('nocache/a:v1')], { env });
    const before = await readFile(join(dir, LOG_FILE));
    const mtime = (await stat(join(dir, LOG_FILE))).mtimeMs;
    const mark = await registry.mark();
    await ferryOk(['copy', '--quiet', '--no-cache', image.ociRef, ref('nocache/b:v1')], { env });
    const log = (await registry.accessLog(mark)).filter(toRepo('nocache/b'));
    expect(log.filter(isMount), formatAccessLog(log)).toEqual([]);
    expect(log.filter(isBodyUpload).length).toBe(image.layers.length + 1);
    expect(await readFile(join(dir, LOG_FILE))).toEqual(before);
    expect((await stat(join(dir, LOG_FILE))).mtimeMs).toBe(mtime);
    // and a fresh directory is not even created
    const unused = join(await scratchDir('blob-cache-test'), 'never');
    await ferryOk(['copy', '--quiet', '--no-cache', image.ociRef, ref('nocache/c:v1')], { env: { FERRY_CACHE_DIR: unused } });
    await expect(stat(unused)).rejects.toThrow();
  });

  it('gzip → zstd again into another repository mounts the zstd layers the first recompression made', async () => {
    const image = await sixLayerImage('zstd');
    const { dir, env } = await cacheEnv();
    const first = await ferryOk(['copy', '--quiet', '--dest-compress-format', 'zstd', image.ociRef, ref('z/one:v1')], { env });
    const zstdDigest = first.stdout.trim();
    expect(zstdDigest).not.toBe(image.digest);
    const manifest = JSON.parse(await skopeoInspectRaw(registry, 'z/one:v1')) as { layers: { digest: string; mediaType: string }[] };
    expect(manifest.layers.every((l) => l.mediaType.endsWith('+zstd'))).toBe(true);

    const mark = await registry.mark();
    const second = await ferryOk(['copy', '--quiet', '--dest-compress-format', 'zstd', image.ociRef, ref('z/two:v1')], { env });
    // the same zstd layers, so the same manifest
    expect(second.stdout.trim()).toBe(zstdDigest);
    const log = (await registry.accessLog(mark)).filter(toRepo('z/two'));
    const context = formatAccessLog(log);
    const mounted = log.filter((e) => isMount(e) && e.status === 201);
    for (const layer of manifest.layers) expect(mounted.some((e) => e.uri.includes(encodeURIComponent(layer.digest)) || e.uri.includes(layer.digest)), context).toBe(true);
    // no layer was recompressed and streamed again (PATCH); only the config may be uploaded
    expect(log.filter((e) => e.method === 'PATCH'), context).toEqual([]);

    // a different level is a different request: not served by the default-level blobs
    const mark3 = await registry.mark();
    await ferryOk(['copy', '--quiet', '--dest-compress-format', 'zstd', '--dest-compress-level', '5', image.ociRef, ref('z/three:v1')], { env });
    const third = (await registry.accessLog(mark3)).filter(toRepo('z/three'));
    expect(third.filter((e) => e.method === 'PATCH').length, formatAccessLog(third)).toBe(image.layers.length);
    const lines = (await readFile(join(dir, LOG_FILE), 'utf8')).split('\n').filter(Boolean);
    expect(lines.map(parseRecord).filter((r) => r?.kind === 'variant' && r.level === 5).length).toBe(image.layers.length);
  });

  it('sync and manifest-merge use the cache too', async () => {
    const image = await sixLayerImage('sync');
    const { env } = await cacheEnv();
    const blobs = image.layers.length + 1;
    await ferryOk(['copy', '--quiet', image.ociRef, ref('sm/first:v1')], { env });
    let mark = await registry.mark();
    await ferryOk(['sync', '--quiet', `oci:${image.layoutPath}`, `docker://${registry.ref('sm/synced')}`], { env });
    let log = (await registry.accessLog(mark)).filter(toRepo('sm/synced'));
    expect(log.filter((e) => isMount(e) && e.status === 201).length, formatAccessLog(log)).toBe(blobs);
    expect(log.filter(isBodyUpload), formatAccessLog(log)).toEqual([]);

    mark = await registry.mark();
    await ferryOk(['manifest-merge', '--target', ref('sm/merged:v1'), image.ociRef], { env });
    log = (await registry.accessLog(mark)).filter(toRepo('sm/merged'));
    expect(log.filter((e) => isMount(e) && e.status === 201).length, formatAccessLog(log)).toBe(blobs);
    expect(log.filter(isBodyUpload), formatAccessLog(log)).toEqual([]);
  });

  it('a cache entry naming another registry is not used for this one', async () => {
    const image = await sixLayerImage('elsewhere');
    const { dir, env } = await cacheEnv();
    const now = Date.now();
    const foreign = [image.config, ...image.layers].map((b) => serializeRecord({ kind: 'location', digest: b.digest as `sha256:${string}`, registry: 'other.example:5000', repository: 'x/y', seen: now }));
    await writeFile(join(dir, LOG_FILE), `${foreign.join('\n')}\n`);
    const mark = await registry.mark();
    await ferryOk(['copy', '--quiet', image.ociRef, ref('elsewhere/app:v1')], { env });
    const log = (await registry.accessLog(mark)).filter(toRepo('elsewhere/app'));
    expect(log.filter(isMount)).toEqual([]);
  });
});

describe('blob-location cache, token auth', () => {
  let registry: RunningRegistry;
  const CREDS = 'ferry:ferry-test-password';
  beforeAll(async () => {
    registry = await startRegistry({
      mode: 'token',
      token: {
        users: { teamb: 'teamb-pw' },
        rules: [
          { account: 'ferry', actions: ['*'] },
          { account: 'teamb', name: 'teamb/*', actions: ['pull', 'push'] },
        ],
      },
    });
  });
  afterAll(async () => {
    await registry?.stop();
  });
  const ref = (repoTag: string) => `docker://${registry.ref(repoTag)}`;

  it('mounts from the cached repository with a token carrying pull on it', async () => {
    const image = await sixLayerImage('token');
    const { env } = await cacheEnv();
    await ferryOk(['copy', '--quiet', '--dest-creds', CREDS, image.ociRef, ref('tok/a:v1')], { env });
    const mark = await registry.mark();
    await ferryOk(['copy', '--quiet', '--dest-creds', CREDS, image.ociRef, ref('tok/b:v1')], { env });
    const log = (await registry.accessLog(mark)).filter(toRepo('tok/b'));
    const context = formatAccessLog(log);
    expect(log.filter((e) => isMount(e) && e.status === 201).length, context).toBe(image.layers.length + 1);
    expect(log.filter(isBodyUpload), context).toEqual([]);
    expect(await skopeoInspectRaw(registry, 'tok/b:v1')).toBe(image.manifestBytes.toString());
  });

  it('credentials that may not pull from the cached repository: the mount is refused once, the copy uploads', async () => {
    const image = await sixLayerImage('refused');
    const { env } = await cacheEnv();
    await ferryOk(['copy', '--quiet', '--dest-creds', CREDS, image.ociRef, ref('private/a:v1')], { env });
    const mark = await registry.mark();
    const run = await ferryOk(['copy', '--quiet', '--jobs', '1', '--dest-creds', 'teamb:teamb-pw', image.ociRef, ref('teamb/app:v1')], { env });
    expect(run.stdout.trim()).toBe(image.digest);
    const log = (await registry.accessLog(mark)).filter(toRepo('teamb/app'));
    const context = formatAccessLog(log);
    // one blob finds out (401, and the retry with a fresh token); the others do not ask again
    expect(log.filter((e) => isMount(e) && e.status !== 401), context).toEqual([]);
    expect(log.filter(isMount).length, context).toBeGreaterThanOrEqual(1);
    expect(log.filter(isMount).length, context).toBeLessThanOrEqual(2);
    expect(log.filter((e) => e.method === 'PUT' && e.path.includes('/blobs/uploads/')).length, context).toBe(image.layers.length + 1);
    expect(await skopeoInspectRaw(registry, 'teamb/app:v1')).toBe(image.manifestBytes.toString());
  });
});
