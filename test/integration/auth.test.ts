// Authentication against real registries, driving the built CLI: bearer tokens
// from the harness token server (per-user grants, anonymous pull, token reuse),
// Basic auth over TLS (certs dir, --tls-verify=false), and credentials found in
// auth files and in a docker credential helper.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAccessLog } from '../support/access-log.js';
import { describeRun, ferryJson, ferryOk, oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildImage, buildIndex, pushWithSkopeo, type BuiltImage, type BuiltIndex } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { dockerRef, skopeoCopy, skopeoInspect, skopeoInspectRaw } from '../support/skopeo.js';
import { rejection as rejects } from '../support/rejection.js';

/** Token fetches measured for one `ferry copy --all` of a 3-platform index between two repositories of one registry. */
const MAX_TOKEN_FETCHES_REGISTRY_COPY = 3;

describe('token auth', () => {
  let registry: RunningRegistry;
  let image: BuiltImage;
  let index: BuiltIndex;
  const owner = (): string[] => ['--creds', `${registry.username}:${registry.password}`];
  const reader = ['--creds', 'reader:reader-pw'];
  const ref = (repoRef: string): string => dockerRef(registry, repoRef);
  const tokens = (): NonNullable<RunningRegistry['tokenServer']> => {
    if (!registry.tokenServer) throw new Error('token mode without a token server');
    return registry.tokenServer;
  };

  beforeAll(async () => {
    registry = await startRegistry({
      mode: 'token',
      token: {
        users: { reader: 'reader-pw' },
        rules: [
          { account: 'ferry', actions: ['*'] },
          { account: 'reader', actions: ['pull'] },
        ],
        // Anonymous pull only below public/.
        anonymousPull: ['public/*'],
      },
    });
    [image, index] = await Promise.all([buildImage({ labels: { auth: 'token' } }), buildIndex(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7'])]);
    await Promise.all([
      pushWithSkopeo(image, registry, 'private/app:1'),
      pushWithSkopeo(image, registry, 'public/app:1'),
      pushWithSkopeo(index, registry, 'private/multi:1'),
    ]);
  });
  afterAll(() => registry?.stop());

  it('inspects with --creds, fetching the token as that user', async () => {
    tokens().resetRequests();
    const out = await ferryJson(['inspect', ...owner(), ref('private/app:1')]);
    expect(out.Digest).toBe(image.digest);
    const fetched = tokens().requests();
    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.every((r) => r.account === 'ferry' && r.status === 200)).toBe(true);
  });

  it('lets a pull-only user inspect, and refuses its push and delete with a clear one-line error', async () => {
    const out = await ferryJson(['inspect', ...reader, ref('private/app:1')]);
    expect(out.Digest).toBe(image.digest);

    const fresh = await buildImage({ labels: { fresh: 'yes' } });
    const push = await runFerry(['copy', '--quiet', '--dest-creds', 'reader:reader-pw', fresh.ociRef, ref('private/app:2')]);
    const pushLine = oneLineError(push);
    expect(push.code).toBe(1);
    expect(pushLine).toContain(registry.ref('private/app'));
    expect(pushLine).toMatch(/HTTP 401\b/);
    expect(pushLine).toMatch(/upload|push/i);
    await expect(skopeoInspectRaw(registry, 'private/app:2')).rejects.toThrow(/manifest unknown/i);

    const del = await runFerry(['delete', ...reader, ref(`private/app@${image.digest}`)]);
    const delLine = oneLineError(del);
    expect(del.code).toBe(1);
    expect(delLine).toMatch(/delet/i);
    expect(delLine).toContain('private/app');
    expect(delLine).toMatch(/HTTP 401\b/);
    // Still there.
    expect((await skopeoInspect(registry, 'private/app:1')).Digest).toBe(image.digest);
    // The token server was asked for delete and granted nothing of it.
    expect(tokens().requests().some((r) => r.account === 'reader' && r.requested.some((a) => a.actions.includes('delete')) && !r.granted.some((a) => a.actions.includes('delete')))).toBe(true);
  });

  it('pulls anonymously where anonymous pull is configured', async () => {
    tokens().resetRequests();
    const out = await ferryJson(['inspect', ref('public/app:1')]);
    expect(out.Digest).toBe(image.digest);
    expect(out.RepoTags).toEqual(['1']);
    const noCreds = await ferryJson(['inspect', '--no-creds', ref('public/app:1')]);
    expect(noCreds.Digest).toBe(image.digest);
    const fetched = tokens().requests();
    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.every((r) => r.account === null && r.status === 200)).toBe(true);
    expect(fetched.some((r) => r.granted.some((g) => g.name === 'public/app' && g.actions.includes('pull')))).toBe(true);
  });

  it('fails anonymous access elsewhere with a one-line 401 error', async () => {
    const runs = await Promise.all([['inspect', ref('private/app:1')], ['inspect', '--no-creds', ref('private/app:1')], ['list-tags', ref('private/app')]].map((args) => runFerry(args)));
    for (const run of runs) {
      const line = oneLineError(run);
      expect(run.code, describeRun(run)).toBe(1);
      expect(line).toContain(registry.ref('private/app'));
      expect(line).toMatch(/HTTP 401\b/);
    }
  });

  /** Token fetches made while `work` runs; every one must have succeeded. */
  async function tokenFetches(work: () => Promise<unknown>): Promise<number> {
    tokens().resetRequests();
    await work();
    const fetched = tokens().requests();
    expect(fetched.every((r) => r.status === 200 && r.account === 'ferry'), JSON.stringify(fetched)).toBe(true);
    return fetched.length;
  }
  const bothCreds = (): string[] => ['--src-creds', `${registry.username}:${registry.password}`, '--dest-creds', `${registry.username}:${registry.password}`];

  it('shares tokens between concurrent requests: a 3-platform index copy within the registry takes a few token fetches', async () => {
    const mark = await registry.mark();
    let run: Awaited<ReturnType<typeof ferryOk>> | undefined;
    const byFerry = await tokenFetches(async () => {
      run = await ferryOk(['copy', '--quiet', ...bothCreds(), ref('private/multi:1'), ref('private/copy:1')]);
    });
    expect(run?.stdout.trim()).toBe(index.digest);
    const log = await registry.accessLog(mark);
    // 5 distinct blobs (the base layer is shared) plus 3 configs, 3 child manifests and the
    // index. ferry measured 3 fetches: pull on the source, pull+push on the destination,
    // and one with both for the cross-repository mounts; every request shares them.
    const blobRequests = log.filter((e) => e.path.includes('/blobs/'));
    expect(blobRequests.length, formatAccessLog(log)).toBeGreaterThanOrEqual(8);
    expect(byFerry).toBeLessThanOrEqual(MAX_TOKEN_FETCHES_REGISTRY_COPY);
    expect(JSON.parse(await skopeoInspectRaw(registry, 'private/copy:1'))).toEqual(index.index);
    const bySkopeo = await tokenFetches(() => skopeoCopy(ref('private/multi:1'), ref('private/copy-by-skopeo:1'), { all: true, src: registry, dest: registry }));
    console.info(`token fetches, 3-platform index copied within one registry: ferry ${byFerry}, skopeo ${bySkopeo}; registry requests by ferry: ${log.length}`);
    expect(byFerry).toBeLessThanOrEqual(bySkopeo);
  });

  it('takes a constant number of tokens however many blobs an image has, where skopeo takes one per blob', async () => {
    // Six layers: skopeo asks for a token per blob it mounts or uploads in parallel.
    const wide = await buildImage({ layers: Array.from({ length: 6 }, (_, i) => ({ random: { size: 256 * 1024, seed: `layer-${i}` } })) });
    await pushWithSkopeo(wide, registry, 'private/wide:1');
    const byFerry = await tokenFetches(() => ferryOk(['copy', '--quiet', ...bothCreds(), ref('private/wide:1'), ref('private/wide-by-ferry:1')]));
    const bySkopeo = await tokenFetches(() => skopeoCopy(ref('private/wide:1'), ref('private/wide-by-skopeo:1'), { src: registry, dest: registry }));
    // Pushing from a layout needs only the destination's token (--no-cache: the blob cache
    // knows these blobs from earlier copies, and mounting them needs pull on their repository).
    const pushByFerry = await tokenFetches(() => ferryOk(['copy', '--quiet', '--no-cache', '--dest-creds', `${registry.username}:${registry.password}`, index.ociRef, ref('private/pushed:1')]));
    console.info(`token fetches, 6-layer image copied within one registry: ferry ${byFerry}, skopeo ${bySkopeo}; 3-platform index pushed from a layout: ferry ${pushByFerry}`);
    expect(byFerry).toBeLessThanOrEqual(MAX_TOKEN_FETCHES_REGISTRY_COPY);
    expect(byFerry).toBeLessThan(bySkopeo);
    expect(pushByFerry).toBe(1);
    expect(await skopeoInspectRaw(registry, 'private/wide-by-ferry:1')).toBe(wide.manifestBytes.toString());
    expect(await skopeoInspectRaw(registry, 'private/pushed:1')).toBe(index.indexBytes.toString());
  });

  it('refuses a wrong password in one line naming the token server refusal', async () => {
    const run = await runFerry(['inspect', '--creds', 'ferry:wrong', ref('private/app:1')]);
    const line = oneLineError(run);
    expect(run.code).toBe(1);
    expect(line).toMatch(/HTTP 401\b/);
    expect(line).not.toContain('wrong');
  });
});

describe('htpasswd over TLS', () => {
  let registry: RunningRegistry;
  let image: BuiltImage;
  const creds = (): string[] => ['--creds', `${registry.username}:${registry.password}`];
  const ref = (repoRef: string): string => dockerRef(registry, repoRef);
  const certDir = (): string => registry.certDir ?? '';

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'htpasswd-tls' });
    image = await buildImage({ env: ['TLS=1'] });
    await pushWithSkopeo(image, registry, 'secure/app:1');
  });
  afterAll(() => registry?.stop());

  it('works with --cert-dir pointing at the registry CA', async () => {
    const out = await ferryJson(['inspect', '--cert-dir', certDir(), ...creds(), ref('secure/app:1')]);
    expect(out).toMatchObject({ Digest: image.digest, Env: ['TLS=1'], RepoTags: ['1'] });
    const tags = await ferryJson(['list-tags', '--cert-dir', certDir(), ...creds(), dockerRef(registry, 'secure/app')]);
    expect(tags).toEqual({ Repository: registry.ref('secure/app'), Tags: ['1'] });
  });

  it('fails with a one-line TLS error without the CA, and does not fall back to plain HTTP', async () => {
    const mark = await registry.mark();
    const run = await runFerry(['inspect', ...creds(), ref('secure/app:1')]);
    const line = oneLineError(run);
    expect(run.code).toBe(1);
    expect(line).toMatch(/TLS/);
    expect(line).toContain(registry.host);
    expect(line).toMatch(/--cert-dir|--tls-verify/);
    // The handshake failed, so no request reached the registry's HTTP layer.
    expect(await registry.accessLog(mark)).toEqual([]);
  });

  it('works with --tls-verify=false', async () => {
    const out = await ferryJson(['inspect', '--tls-verify=false', ...creds(), ref('secure/app:1')]);
    expect(out.Digest).toBe(image.digest);
    const raw = await ferryOk(['inspect', '--raw', '--tls-verify=false', ...creds(), ref('secure/app:1')]);
    expect(raw.stdoutBytes.equals(image.manifestBytes)).toBe(true);
  });

  it('refuses a wrong password, and missing credentials, with a one-line 401 error', async () => {
    const wrong = await runFerry(['inspect', '--cert-dir', certDir(), '--creds', 'ferry:not-the-password', ref('secure/app:1')]);
    const line = oneLineError(wrong);
    expect(wrong.code).toBe(1);
    expect(line).toMatch(/HTTP 401\b/);
    expect(line).toContain(registry.ref('secure/app'));
    expect(line).not.toContain('not-the-password');
    const none = await runFerry(['inspect', '--cert-dir', certDir(), ref('secure/app:1')]);
    expect(oneLineError(none)).toMatch(/HTTP 401\b/);
    expect(none.code).toBe(1);
  });

  describe('credentials from files and helpers', () => {
    let dir: string;
    const basic = (): string => Buffer.from(`${registry.username}:${registry.password}`).toString('base64');

    beforeAll(async () => {
      dir = await scratchDir('auth-sources');
    });

    it('reads --authfile', async () => {
      const authFile = join(dir, 'auth.json');
      await writeFile(authFile, JSON.stringify({ auths: { [registry.host]: { auth: basic() } } }));
      const out = await ferryJson(['inspect', '--cert-dir', certDir(), '--authfile', authFile, ref('secure/app:1')]);
      expect(out.Digest).toBe(image.digest);
      // An auth file with nothing for this registry means anonymous, which the registry refuses.
      const other = join(dir, 'other.json');
      await writeFile(other, JSON.stringify({ auths: { 'registry.example:5000': { auth: basic() } } }));
      const refused = await runFerry(['inspect', '--cert-dir', certDir(), '--authfile', other, ref('secure/app:1')]);
      expect(oneLineError(refused)).toMatch(/HTTP 401\b/);
    });

    it('reads REGISTRY_AUTH_FILE, with an https:// key as docker writes them', async () => {
      const authFile = join(dir, 'env-auth.json');
      await writeFile(authFile, JSON.stringify({ auths: { [`https://${registry.host}`]: { auth: basic() } } }));
      const out = await ferryJson(['inspect', '--cert-dir', certDir(), ref('secure/app:1')], { env: { REGISTRY_AUTH_FILE: authFile } });
      expect(out.Digest).toBe(image.digest);
    });

    it('asks the credsStore helper named in DOCKER_CONFIG/config.json', async () => {
      const bin = join(dir, 'bin');
      const dockerConfig = join(dir, 'docker');
      const calls = join(dir, 'helper-calls.log');
      await mkdir(bin, { recursive: true });
      await mkdir(dockerConfig, { recursive: true });
      // A docker-credential-helpers protocol speaker: server URL on stdin, JSON on stdout.
      const script = [
        '#!/bin/sh',
        'read -r server',
        `echo "$1 $server" >> '${calls}'`,
        'if [ "$1" = get ] && [ "$server" = "$FERRY_TEST_HELPER_HOST" ]; then',
        `  printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\\n' "$server" '${registry.username}' '${registry.password}'`,
        '  exit 0',
        'fi',
        'echo "credentials not found in native keychain"',
        'exit 1',
        '',
      ].join('\n');
      const helper = join(bin, 'docker-credential-ferrytest');
      await writeFile(helper, script);
      await chmod(helper, 0o755);
      await writeFile(join(dockerConfig, 'config.json'), JSON.stringify({ auths: {}, credsStore: 'ferrytest' }));
      const env = { DOCKER_CONFIG: dockerConfig, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, FERRY_TEST_HELPER_HOST: registry.host };

      const out = await ferryJson(['inspect', '--cert-dir', certDir(), ref('secure/app:1')], { env });
      expect(out.Digest).toBe(image.digest);
      expect((await readFile(calls, 'utf8')).trim().split('\n')).toEqual([`get ${registry.host}`]);

      // The helper knowing nothing about the host means anonymous access, refused here.
      const unknown = await runFerry(['inspect', '--cert-dir', certDir(), ref('secure/app:1')], { env: { ...env, FERRY_TEST_HELPER_HOST: 'elsewhere' } });
      expect(oneLineError(unknown)).toMatch(/HTTP 401\b/);
    });

    it('names a missing helper in one line', async () => {
      const dockerConfig = join(dir, 'docker-missing');
      await mkdir(dockerConfig, { recursive: true });
      await writeFile(join(dockerConfig, 'config.json'), JSON.stringify({ credsStore: 'ferry-not-installed' }));
      const run = await runFerry(['inspect', '--cert-dir', certDir(), ref('secure/app:1')], { env: { DOCKER_CONFIG: dockerConfig } });
      const line = oneLineError(run);
      expect(line).toContain('docker-credential-ferry-not-installed');
      expect(run.code).toBe(1);
    });
  });
});

describe('token auth: the credential helper and auth files work there too', () => {
  let registry: RunningRegistry;
  let image: BuiltImage;
  beforeAll(async () => {
    registry = await startRegistry({ mode: 'token' });
    image = await buildImage();
    await pushWithSkopeo(image, registry, 'team/app:1');
  });
  afterAll(() => registry?.stop());

  it('uses an auth file entry to fetch bearer tokens as that user', async () => {
    const dir = await scratchDir('token-authfile');
    const authFile = join(dir, 'auth.json');
    const basic = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
    await writeFile(authFile, JSON.stringify({ auths: { [registry.host]: { auth: basic } } }));
    registry.tokenServer?.resetRequests();
    const out = await ferryJson(['inspect', '--authfile', authFile, dockerRef(registry, 'team/app:1')]);
    expect(out.Digest).toBe(image.digest);
    const fetched = registry.tokenServer?.requests() ?? [];
    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.every((r) => r.account === 'ferry')).toBe(true);
    // Without it the token server grants nothing and the registry says 401.
    const error = await rejects(ferryJson(['inspect', dockerRef(registry, 'team/app:1')]));
    expect(error.message).toMatch(/HTTP 401/);
  });
});
