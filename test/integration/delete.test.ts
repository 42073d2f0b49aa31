// `ferry delete` against real distribution 2.8 registries: deletion enabled,
// deletion disabled (405 UNSUPPORTED) and token auth with users who may not delete.
// The CLI runs as a user runs it (bin/ferry); skopeo and raw HTTP check the outcome.
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteImage } from '../../src/delete/delete.js';
import { countByMethod, formatAccessLog } from '../support/access-log.js';
import { describeRun, ferryOk, ferryRegistryFlags, oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildImage, pushWithSkopeo, type BuiltImage } from '../support/fixtures.js';
import { probe } from '../support/http-probe.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { dockerRef, skopeoInspectRaw, skopeoListTags } from '../support/skopeo.js';

const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** Status of a manifest HEAD on a plain registry, with every manifest type accepted. */
async function manifestStatus(registry: RunningRegistry, repo: string, reference: string): Promise<number> {
  return (await probe(`${registry.url}/v2/${repo}/manifests/${reference}`, { method: 'HEAD', headers: { accept: ACCEPT } })).status;
}

/** The manifest revisions a repository links (a DELETE by digest removes the link file, not its folder). */
async function revisions(registry: RunningRegistry, repo: string): Promise<string[]> {
  const dir = join(registry.storageDir, 'docker/registry/v2/repositories', repo, '_manifests/revisions/sha256');
  const linked = await Promise.all(
    (await readdir(dir).catch(() => [])).map(async (hex) => ((await readdir(join(dir, hex))).includes('link') ? `sha256:${hex}` : undefined)),
  );
  return linked.filter((d): d is string => d !== undefined).sort();
}

async function tagsOf(registry: RunningRegistry, repo: string): Promise<string[]> {
  return (await skopeoListTags(registry, repo)).sort();
}

describe('delete on a registry with deletion enabled', () => {
  let registry: RunningRegistry;
  let image: BuiltImage;
  let other: BuiltImage;

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'plain' });
    [image, other] = await Promise.all([
      buildImage({ labels: { 'org.example.fixture': 'delete' } }),
      buildImage({ labels: { 'org.example.fixture': 'delete-other' }, layers: [{ files: { 'other.txt': 'other\n' } }] }),
    ]);
    // bydigest:keep and whole:other hold a different image: a digest delete must not touch them
    const pushes: [string, BuiltImage][] = [
      ['bydigest:one', image], ['bydigest:two', image], ['bydigest:keep', other],
      ['tagonly:drop', image], ['tagonly:keep', image], ['tagonly:other', other],
      ['whole:a', image], ['whole:b', image], ['whole:other', other],
    ];
    for (const [repoTag, fixture] of pushes) await pushWithSkopeo(fixture, registry, repoTag);
  });
  afterAll(() => registry?.stop());

  it('by digest removes the manifest and every tag on it, and nothing else', async () => {
    const run = await ferryOk(['delete', `${dockerRef(registry, 'bydigest')}@${image.digest}`]);
    expect(run.stdout).toBe(`Deleted manifest ${image.digest} and every tag pointing at it\n`);
    expect(await tagsOf(registry, 'bydigest')).toEqual(['keep']);
    expect(await manifestStatus(registry, 'bydigest', image.digest)).toBe(404);
    expect(await manifestStatus(registry, 'bydigest', 'keep')).toBe(200);
  });

  it('by tag removes only that tag: the sibling still resolves to the same digest', async () => {
    const mark = await registry.mark();
    const run = await ferryOk(['delete', dockerRef(registry, 'tagonly:drop')]);
    const log = await registry.accessLog(mark);
    expect(run.stdout).toBe(`Deleted tag ${dockerRef(registry, 'tagonly:drop')} (manifest ${image.digest} and its other tags remain)\n`);
    expect(await tagsOf(registry, 'tagonly')).toEqual(['keep', 'other']);
    // the sibling on the same image still resolves, to the same bytes and digest
    const raw = await skopeoInspectRaw(registry, 'tagonly:keep');
    expect(Buffer.from(raw)).toEqual(image.manifestBytes);
    const head = await probe(`${registry.url}/v2/tagonly/manifests/keep`, { method: 'HEAD', headers: { accept: ACCEPT } });
    expect(head.headers['docker-content-digest']).toBe(image.digest);
    // distribution refuses tag DELETE (400), so the tag went through a placeholder,
    // which is gone again: the repository keeps exactly the two images' revisions
    expect(await revisions(registry, 'tagonly')).toEqual([image.digest, other.digest].sort());
    // HEAD tag, DELETE tag (400), HEAD empty blob, POST + PUT it, PUT placeholder, DELETE placeholder
    const v2 = log.filter((e) => e.path.startsWith('/v2/') && e.path !== '/v2/');
    expect(countByMethod(v2), formatAccessLog(log)).toEqual({ HEAD: 2, DELETE: 2, POST: 1, PUT: 2 });
    expect(v2.find((e) => e.method === 'DELETE' && e.path.endsWith('/manifests/drop'))?.status).toBe(400);
  });

  it('a second tag-only delete reuses the placeholder config blob already there', async () => {
    await pushWithSkopeo(image, registry, 'tagonly:again');
    const mark = await registry.mark();
    const result = await deleteImage(dockerRef(registry, 'tagonly:again'));
    const log = await registry.accessLog(mark);
    expect(result).toEqual({ removed: 'tag', digest: image.digest, method: 'placeholder' });
    const v2 = log.filter((e) => e.path.startsWith('/v2/') && e.path !== '/v2/');
    expect(countByMethod(v2)).toEqual({ HEAD: 2, DELETE: 2, PUT: 1 });
    expect(await tagsOf(registry, 'tagonly')).toEqual(['keep', 'other']);
  });

  it('--manifest deletes the manifest behind a tag, so its sibling tags go too', async () => {
    const run = await ferryOk(['delete', '--manifest', dockerRef(registry, 'whole:a')]);
    expect(run.stdout).toBe(`Deleted manifest ${image.digest} and every tag pointing at it\n`);
    expect(await tagsOf(registry, 'whole')).toEqual(['other']);
    expect(await manifestStatus(registry, 'whole', 'b')).toBe(404);
  });

  it('a missing tag is a one-line not-found error (exit 2, ERR_NOT_FOUND) and changes nothing', async () => {
    const mark = await registry.mark();
    const run = await runFerry(['delete', dockerRef(registry, 'tagonly:nope')]);
    expect(run.code, describeRun(run)).toBe(2);
    expect(oneLineError(run)).toBe(`ferry: [ERR_NOT_FOUND] cannot delete tag nope: not found in ${dockerRef(registry, 'tagonly:nope')}`);
    const writes = (await registry.accessLog(mark)).filter((e) => e.method !== 'GET' && e.method !== 'HEAD');
    expect(writes).toEqual([]);
  });

  it('a missing digest is a one-line not-found error naming the digest', async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    const run = await runFerry(['delete', `${dockerRef(registry, 'tagonly')}@${missing}`]);
    expect(run.code, describeRun(run)).toBe(2);
    expect(oneLineError(run)).toBe(`ferry: [ERR_NOT_FOUND] cannot delete manifest ${missing}: not found in ${dockerRef(registry, 'tagonly')} (HTTP 404 MANIFEST_UNKNOWN)`);
  });
});

describe('delete on a registry with deletion disabled', () => {
  let registry: RunningRegistry;
  let image: BuiltImage;

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'plain', deleteEnabled: false });
    image = await buildImage();
    await pushWithSkopeo(image, registry, 'app:1');
    await pushWithSkopeo(image, registry, 'app:2');
  });
  afterAll(() => registry?.stop());

  it.each([
    ['a tag', ['app:1'], 'tag 1'],
    ['a tag with --manifest', ['--manifest', 'app:1'], () => `manifest ${image.digest}`],
    ['a digest', ['@digest'], () => `manifest ${image.digest}`],
  ] as const)('refuses %s with a one-line "deletion disabled" error (exit 1, ERR_UNSUPPORTED) and leaves every tag', async (_name, args, subject) => {
    const mark = await registry.mark();
    const target = args.at(-1) === '@digest' ? `${dockerRef(registry, 'app')}@${image.digest}` : dockerRef(registry, args.at(-1)!);
    const run = await runFerry(['delete', ...args.slice(0, -1), target]);
    expect(run.code, describeRun(run)).toBe(1);
    const what = typeof subject === 'function' ? subject() : subject;
    expect(oneLineError(run)).toBe(`ferry: [ERR_UNSUPPORTED] cannot delete ${what}: the registry has deletion disabled (HTTP 405 UNSUPPORTED; distribution needs storage.delete.enabled)`);
    // nothing was written on the way (no placeholder pushed)
    const log = await registry.accessLog(mark);
    expect(log.filter((e) => e.method === 'PUT' || e.method === 'POST' || e.method === 'PATCH'), formatAccessLog(log)).toEqual([]);
    expect(await tagsOf(registry, 'app')).toEqual(['1', '2']);
    expect(await manifestStatus(registry, 'app', '1')).toBe(200);
  });

  it('reports the same through the library as an ERR_UNSUPPORTED FerryError', async () => {
    await expect(deleteImage(dockerRef(registry, 'app:2'))).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED', exitCode: 1 });
  });
});

describe('delete on a token-auth registry', () => {
  let registry: RunningRegistry;
  let image: BuiltImage;
  const users = { reader: 'reader-password', deleter: 'deleter-password' };
  const as = (user: keyof typeof users | 'ferry'): string[] => ['--creds', `${user}:${user === 'ferry' ? registry.password : users[user]}`];

  beforeAll(async () => {
    registry = await startRegistry({
      mode: 'token',
      token: {
        users,
        rules: [
          { account: 'ferry', actions: ['*'] },
          { account: 'ferry', type: 'registry', actions: ['*'] },
          // may pull and push, not delete
          { account: 'reader', actions: ['pull', 'push'] },
          // may delete but not push: a tag-only delete needs push for the placeholder
          { account: 'deleter', actions: ['pull', 'delete'] },
        ],
      },
    });
    image = await buildImage();
    for (const tag of ['1', '2', '3']) await pushWithSkopeo(image, registry, `app:${tag}`);
  });
  afterAll(() => registry?.stop());

  it('a user without delete permission gets a clear one-line error and the tag stays', async () => {
    for (const target of [dockerRef(registry, 'app:1'), `${dockerRef(registry, 'app')}@${image.digest}`]) {
      const run = await runFerry(['delete', ...as('reader'), target]);
      expect(run.code, describeRun(run)).toBe(1);
      const line = oneLineError(run);
      expect(line).toMatch(/^ferry: \[ERR_DENIED\] cannot delete (tag 1|manifest sha256:[0-9a-f]{64}): no permission to delete in docker:\/\/127\.0\.0\.1:\d+\/app \(HTTP 401 UNAUTHORIZED; the credentials need the "delete" action there\)$/);
    }
    expect(await tagsOf(registry, 'app')).toEqual(['1', '2', '3']);
    const requested = registry.tokenServer!.requests().filter((r) => r.account === 'reader');
    expect(requested.some((r) => r.requested.some((a) => a.actions.includes('delete')) && !r.granted.some((a) => a.actions.includes('delete')))).toBe(true);
  });

  it('a user who may delete but not push can delete manifests, and is told why a tag-only delete needs push', async () => {
    const run = await runFerry(['delete', ...as('deleter'), dockerRef(registry, 'app:1')]);
    expect(run.code, describeRun(run)).toBe(1);
    expect(oneLineError(run)).toMatch(/^ferry: \[ERR_DENIED\] cannot delete only tag 1: this registry deletes tags by digest, so ferry moves the tag to a placeholder first, which needs push as well as delete in docker:\/\/127\.0\.0\.1:\d+\/app \(HTTP 401 UNAUTHORIZED\); --manifest deletes the whole manifest instead$/);
    expect(await tagsOf(registry, 'app')).toEqual(['1', '2', '3']);
    expect(Buffer.from(await skopeoInspectRaw(registry, 'app:1'))).toEqual(image.manifestBytes);
  });

  it('the full user deletes one tag; the others keep the image', async () => {
    const run = await ferryOk(['delete', ...as('ferry'), dockerRef(registry, 'app:3')]);
    expect(run.stdout).toContain('Deleted tag');
    expect(await tagsOf(registry, 'app')).toEqual(['1', '2']);
    expect(Buffer.from(await skopeoInspectRaw(registry, 'app:2'))).toEqual(image.manifestBytes);
  });
});

describe('delete on an htpasswd registry (TLS)', () => {
  let registry: RunningRegistry;
  let image: BuiltImage;

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'htpasswd-tls' });
    image = await buildImage();
    await pushWithSkopeo(image, registry, 'app:1');
  });
  afterAll(() => registry?.stop());

  it('says the credentials were refused (Basic auth has no per-action grants), and deletes with the right ones', async () => {
    const target = `${dockerRef(registry, 'app')}@${image.digest}`;
    const wrong = await runFerry(['delete', ...ferryRegistryFlags(registry), '--creds', 'ferry:wrong', target]);
    expect(wrong.code, describeRun(wrong)).toBe(1);
    const line = oneLineError(wrong);
    expect(line.startsWith(`ferry: [ERR_UNAUTHORIZED] cannot delete manifest ${image.digest}: the registry refused the credentials for ${dockerRef(registry, 'app')} (HTTP 401`), line).toBe(true);
    expect(await tagsOf(registry, 'app')).toEqual(['1']);
    await ferryOk(['delete', ...ferryRegistryFlags(registry), '--creds', `${registry.username}:${registry.password}`, target]);
    expect(await tagsOf(registry, 'app')).toEqual([]);
  });
});

/**
 * A registry that refuses tag DELETE (as distribution does) and then also refuses to
 * delete the placeholder: the one path distribution cannot be made to take. Scripted on
 * node:http so the test can see the tag go back onto the image.
 */
describe('delete when the placeholder cannot be deleted', () => {
  const original = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 }, layers: [] }));
  const originalDigest = `sha256:${createHash('sha256').update(original).digest('hex')}`;
  let server: Server;
  let host: string;
  let tagBody: Buffer;
  let failOriginalGet: boolean;
  const seen: string[] = [];
  const errorBody = (code: string, message: string) => JSON.stringify({ errors: [{ code, message }] });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = req.url ?? '';
        seen.push(`${req.method} ${url.split('?')[0]}`);
        const json = (status: number, body: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(body);
        if (url === '/v2/') return json(200, '{}');
        if (url === '/v2/app/manifests/t' && (req.method === 'HEAD' || req.method === 'GET')) {
          const digest = `sha256:${createHash('sha256').update(tagBody).digest('hex')}`;
          res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': digest, 'content-length': tagBody.length });
          return res.end(req.method === 'GET' ? tagBody : undefined);
        }
        if (url === '/v2/app/manifests/t' && req.method === 'DELETE') return json(400, errorBody('DIGEST_INVALID', 'provided digest did not match uploaded content'));
        if (url === '/v2/app/manifests/t' && req.method === 'PUT') {
          tagBody = Buffer.concat(chunks);
          res.writeHead(201, { 'docker-content-digest': `sha256:${createHash('sha256').update(tagBody).digest('hex')}` });
          return res.end();
        }
        if (url.startsWith('/v2/app/blobs/') && req.method === 'HEAD') return res.writeHead(200, { 'content-length': 2 }).end();
        if (url.startsWith('/v2/app/manifests/sha256:') && req.method === 'DELETE') return json(403, errorBody('DENIED', 'requested access to the resource is denied'));
        if (url === `/v2/app/manifests/${originalDigest}` && req.method === 'GET') {
          if (failOriginalGet) return json(404, errorBody('MANIFEST_UNKNOWN', 'manifest unknown'));
          return res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': originalDigest }).end(original);
        }
        json(404, errorBody('NOT_FOUND', 'unexpected request'));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('puts the tag back on the image before reporting the failure', async () => {
    tagBody = original;
    failOriginalGet = false;
    seen.length = 0;
    const err = await deleteImage(`docker://${host}/app:t`, { retryTimes: 0 }).catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'ERR_DENIED' });
    expect((err as Error).message).toBe(`cannot delete tag t: no permission to delete in docker://${host}/app (HTTP 403 DENIED; the credentials need the "delete" action there)`);
    expect(tagBody.equals(original)).toBe(true);
    expect(seen).toEqual([
      'GET /v2/',
      'HEAD /v2/app/manifests/t',
      'DELETE /v2/app/manifests/t',
      'HEAD /v2/app/blobs/sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
      'PUT /v2/app/manifests/t',
      expect.stringMatching(/^DELETE \/v2\/app\/manifests\/sha256:[0-9a-f]{64}$/),
      `GET /v2/app/manifests/${originalDigest}`,
      'PUT /v2/app/manifests/t',
    ]);
  });

  it('says where the tag was left when it cannot be put back', async () => {
    tagBody = original;
    failOriginalGet = true;
    const err = await deleteImage(`docker://${host}/app:t`, { retryTimes: 0 }).catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'ERR_REGISTRY' });
    expect((err as Error).message).toMatch(
      new RegExp(`^cannot delete tag t: no permission to delete in .*; tag t is left on placeholder sha256:[0-9a-f]{64} and could not be put back on ${originalDigest}: reading manifest .*HTTP 404 MANIFEST_UNKNOWN`),
    );
    expect((err as Error).message).not.toContain('\n');
  });
});
