// `ferry manifest-merge` against real registries: per-platform images pushed by
// skopeo into registry A are merged into one index in registry B (and in A itself,
// where blobs are mounted). skopeo reads the result back and copies it with --all.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeManifests } from '../../src/merge/merge.js';
import { countByMethod, formatAccessLog, type AccessLogEntry } from '../support/access-log.js';
import { describeRun, ferryOk, oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildImage, buildIndex, pushWithSkopeo, type BuiltImage, type BuiltIndex } from '../support/fixtures.js';
import { probe } from '../support/http-probe.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { dockerRef, skopeoCopy, skopeoInspectRaw } from '../support/skopeo.js';

type Json = Record<string, unknown>;
interface IndexDoc {
  schemaVersion: number;
  mediaType: string;
  manifests: { mediaType: string; digest: string; size: number; platform?: Json; annotations?: Record<string, string> }[];
  annotations?: Record<string, string>;
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const ACCEPT = [OCI_INDEX, DOCKER_LIST, 'application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');

const sha256 = (bytes: string | Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const writes = (log: AccessLogEntry[]) => log.filter((e) => !['GET', 'HEAD'].includes(e.method));
const v2 = (log: AccessLogEntry[]) => log.filter((e) => e.path.startsWith('/v2/') && e.path !== '/v2/');

describe('manifest-merge', () => {
  let a: RunningRegistry;
  let b: RunningRegistry;
  let amd64: BuiltImage;
  let amd64b: BuiltImage;
  let arm64: BuiltImage;
  let armv7: BuiltImage;
  let docker: BuiltImage[];
  let multi: BuiltIndex;

  const refA = (repoTag: string) => dockerRef(a, repoTag);
  const refB = (repoTag: string) => dockerRef(b, repoTag);

  async function rawIndex(registry: RunningRegistry, repoTag: string): Promise<{ text: string; doc: IndexDoc }> {
    const text = await skopeoInspectRaw(registry, repoTag);
    return { text, doc: JSON.parse(text) as IndexDoc };
  }

  async function headStatus(registry: RunningRegistry, repo: string, reference: string): Promise<number> {
    return (await probe(`${registry.url}/v2/${repo}/manifests/${reference}`, { method: 'HEAD', headers: { accept: ACCEPT } })).status;
  }

  beforeAll(async () => {
    [a, b] = await Promise.all([startRegistry({ mode: 'plain' }), startRegistry({ mode: 'plain' })]);
    [amd64, amd64b, arm64, armv7, multi, ...docker] = await Promise.all([
      buildImage({ platform: 'linux/amd64' }),
      buildImage({ platform: 'linux/amd64', labels: { build: 'b' } }),
      buildImage({ platform: 'linux/arm64/v8' }),
      buildImage({ platform: 'linux/arm/v7' }),
      buildIndex(['linux/ppc64le', 'linux/s390x']),
      buildImage({ platform: 'linux/amd64', mediaTypes: 'docker' }),
      buildImage({ platform: 'linux/arm64/v8', mediaTypes: 'docker' }),
    ]) as [BuiltImage, BuiltImage, BuiltImage, BuiltImage, BuiltIndex, ...BuiltImage[]];
    const pushes: [BuiltImage, string][] = [
      [amd64, 'app:amd64'], [amd64b, 'app:amd64-b'], [arm64, 'app:arm64'], [armv7, 'app:armv7'],
      [docker[0]!, 'dapp:amd64'], [docker[1]!, 'dapp:arm64'],
    ];
    for (const [fixture, repoTag] of pushes) await pushWithSkopeo(fixture, a, repoTag);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('merges three images from registry A into one OCI index in registry B, platforms read from their configs', async () => {
    const mark = await b.mark();
    const run = await ferryOk(['manifest-merge', '--target', refB('app:multi'), refA('app:amd64'), refA('app:arm64'), refA('app:armv7')]);
    const log = await b.accessLog(mark);
    const digest = run.stdout.trim();
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const { text, doc } = await rawIndex(b, 'app:multi');
    expect(sha256(text)).toBe(digest);
    expect(doc).toEqual({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { mediaType: amd64.mediaType, digest: amd64.digest, size: amd64.size, platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: arm64.mediaType, digest: arm64.digest, size: arm64.size, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
        { mediaType: armv7.mediaType, digest: armv7.digest, size: armv7.size, platform: { architecture: 'arm', os: 'linux', variant: 'v7' } },
      ],
    });
    // every child arrived byte for byte
    for (const image of [amd64, arm64, armv7]) expect(Buffer.from(await skopeoInspectRaw(b, `app@${image.digest}`))).toEqual(image.manifestBytes);

    // children (blobs, then manifest) before the index, the index last
    const puts = v2(log).filter((e) => e.method === 'PUT');
    expect(puts.at(-1)?.path, formatAccessLog(log)).toBe('/v2/app/manifests/multi');
    expect(puts.filter((e) => e.path.includes('/manifests/sha256:'))).toHaveLength(3);
    // 2 blobs per image (config + layer), each HEAD + POST + PUT; per child one HEAD (the copy engine) + PUT; the index PUT
    expect(countByMethod(v2(log)), formatAccessLog(log)).toEqual({ HEAD: 9, POST: 6, PUT: 10 });

    // skopeo reads it and copies every platform out of it
    const layout = await scratchDir('merged-layout');
    await skopeoCopy(refB('app:multi'), `oci:${layout}:multi`, { src: b, all: true, preserveDigests: true });
    const layoutIndex = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as IndexDoc;
    expect(layoutIndex.manifests[0]?.digest).toBe(digest);
    for (const image of [amd64, arm64, armv7]) {
      expect(await readFile(join(layout, 'blobs', 'sha256', image.digest.slice(7)))).toEqual(image.manifestBytes);
      for (const layer of image.layers) expect((await readFile(join(layout, 'blobs', 'sha256', layer.digest.slice(7)))).length).toBe(layer.size);
    }
  });

  it('a second identical merge gives the same digest and copies nothing', async () => {
    const mark = await b.mark();
    const run = await ferryOk(['manifest-merge', '--target', refB('app:multi'), refA('app:amd64'), refA('app:arm64'), refA('app:armv7')]);
    const log = await b.accessLog(mark);
    expect(run.stdout.trim()).toBe(sha256(await skopeoInspectRaw(b, 'app:multi')));
    expect(countByMethod(v2(log)), formatAccessLog(log)).toEqual({ HEAD: 3, PUT: 1 });
  });

  it('merges by a manifest-tool YAML spec: names without docker://, extra tags, annotations, a platform override', async () => {
    const dir = await scratchDir('merge-spec');
    const spec = join(dir, 'merge.yaml');
    await writeFile(
      spec,
      [
        `image: ${b.ref('app:spec')}`,
        "tags: ['1.0', 'stable']",
        'manifests:',
        `  - image: ${a.ref('app:amd64')}`,
        `  - image: docker://${a.ref('app:arm64')}`,
        '    platform:',
        '      architecture: arm64',
        '      os: linux',
        '      variant: v8',
        `  - image: ${a.ref('app:armv7')}`,
        '    platform:',
        '      variant: v6',
        'annotations:',
        '  org.opencontainers.image.source: https://example.test/app',
        '',
      ].join('\n'),
    );
    const run = await ferryOk(['manifest-merge', '--spec', spec, '--annotation', 'org.example.build=42']);
    const digest = run.stdout.trim();
    const { text, doc } = await rawIndex(b, 'app:spec');
    expect(sha256(text)).toBe(digest);
    expect(doc.manifests.map((m) => m.platform)).toEqual([
      { architecture: 'amd64', os: 'linux' },
      { architecture: 'arm64', os: 'linux', variant: 'v8' },
      { architecture: 'arm', os: 'linux', variant: 'v6' },
    ]);
    expect(doc.annotations).toEqual({ 'org.opencontainers.image.source': 'https://example.test/app', 'org.example.build': '42' });
    for (const tag of ['1.0', 'stable']) expect(sha256(await skopeoInspectRaw(b, `app:${tag}`))).toBe(digest);
  });

  it('refuses two images for one platform with a one-line error naming both, and writes nothing', async () => {
    const mark = await b.mark();
    const run = await runFerry(['manifest-merge', '--target', refB('app:dup'), refA('app:amd64'), refA('app:arm64'), refA('app:amd64-b')]);
    const log = await b.accessLog(mark);
    expect(run.code, describeRun(run)).toBe(1);
    expect(oneLineError(run)).toBe(`ferry: [ERR_CONFLICT] two images for linux/amd64: ${refA('app:amd64')} and ${refA('app:amd64-b')}; --replace keeps the later one`);
    expect(writes(log), formatAccessLog(log)).toEqual([]);
    expect(await headStatus(b, 'app', 'dup')).toBe(404);
  });

  it('--replace keeps the later image in the earlier one\'s place, and copies only what the index lists', async () => {
    const run = await ferryOk(['manifest-merge', '--replace', '--target', refB('replaced:1'), refA('app:amd64'), refA('app:arm64'), refA('app:amd64-b')]);
    expect(run.stderrLines).toEqual([`ferry: linux/amd64: ${refA('app:amd64-b')} replaces ${refA('app:amd64')}`]);
    const { doc } = await rawIndex(b, 'replaced:1');
    expect(doc.manifests.map((m) => m.digest)).toEqual([amd64b.digest, arm64.digest]);
    expect(await headStatus(b, 'replaced', amd64b.digest)).toBe(200);
    expect(await headStatus(b, 'replaced', amd64.digest)).toBe(404);
  });

  it('--dry-run prints the index alone on stdout (its digest on stderr) and writes nothing at all', async () => {
    const mark = await b.mark();
    const markA = await a.mark();
    const run = await ferryOk(['manifest-merge', '--dry-run', '--tag', 'also', '--target', refB('dry:1'), refA('app:amd64'), refA('app:arm64')]);
    const [logB, logA] = [await b.accessLog(mark), await a.accessLog(markA)];
    // stdout parses as one JSON document (what `| jq` needs); it is the index bytes plus a newline
    expect(run.stdout.endsWith('\n')).toBe(true);
    const indexText = run.stdout.slice(0, -1);
    const digest = sha256(indexText);
    expect(run.stderrLines).toEqual([`ferry: dry run: index digest ${digest}`]);
    const doc = JSON.parse(run.stdout) as IndexDoc;
    expect(doc.manifests.map((m) => m.digest)).toEqual([amd64.digest, arm64.digest]);
    expect(writes(logB), formatAccessLog(logB)).toEqual([]);
    expect(writes(logA), formatAccessLog(logA)).toEqual([]);
    expect(v2(logB)).toEqual([]);
    expect(await headStatus(b, 'dry', '1')).toBe(404);
    expect(await headStatus(b, 'dry', amd64.digest)).toBe(404);
  });

  it('--append adds to the index at the target, and a platform given again replaces its entry', async () => {
    await ferryOk(['manifest-merge', '--target', refB('grow:1'), refA('app:amd64')]);
    let { doc } = await rawIndex(b, 'grow:1');
    expect(doc.manifests.map((m) => m.digest)).toEqual([amd64.digest]);

    await ferryOk(['manifest-merge', '--append', '--target', refB('grow:1'), refA('app:arm64'), refA('app:armv7')]);
    ({ doc } = await rawIndex(b, 'grow:1'));
    expect(doc.manifests.map((m) => m.digest)).toEqual([amd64.digest, arm64.digest, armv7.digest]);

    const run = await ferryOk(['manifest-merge', '--append', '--target', refB('grow:1'), refA('app:amd64-b')]);
    expect(run.stderrLines).toEqual([expect.stringMatching(/^ferry: linux\/amd64: .*app:amd64-b replaces docker:\/\/.*\/grow:1 \(existing sha256:/)]);
    ({ doc } = await rawIndex(b, 'grow:1'));
    expect(doc.manifests.map((m) => m.digest)).toEqual([amd64b.digest, arm64.digest, armv7.digest]);

    // appending to a tag that does not exist yet starts empty
    await ferryOk(['manifest-merge', '--append', '--target', refB('grow:new'), refA('app:arm64')]);
    expect((await rawIndex(b, 'grow:new')).doc.manifests.map((m) => m.digest)).toEqual([arm64.digest]);
  });

  it('writes a Docker manifest list with --format v2s2 from Docker images', async () => {
    const run = await ferryOk(['manifest-merge', '--format', 'v2s2', '--target', refB('dapp:list'), refA('dapp:amd64'), refA('dapp:arm64')]);
    const { text, doc } = await rawIndex(b, 'dapp:list');
    expect(sha256(text)).toBe(run.stdout.trim());
    expect(doc.mediaType).toBe(DOCKER_LIST);
    expect(doc.manifests).toEqual([
      { mediaType: docker[0]!.mediaType, size: docker[0]!.size, digest: docker[0]!.digest, platform: { architecture: 'amd64', os: 'linux' } },
      { mediaType: docker[1]!.mediaType, size: docker[1]!.size, digest: docker[1]!.digest, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
    ]);
    const layout = await scratchDir('merged-docker');
    await skopeoCopy(refB('dapp:list'), `oci:${layout}:list`, { src: b, all: true });
  });

  it('refuses --format v2s2 when a source is an OCI image, before writing anything', async () => {
    const mark = await b.mark();
    const run = await runFerry(['manifest-merge', '--format', 'v2s2', '--target', refB('dapp:mixed'), refA('dapp:amd64'), refA('app:arm64')]);
    const log = await b.accessLog(mark);
    expect(run.code, describeRun(run)).toBe(1);
    expect(oneLineError(run)).toBe(
      `ferry: [ERR_UNSUPPORTED] a Docker manifest list (v2s2) holds only Docker v2s2 images, but ${refA('app:arm64')} (${arm64.digest}) is application/vnd.oci.image.manifest.v1+json; use --format oci`,
    );
    expect(writes(log)).toEqual([]);
  });

  it('takes an index and a local layout as sources: an index contributes its children', async () => {
    const result = await mergeManifests(refB('mixed:1'), [multi.ociRef, refA('app:arm64')]);
    expect(result.pushed).toBe(true);
    expect(result.entries.map((e) => [e.digest, e.platform])).toEqual([
      [multi.images[0]!.digest, { architecture: 'ppc64le', os: 'linux' }],
      [multi.images[1]!.digest, { architecture: 's390x', os: 'linux' }],
      [arm64.digest, { architecture: 'arm64', os: 'linux', variant: 'v8' }],
    ]);
    expect(result.children.map((c) => c.outcome)).toEqual(['copied', 'copied', 'copied']);
    expect(sha256(await skopeoInspectRaw(b, 'mixed:1'))).toBe(result.digest);
    for (const image of multi.images) expect(Buffer.from(await skopeoInspectRaw(b, `mixed@${image.digest}`))).toEqual(image.manifestBytes);
  });

  it('asks the target for each child manifest once, whether the child is new or already there', async () => {
    const headsOf = (log: Awaited<ReturnType<typeof b.accessLog>>, repo: string) =>
      v2(log).filter((e) => e.method === 'HEAD' && e.uri.startsWith(`/v2/${repo}/manifests/sha256:`)).map((e) => e.uri).sort();
    let mark = await b.mark();
    const fresh = await mergeManifests(refB('once:1'), [multi.ociRef, refA('app:arm64')]);
    let log = await b.accessLog(mark);
    expect(fresh.children.map((c) => c.outcome)).toEqual(['copied', 'copied', 'copied']);
    expect(headsOf(log, 'once')).toEqual(fresh.children.map((c) => `/v2/once/manifests/${c.digest}`).sort());

    mark = await b.mark();
    const again = await mergeManifests(refB('once:2'), [multi.ociRef, refA('app:arm64')]);
    log = await b.accessLog(mark);
    expect(again.children.map((c) => c.outcome)).toEqual(['present', 'present', 'present']);
    expect(headsOf(log, 'once')).toEqual(again.children.map((c) => `/v2/once/manifests/${c.digest}`).sort());
    expect(v2(log).filter((e) => e.uri.includes('/blobs/'))).toEqual([]);
  });

  it('inside one registry, mounts the blobs instead of streaming them', async () => {
    const mark = await a.mark();
    const result = await mergeManifests(refA('merged:1'), [refA('app:amd64'), refA('app:arm64'), refA('app:armv7')]);
    const log = await a.accessLog(mark);
    expect(result.children.map((c) => c.stats?.mounted)).toEqual([2, 2, 2]);
    const posts = v2(log).filter((e) => e.method === 'POST');
    expect(posts).toHaveLength(6);
    for (const p of posts) {
      expect(p.uri).toContain('mount=');
      expect(p.status).toBe(201);
    }
    expect(v2(log).filter((e) => e.method === 'PATCH' || (e.method === 'PUT' && e.path.includes('/blobs/')))).toEqual([]);
    expect(sha256(await skopeoInspectRaw(a, 'merged:1'))).toBe(result.digest);
  });

  it('a target without a registry or a missing source is a one-line error', async () => {
    const local = await runFerry(['manifest-merge', '--target', 'oci:/tmp/x:1', refA('app:amd64')]);
    expect(local.code).toBe(1);
    expect(oneLineError(local)).toBe('ferry: [ERR_USAGE] the merge target must be a registry (docker://REGISTRY/REPOSITORY:TAG), not oci:/tmp/x:1');
    const missing = await runFerry(['manifest-merge', '--target', refB('app:nope'), refA('app:absent')]);
    expect(missing.code, describeRun(missing)).toBe(2);
    expect(oneLineError(missing)).toMatch(/^ferry: \[ERR_NOT_FOUND\] reading manifest docker:\/\/127\.0\.0\.1:\d+\/app:absent: HTTP 404 MANIFEST_UNKNOWN/);
  });

  it('pushes to a token-auth registry with plain connection flags applying to every side', async () => {
    const c = await startRegistry({ mode: 'token' });
    try {
      const creds = ['--creds', `${c.username}:${c.password}`];
      const denied = await runFerry(['manifest-merge', '--target', dockerRef(c, 'app:1'), refA('app:amd64')]);
      expect(denied.code, describeRun(denied)).toBe(1);
      oneLineError(denied);
      const run = await ferryOk(['manifest-merge', ...creds, '--target', dockerRef(c, 'app:1'), refA('app:amd64'), refA('app:arm64')]);
      expect(sha256(await skopeoInspectRaw(c, 'app:1'))).toBe(run.stdout.trim());
      // --dest-creds alone works too (the source registry needs none)
      await ferryOk(['manifest-merge', '--dest-creds', `${c.username}:${c.password}`, '--target', dockerRef(c, 'app:2'), refA('app:armv7')]);
      expect(JSON.parse(await skopeoInspectRaw(c, 'app:2')).manifests).toHaveLength(1);
    } finally {
      await c.stop();
    }
  });
});
