// `ferry login` / `ferry logout` end to end against real registries: the
// credential is checked before it is saved, saved owner-only, used by the next
// command, and removed again.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, ferryJson, ferryOk, oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildImage, pushWithSkopeo, type BuiltImage } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry, type StartRegistryOptions } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { dockerRef } from '../support/skopeo.js';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

interface AuthFileDoc {
  auths?: Record<string, { auth?: string }>;
}

async function readAuthFile(path: string): Promise<AuthFileDoc> {
  return JSON.parse(await readFile(path, 'utf8')) as AuthFileDoc;
}

const modes: Array<[string, StartRegistryOptions]> = [
  ['htpasswd over TLS', { mode: 'htpasswd-tls' }],
  ['token auth', { mode: 'token' }],
];

describe.each(modes)('login and logout, %s', (_name, options) => {
  let registry: RunningRegistry;
  let image: BuiltImage;
  let dir: string;
  /** `--cert-dir` for the TLS registry, nothing for the plain-HTTP loopback one. */
  const tls = (): string[] => (registry.certDir ? ['--cert-dir', registry.certDir] : []);
  const encoded = (): string => Buffer.from(`${registry.username}:${registry.password}`).toString('base64');

  beforeAll(async () => {
    registry = await startRegistry(options);
    image = await buildImage({ labels: { login: 'yes' } });
    await pushWithSkopeo(image, registry, 'team/app:1');
    dir = await scratchDir('login');
  });
  afterAll(() => registry?.stop());

  it('checks the password, saves it owner-only, uses it, and logout removes it', async () => {
    const authFile = join(dir, 'flow', 'auth.json');
    const mark = await registry.mark();
    const login = await runFerry(['login', registry.host, '-u', registry.username ?? '', '--password-stdin', '--authfile', authFile, ...tls()], {
      input: `${registry.password}\n`,
    });
    expect(login.code, describeRun(login)).toBe(0);
    expect(login.stdout).toContain('Login Succeeded');
    expect(login.stdout).toContain(authFile);
    expect(login.stderr).toBe('');
    // Checked with the registry before saving.
    const pinged = (await registry.accessLog(mark)).filter((e) => e.path === '/v2/');
    expect(pinged.length).toBeGreaterThan(0);
    if (registry.mode === 'htpasswd-tls') expect(pinged.some((e) => e.status === 200)).toBe(true);
    if (registry.mode === 'token') expect(registry.tokenServer?.requests().some((r) => r.account === registry.username && r.status === 200)).toBe(true);

    expect((await stat(authFile)).mode & 0o777).toBe(0o600);
    const saved = await readAuthFile(authFile);
    expect(saved.auths?.[registry.host]?.auth).toBe(encoded());
    // The trailing newline of the piped password is not part of it.
    expect(Buffer.from(saved.auths?.[registry.host]?.auth ?? '', 'base64').toString()).toBe(`${registry.username}:${registry.password}`);

    const out = await ferryJson(['inspect', '--authfile', authFile, ...tls(), dockerRef(registry, 'team/app:1')]);
    expect(out.Digest).toBe(image.digest);

    const logout = await ferryOk(['logout', '--authfile', authFile, registry.host]);
    expect(logout.stdout).toContain(registry.host);
    expect((await readAuthFile(authFile)).auths?.[registry.host]).toBeUndefined();
    // Logged out means anonymous, which these registries refuse.
    expect(oneLineError(await runFerry(['inspect', '--authfile', authFile, ...tls(), dockerRef(registry, 'team/app:1')]))).toMatch(/HTTP 401/);

    const again = await runFerry(['logout', '--authfile', authFile, registry.host]);
    expect(oneLineError(again)).toMatch(new RegExp(`not logged in(to)? ${registry.host.replace(/\./g, '\\.')}`));
    expect(again.code).not.toBe(0);
  });

  it('refuses a wrong password without saving anything', async () => {
    const fresh = join(dir, 'wrong', 'auth.json');
    const run = await runFerry(['login', registry.host, '-u', registry.username ?? '', '--password-stdin', '--authfile', fresh, ...tls()], { input: 'not-the-password\n' });
    const line = oneLineError(run);
    expect(run.code).toBe(1);
    expect(line).toMatch(/login to .* failed/);
    expect(line).toMatch(/401/);
    expect(line).not.toContain('not-the-password');
    expect(await exists(fresh)).toBe(false);

    // An existing file keeps its bytes, including its entry for this very registry.
    const existing = join(dir, 'existing.json');
    const before = JSON.stringify({ auths: { [registry.host]: { auth: encoded() }, 'other.example': { auth: 'eDp5' } } }, null, 2);
    await writeFile(existing, before, { mode: 0o600 });
    const again = await runFerry(['login', registry.host, '-u', registry.username ?? '', '--password-stdin', '--authfile', existing, ...tls()], { input: 'still-wrong' });
    expect(again.code).toBe(1);
    expect(await readFile(existing, 'utf8')).toBe(before);
  });

  it('accepts docker://HOST and a trailing slash, as people paste them', async () => {
    const authFile = join(dir, 'pasted.json');
    await ferryOk(['login', `docker://${registry.host}/`, '-u', registry.username ?? '', '--password-stdin', '--authfile', authFile, ...tls()], { input: registry.password ?? '' });
    expect(Object.keys((await readAuthFile(authFile)).auths ?? {})).toEqual([registry.host]);
    await ferryOk(['logout', '--authfile', authFile, `docker://${registry.host}`]);
    expect((await readAuthFile(authFile)).auths ?? {}).toEqual({});
  });
});

describe('login against an untrusted TLS registry', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ mode: 'htpasswd-tls' });
  });
  afterAll(() => registry?.stop());

  it('fails on the certificate in one line and saves nothing; --tls-verify=false logs in', async () => {
    const dir = await scratchDir('login-tls');
    const authFile = join(dir, 'auth.json');
    const run = await runFerry(['login', registry.host, '-u', registry.username ?? '', '--password-stdin', '--authfile', authFile], { input: registry.password ?? '' });
    expect(oneLineError(run)).toMatch(/TLS/);
    expect(run.code).toBe(1);
    expect(await exists(authFile)).toBe(false);
    await ferryOk(['login', registry.host, '-u', registry.username ?? '', '--password-stdin', '--authfile', authFile, '--tls-verify=false'], { input: registry.password ?? '' });
    expect((await readAuthFile(authFile)).auths?.[registry.host]?.auth).toBeDefined();
  });
});
