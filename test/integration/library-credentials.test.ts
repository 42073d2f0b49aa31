// The library's credential forms against real registries: a per-registry callback (as an
// ECR/GCR/ACR token function plugs in), a { token } bearer value, and the uniform error
// shape when the registry refuses. Imports the public entry, as a program would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copy, FerryError, inspect, listTags, type Credential, type CredentialCallback } from '../../src/index.js';
import { buildImage, pushWithSkopeo, type BuiltImage } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { skopeoInspectRaw } from '../support/skopeo.js';

const PASSWORD = 'ferry-test-password';
const USER: Credential = { username: 'ferry', password: PASSWORD };
/** No auth files: only what the test gives counts. */
const isolated = { env: {}, homedir: '/nonexistent-ferry-home' };

/** A callback that records who asked, as a cloud token function would be called. */
function recordingCallback(answer: (registry: string) => Credential | undefined): CredentialCallback & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (registry: string) => {
    calls.push(registry);
    return answer(registry);
  };
  return Object.assign(fn, { calls });
}

describe('library credentials: value or callback, per side', () => {
  let tls: RunningRegistry;
  let token: RunningRegistry;
  let image: BuiltImage;

  beforeAll(async () => {
    [tls, token, image] = await Promise.all([
      startRegistry({ mode: 'htpasswd-tls' }),
      startRegistry({ mode: 'token' }),
      buildImage({ labels: { 'org.example.fixture': 'library-creds' }, layers: [{ files: { 'etc/lib.txt': 'lib\n' } }, { random: { size: 20 * 1024, seed: 'lib' } }] }),
    ]);
    await Promise.all([tls, token].map((r) => pushWithSkopeo(image, r, 'lib/source:v1')));
  });
  afterAll(async () => {
    await Promise.all([tls?.stop(), token?.stop()]);
  });

  const ref = (r: RunningRegistry, repoTag: string): string => `docker://${r.ref(repoTag)}`;

  it('htpasswd-tls: one callback for both sides is asked once, with the registry host', async () => {
    const creds = recordingCallback(() => USER);
    const side = { certDir: tls.certDir ?? '', credentials: creds };
    const result = await copy(ref(tls, 'lib/source:v1'), ref(tls, 'lib/by-callback:v1'), { ...isolated, src: side, dest: { ...side } });
    expect(result.digest).toBe(image.digest);
    expect(await skopeoInspectRaw(tls, 'lib/by-callback:v1')).toBe(image.manifestBytes.toString());
    expect(creds.calls).toEqual([tls.host]);
  });

  it('htpasswd-tls: a { username, password } value works for inspect and listTags', async () => {
    const side = { certDir: tls.certDir ?? '', credentials: USER };
    const info = await inspect(ref(tls, 'lib/source:v1'), { ...isolated, ...side });
    expect(info.root.digest).toBe(image.digest);
    expect(info.imageConfig?.config?.Labels).toMatchObject({ 'org.example.fixture': 'library-creds' });
    expect((await listTags(ref(tls, 'lib/source'), { ...isolated, ...side })).Tags).toContain('v1');
  });

  it('token: the callback answer is traded for tokens as that user, the callback asked once per operation', async () => {
    const tokens = token.tokenServer!;
    tokens.resetRequests();
    const creds = recordingCallback(() => USER);
    const result = await copy(ref(token, 'lib/source:v1'), ref(token, 'lib/token-copy:v1'), { ...isolated, src: { credentials: creds }, dest: { credentials: creds } });
    expect(result.digest).toBe(image.digest);
    expect(result.stats.mounted).toBeGreaterThan(0);
    expect(creds.calls).toEqual([token.host]);
    const fetched = tokens.requests();
    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.every((r) => r.account === 'ferry' && r.status === 200)).toBe(true);
  });

  it('token: a { token } from the callback is sent as is, with no token request of ferry\'s own', async () => {
    const tokens = token.tokenServer!;
    // what a cloud token function does: obtain a registry token out of band
    const url = new URL(tokens.realm);
    url.searchParams.set('service', tokens.service);
    url.searchParams.append('scope', 'repository:lib/source:pull');
    const res = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`ferry:${PASSWORD}`).toString('base64')}` } });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { token?: string; access_token?: string };
    const bearer = doc.token ?? doc.access_token ?? '';
    tokens.resetRequests();
    const creds = recordingCallback(() => ({ token: bearer }));
    const info = await inspect(ref(token, 'lib/source:v1'), { ...isolated, credentials: creds, noTags: true });
    expect(info.root.digest).toBe(image.digest);
    expect(creds.calls).toEqual([token.host]);
    expect(tokens.requests()).toEqual([]);
  });

  it('a refused credential fails with the uniform error shape: code, status, no secret', async () => {
    const wrong = recordingCallback(() => ({ username: 'ferry', password: 'wrong-secret-pw' }));
    const err = await inspect(ref(tls, 'lib/source:v1'), { ...isolated, certDir: tls.certDir ?? '', credentials: wrong }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect(err).toMatchObject({ code: 'ERR_UNAUTHORIZED', status: 401 });
    expect((err as Error).message).not.toContain('wrong-secret-pw');
    expect(wrong.calls).toEqual([tls.host]);
  });
});
