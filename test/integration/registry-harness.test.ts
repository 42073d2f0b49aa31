// Proves the harness itself: real registries in every mode, skopeo as the
// independent client, the token server actually in the loop, access logs read back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countByMethod, formatAccessLog } from '../support/access-log.js';
import { buildHelmChart, buildImage, buildIndex, pushWithSkopeo, type BuiltImage } from '../support/fixtures.js';
import { probe } from '../support/http-probe.js';
import { decodeJwt, type ResourceAccess } from '../support/jwt.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { skopeo, skopeoDelete, skopeoInspect, skopeoInspectRaw, skopeoListTags, dockerRef } from '../support/skopeo.js';
import { rejection } from '../support/rejection.js';

const OCI_ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json';

describe('plain registry', () => {
  let registry: RunningRegistry;
  let image: BuiltImage;
  beforeAll(async () => {
    registry = await startRegistry({ mode: 'plain' });
    image = await buildImage({ labels: { 'org.example.fixture': 'plain' }, layers: [{ files: { 'hello.txt': 'hi\n' } }, { random: { size: 64 * 1024 } }] });
  });
  afterAll(() => registry?.stop());

  it('answers /v2/ over plain HTTP on loopback', async () => {
    expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/);
    const res = await probe(`${registry.url}/v2/`);
    expect(res.status).toBe(200);
    expect(res.headers['docker-distribution-api-version']).toBe('registry/2.0');
  });

  it('receives a fixture image from skopeo with digests intact, and logs every request', async () => {
    await registry.resetLog();
    await pushWithSkopeo(image, registry, 'app:v1');
    expect(await skopeoInspectRaw(registry, 'app:v1')).toBe(image.manifestBytes.toString());
    const inspected = await skopeoInspect(registry, 'app:v1');
    expect(inspected.Digest).toBe(image.digest);
    expect(inspected.Architecture).toBe('amd64');
    expect(inspected.Labels).toEqual({ 'org.example.fixture': 'plain' });
    expect(inspected.Layers).toEqual(image.layers.map((l) => l.digest));

    const log = await registry.accessLog();
    const put = log.find((e) => e.method === 'PUT' && e.path === '/v2/app/manifests/v1');
    expect(put?.status, formatAccessLog(log)).toBe(201);
    const counts = countByMethod(log);
    expect(counts.PUT).toBeGreaterThanOrEqual(image.layers.length + 2);
    expect(log.every((e) => e.userAgent.length > 0 && e.status >= 200)).toBe(true);
  });

  it('serves OCI manifests only to clients that accept them, as registry-facts.md says', async () => {
    const url = `${registry.url}/v2/app/manifests/${image.digest}`;
    expect((await probe(url, { method: 'HEAD' })).status).toBe(404);
    const res = await probe(url, { headers: { accept: OCI_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers['docker-content-digest']).toBe(image.digest);
    expect(res.body.equals(image.manifestBytes)).toBe(true);
  });

  it('copies a three-platform index with --all', async () => {
    const index = await buildIndex(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']);
    expect(new Set(index.images.map((i) => i.layers[0]?.digest)).size).toBe(1);
    await pushWithSkopeo(index, registry, 'multi:latest');
    expect(await skopeoInspectRaw(registry, 'multi:latest')).toBe(index.indexBytes.toString());
    const arm = index.images[2];
    expect(arm?.platform).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(await skopeoInspectRaw(registry, `multi@${arm?.digest}`)).toBe(arm?.manifestBytes.toString());
    const armConfig = await skopeoInspect(registry, `multi@${arm?.digest}`, { config: true });
    expect(armConfig).toMatchObject({ architecture: 'arm', variant: 'v7', os: 'linux' });
  });

  it('copies Docker schema 2 images and a Helm chart as they are', async () => {
    const docker = await buildImage({ mediaTypes: 'docker' });
    await pushWithSkopeo(docker, registry, 'dockerish:1');
    expect(await skopeoInspectRaw(registry, 'dockerish:1')).toBe(docker.manifestBytes.toString());
    expect(docker.manifest.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    // Fetched by tag without its type in Accept, distribution downgrades it to signed schema 1.
    const legacy = await probe(`${registry.url}/v2/dockerish/manifests/1`);
    expect(legacy.json<{ schemaVersion: number }>().schemaVersion).toBe(1);
    expect(legacy.headers['docker-content-digest']).not.toBe(docker.digest);
    const list = await buildIndex(['linux/amd64', 'linux/arm64/v8'], { mediaTypes: 'docker' });
    await pushWithSkopeo(list, registry, 'dockerish:list');
    expect(await skopeoInspectRaw(registry, 'dockerish:list')).toBe(list.indexBytes.toString());
    expect(list.images[1]?.layers[1]?.mediaType).toBe('application/vnd.docker.image.rootfs.diff.tar.gzip');
    const chart = await buildHelmChart({ name: 'demo', version: '0.1.0+build.1', appVersion: '1.2.3', provenance: true });
    expect(chart.tag).toBe('0.1.0_build.1');
    await pushWithSkopeo(chart, registry, `charts/demo:${chart.tag}`);
    expect(await skopeoInspectRaw(registry, `charts/demo:${chart.tag}`)).toBe(chart.manifestBytes.toString());
    // skopeo's non-raw inspect wants an image config; it cannot describe a chart.
    await expect(skopeoInspect(registry, `charts/demo:${chart.tag}`)).rejects.toThrow();
    const blob = await probe(`${registry.url}/v2/charts/demo/blobs/${chart.chart.digest}`);
    expect(blob.body.equals(chart.chartTgz)).toBe(true);
    expect(chart.manifest.layers.map((l) => l.mediaType)).toEqual([
      'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
      'application/vnd.cncf.helm.chart.provenance.v1.prov',
    ]);
  });

  it('reads back access log lines since a mark, without its own sync requests', async () => {
    const mark = await registry.mark();
    await probe(`${registry.url}/v2/`);
    await probe(`${registry.url}/v2/nothing/manifests/latest`, { method: 'HEAD' });
    const log = await registry.accessLog(mark);
    expect(log.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
      'GET /v2/ 200',
      'HEAD /v2/nothing/manifests/latest 404',
    ]);
  });

  it('deletes manifests when deletion is enabled', async () => {
    await pushWithSkopeo(image, registry, 'doomed:1');
    expect(await skopeoListTags(registry, 'doomed')).toEqual(['1']);
    await skopeoDelete(registry, 'doomed:1');
    const error = await rejection(skopeoInspectRaw(registry, 'doomed:1'));
    expect(error.message).toMatch(/manifest unknown/i);
  });
});

describe('registry with deletion disabled', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ deleteEnabled: false });
  });
  afterAll(() => registry?.stop());

  it('answers 405 UNSUPPORTED to deletes', async () => {
    const image = await buildImage();
    await pushWithSkopeo(image, registry, 'keep:1');
    const error = await rejection(skopeoDelete(registry, 'keep:1'));
    expect(error.message).toMatch(/405|unsupported/i);
    const res = await probe(`${registry.url}/v2/keep/manifests/${image.digest}`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.json<{ errors: Array<{ code: string }> }>().errors[0]?.code).toBe('UNSUPPORTED');
    const deletes = (await registry.accessLog()).filter((e) => e.method === 'DELETE');
    expect(deletes.map((e) => e.status)).toEqual([405, 405]);
  });
});

describe('htpasswd-tls registry', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ mode: 'htpasswd-tls' });
  });
  afterAll(() => registry?.stop());

  it('speaks HTTPS with a CA in a docker-style certs dir and demands Basic auth', async () => {
    expect(registry.url).toBe(`https://${registry.host}`);
    expect(registry.certDir).toBeDefined();
    await expect(probe(`${registry.url}/v2/`)).rejects.toThrow(/certificate/i);
    const anonymous = await probe(`${registry.url}/v2/`, { ca: registry.caPem });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic realm=/);
    const authed = await probe(`${registry.url}/v2/`, { ca: registry.caPem, basicAuth: { username: registry.username ?? '', password: registry.password ?? '' } });
    expect(authed.status).toBe(200);
  });

  it('lets skopeo push and inspect with --cert-dir and --creds', async () => {
    const image = await buildImage({ env: ['FIXTURE=tls'] });
    await pushWithSkopeo(image, registry, 'secure/app:1');
    const inspected = await skopeoInspect(registry, 'secure/app:1');
    expect(inspected.Digest).toBe(image.digest);
    expect(inspected.Env).toEqual(['FIXTURE=tls']);
  });

  it('makes skopeo fail on a wrong password and on an untrusted certificate', async () => {
    const wrong = await rejection(skopeoInspectRaw({ registry, creds: { username: 'ferry', password: 'nope' } }, 'secure/app:1'));
    expect(wrong.message).toMatch(/401|unauthorized/i);
    const untrusted = await rejection(skopeo(['inspect', '--raw', '--creds', 'ferry:ferry-test-password', dockerRef(registry, 'secure/app:1')]));
    expect(untrusted.message).toMatch(/certificate/i);
  });
});

describe('token registry', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({
      mode: 'token',
      token: {
        users: { reader: 'reader-pw' },
        rules: [
          { account: 'ferry', actions: ['*'] },
          { account: 'reader', actions: ['pull'] },
        ],
      },
    });
  });
  afterAll(() => registry?.stop());

  const tokens = (): NonNullable<RunningRegistry['tokenServer']> => {
    if (!registry.tokenServer) throw new Error('token mode without a token server');
    return registry.tokenServer;
  };

  it('challenges with a Bearer realm pointing at the token server', async () => {
    const res = await probe(`${registry.url}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(`Bearer realm="${tokens().realm}",service="${tokens().service}"`);
  });

  it('is consulted by skopeo for push and pull', async () => {
    tokens().resetRequests();
    const image = await buildImage();
    await pushWithSkopeo(image, registry, 'team/app:1');
    expect((await skopeoInspect(registry, 'team/app:1')).Digest).toBe(image.digest);
    const requests = tokens().requests();
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(requests.every((r) => r.account === 'ferry' && r.status === 200)).toBe(true);
    expect(requests.some((r) => r.granted.some((g) => g.name === 'team/app' && g.actions.includes('push')))).toBe(true);
  });

  it('rejects a wrong password with 401, which skopeo reports', async () => {
    tokens().resetRequests();
    const error = await rejection(skopeoInspectRaw({ registry, creds: { username: 'ferry', password: 'wrong' } }, 'team/app:1'));
    expect(error.message).toMatch(/401|unauthorized/i);
    expect(tokens().requests().map((r) => r.status)).toContain(401);
  });

  it('applies per-user grants: reader may pull but not delete; anonymous gets nothing', async () => {
    const reader = { registry, creds: { username: 'reader', password: 'reader-pw' } };
    expect(JSON.parse(await skopeoInspectRaw(reader, 'team/app:1'))).toHaveProperty('layers');
    const denied = await rejection(skopeoDelete(reader, 'team/app:1'));
    expect(denied.message).toMatch(/401|unauthorized|denied/i);
    tokens().resetRequests();
    await rejection(skopeoInspectRaw({ registry, creds: null }, 'team/app:1'));
    const anonymous = tokens().requests();
    expect(anonymous.length).toBeGreaterThan(0);
    expect(anonymous.every((r) => r.account === null && r.granted.length === 0)).toBe(true);
  });

  it('parses repeated and space-separated scopes, grants subsets, and puts aud as a string', async () => {
    const url = `${tokens().realm}?service=${tokens().service}&scope=repository:team/app:pull,push,delete&scope=${encodeURIComponent('repository:other:pull registry:catalog:*')}`;
    const res = await probe(url, { basicAuth: { username: 'reader', password: 'reader-pw' } });
    const body = res.json<{ token: string; access_token: string; expires_in: number; issued_at: string }>();
    expect(body.token).toBe(body.access_token);
    expect(body.expires_in).toBeGreaterThan(0);
    const { header, claims } = decodeJwt(body.token);
    expect(header.alg).toBe('RS256');
    expect(Array.isArray(header.x5c)).toBe(true);
    expect(claims.aud).toBe(tokens().service);
    expect(claims.access).toEqual<ResourceAccess[]>([
      { type: 'repository', name: 'team/app', actions: ['pull'] },
      { type: 'repository', name: 'other', actions: ['pull'] },
    ]);
  });

  it('speaks the OAuth2 password and refresh_token grants, and the registry accepts those tokens', async () => {
    const form = (fields: Record<string, string>): Promise<ReturnType<typeof probe> extends Promise<infer R> ? R : never> =>
      probe(tokens().realm, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ service: tokens().service, client_id: 'ferry-tests', scope: 'repository:team/app:pull', ...fields }).toString(),
      });
    const first = await form({ grant_type: 'password', username: 'ferry', password: 'ferry-test-password', access_type: 'offline' });
    const issued = first.json<{ access_token: string; refresh_token: string }>();
    expect(issued.refresh_token).toBeTruthy();
    const refreshed = (await form({ grant_type: 'refresh_token', refresh_token: issued.refresh_token })).json<{ access_token: string }>();
    const manifest = await probe(`${registry.url}/v2/team/app/manifests/1`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${refreshed.access_token}`, accept: OCI_ACCEPT },
    });
    expect(manifest.status).toBe(200);
    expect((await form({ grant_type: 'refresh_token', refresh_token: 'bogus' })).status).toBe(401);
    expect((await form({ grant_type: 'password', username: 'ferry', password: 'bad' })).status).toBe(401);
    tokens().failNext(503);
    expect((await form({ grant_type: 'password', username: 'ferry', password: 'ferry-test-password' })).status).toBe(503);
    expect(tokens().requests().filter((r) => r.grantType === 'refresh_token').length).toBeGreaterThanOrEqual(2);
  });

  it('issues expired tokens on request, which the registry refuses past its 60 s leeway', async () => {
    tokens().setTtl(-120);
    try {
      const res = await probe(`${tokens().realm}?service=${tokens().service}&scope=repository:team/app:pull`, {
        basicAuth: { username: 'ferry', password: 'ferry-test-password' },
      });
      const token = res.json<{ token: string }>().token;
      const answer = await probe(`${registry.url}/v2/team/app/tags/list`, { headers: { authorization: `Bearer ${token}` } });
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    } finally {
      tokens().setTtl(300);
    }
  });
});

describe('token registry variants', () => {
  it('verifies tokens identified by a libtrust kid, and allows anonymous pull when asked', async () => {
    const registry = await startRegistry({ mode: 'token', token: { identifyBy: 'kid', anonymousPull: true } });
    try {
      const image = await buildImage();
      await pushWithSkopeo(image, registry, 'public/app:1');
      expect(decodeJwt(await fetchToken(registry)).header.kid).toMatch(/^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
      const anonymous = { registry, creds: null };
      expect((await skopeoInspect(anonymous, 'public/app:1')).Digest).toBe(image.digest);
      const pushError = await rejection(pushWithSkopeo(image, registry, 'public/app:2', { creds: null }));
      expect(pushError.message).toMatch(/401|unauthorized|denied/i);
    } finally {
      await registry.stop();
    }
  });

  it('runs the registry and token server over TLS when asked', async () => {
    const registry = await startRegistry({ mode: 'token', tls: true });
    try {
      expect(registry.tokenServer?.realm).toMatch(/^https:/);
      const image = await buildImage();
      await pushWithSkopeo(image, registry, 'tls/app:1');
      expect((await skopeoInspect(registry, 'tls/app:1')).Digest).toBe(image.digest);
    } finally {
      await registry.stop();
    }
  });
});

async function fetchToken(registry: RunningRegistry): Promise<string> {
  const server = registry.tokenServer;
  if (!server) throw new Error('no token server');
  const res = await probe(`${server.realm}?service=${server.service}&scope=repository:public/app:pull`, {
    basicAuth: { username: registry.username ?? '', password: registry.password ?? '' },
  });
  return res.json<{ token: string }>().token;
}
