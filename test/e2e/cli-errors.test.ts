// The CLI's error contract, end to end: every failure is exactly one stderr
// line starting with "ferry: ", a non-zero exit status, and no stack trace.
// And `--debug` shows the requests without ever showing a secret.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, ferryJson, ferryOk, oneLineError, runFerry, type FerryRun } from '../support/ferry-cli.js';
import { buildImage, pushWithSkopeo, type BuiltImage } from '../support/fixtures.js';
import { freePort } from '../support/free-port.js';
import { probe } from '../support/http-probe.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { dockerRef } from '../support/skopeo.js';

const ZERO_DIGEST = `sha256:${'0'.repeat(64)}`;

/** A JWT anywhere in the text (header.payload.signature, base64url). */
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

/** Asserts none of the secrets, no JWT, no Authorization value and no upload state made it into the text. */
function expectNoSecrets(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) expect(text.includes(secret), `secret "${secret.slice(0, 6)}…" in:\n${text}`).toBe(false);
  expect(text).not.toMatch(JWT);
  expect(text).not.toMatch(/\b(?:Bearer|Basic) [A-Za-z0-9+/=._-]{8,}/);
  for (const match of text.matchAll(/authorization["':=\s]+(\S+)/gi)) expect(match[1]).toMatch(/REDACTED/);
  for (const match of text.matchAll(/_state=([^&\s]*)/g)) expect(match[1]).toBe('REDACTED');
}

describe('one-line errors without a registry', () => {
  it.each([
    ['an upper-case repository', ['inspect', 'docker://127.0.0.1:5000/App:v1'], /invalid reference .*App.*lowercase/],
    ['a malformed digest', ['inspect', 'docker://127.0.0.1:5000/app@sha256:abc'], /invalid reference .*digest/],
    ['an unknown transport', ['inspect', 'foo://127.0.0.1:5000/app'], /invalid reference .*transport/],
    ['a missing transport', ['inspect', '127.0.0.1:5000/app:v1'], /invalid reference .*transport/],
    ['a bad reference on copy', ['copy', 'oci:/tmp/x', 'docker://127.0.0.1:5000/BAD'], /invalid reference/],
    ['a tag given to list-tags', ['list-tags', 'docker://127.0.0.1:5000/app:v1'], /list-tags takes a repository/],
    ['an unknown option', ['inspect', '--bogus', 'docker://127.0.0.1:5000/app'], /unknown option '--bogus'/],
    ['a missing argument', ['inspect'], /missing required argument/],
    ['an unknown command', ['frobnicate'], /unknown command/],
    ['a bad --tls-verify value', ['inspect', '--tls-verify=maybe', 'docker://127.0.0.1:5000/app'], /--tls-verify/],
  ])('%s: exit 1, ERR_USAGE or ERR_REFERENCE', async (_name, args, pattern) => {
    const run = await runFerry(args);
    const line = oneLineError(run);
    expect(line).toMatch(pattern);
    expect(line).toMatch(/^ferry: \[ERR_(USAGE|REFERENCE)\] /);
    expect(run.code, describeRun(run)).toBe(1);
    expect(run.stdout).toBe('');
  });

  it('a registry that is not listening: exit 1, ERR_NETWORK, naming the host', async () => {
    const port = await freePort();
    const runs: Array<Promise<FerryRun>> = [];
    for (const args of [
      ['inspect', `docker://127.0.0.1:${port}/app:v1`],
      ['inspect', '--digest', `docker://127.0.0.1:${port}/app:v1`],
      ['list-tags', `docker://127.0.0.1:${port}/app`],
      ['copy', '--quiet', `docker://127.0.0.1:${port}/app:v1`, `docker://127.0.0.1:${port}/other:v1`],
    ]) {
      runs.push(runFerry([...args, '--retry-times', '0']));
    }
    for (const run of await Promise.all(runs)) {
      const line = oneLineError(run);
      expect(run.code, describeRun(run)).toBe(1);
      expect(line).toMatch(/^ferry: \[ERR_NETWORK\] /);
      expect(line).toContain(`127.0.0.1:${port}`);
      expect(line).toMatch(/ECONNREFUSED|cannot reach/);
    }
  });

  it('a missing OCI layout: one line naming the path', async () => {
    const missing = join(await scratchDir('missing'), 'no-such-layout');
    const runs: Array<Promise<FerryRun>> = [];
    for (const args of [
      ['inspect', `oci:${missing}:latest`],
      ['inspect', '--raw', `oci:${missing}`],
      ['list-tags', `oci:${missing}`],
      ['copy', '--quiet', `oci:${missing}:latest`, `oci:${missing}-copy:latest`],
    ]) {
      runs.push(runFerry(args));
    }
    for (const run of await Promise.all(runs)) {
      const line = oneLineError(run);
      expect(line).toContain(missing);
      expect(run.code).not.toBe(0);
    }
    // A directory that is there but is no layout.
    const empty = join(await scratchDir('empty'), 'empty');
    await mkdir(empty);
    const run = await runFerry(['inspect', `oci:${empty}:latest`]);
    expect(oneLineError(run)).toContain(empty);
  });
});

describe('one-line errors from a token-auth registry', () => {
  let registry: RunningRegistry;
  let image: BuiltImage;
  const creds = (): string[] => ['--creds', `${registry.username}:${registry.password}`];
  const ref = (repoRef: string): string => dockerRef(registry, repoRef);

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'token' });
    image = await buildImage();
    await pushWithSkopeo(image, registry, 'team/app:v1');
  });
  afterAll(() => registry?.stop());

  it('an unknown tag: exit 2, with the HTTP status and MANIFEST_UNKNOWN', async () => {
    const run = await runFerry(['inspect', ...creds(), ref('team/app:nope')]);
    expect(oneLineError(run)).toBe(`ferry: [ERR_NOT_FOUND] reading manifest ${ref('team/app:nope')}: HTTP 404 MANIFEST_UNKNOWN: manifest unknown`);
    expect(run.code).toBe(2);
  });

  it('an unknown digest, and an unknown tag asked with --digest or --raw: exit 2, HTTP 404', async () => {
    const runs = await Promise.all(
      [
        ['inspect', ...creds(), ref(`team/app@${ZERO_DIGEST}`)],
        ['inspect', '--raw', ...creds(), ref('team/app:nope')],
        ['inspect', '--digest', ...creds(), ref('team/app:nope')],
      ].map((args) => runFerry(args)),
    );
    for (const run of runs) {
      const line = oneLineError(run);
      expect(line).toMatch(/HTTP 404 MANIFEST_UNKNOWN\b/);
      expect(line).toContain(registry.ref('team/app'));
      expect(run.code).toBe(2);
    }
  });

  it('an unknown repository: exit 2, HTTP 404 (NAME_UNKNOWN for its tag list)', async () => {
    const inspect = await runFerry(['inspect', ...creds(), ref('team/nothing-here:v1')]);
    expect(oneLineError(inspect)).toMatch(/team\/nothing-here.*HTTP 404 \w+_UNKNOWN/);
    expect(inspect.code).toBe(2);
    const tags = await runFerry(['list-tags', ...creds(), ref('team/nothing-here')]);
    expect(oneLineError(tags)).toMatch(/team\/nothing-here.*HTTP 404 NAME_UNKNOWN/);
    expect(tags.code).toBe(2);
  });

  it('wrong credentials: exit 1, ERR_UNAUTHORIZED, HTTP 401, the password not echoed', async () => {
    const run = await runFerry(['inspect', '--creds', 'ferry:Sup3r-wrong', ref('team/app:v1')]);
    const line = oneLineError(run);
    expect(line).toMatch(/^ferry: \[ERR_UNAUTHORIZED\] .*HTTP 401\b/);
    expect(line).not.toContain('Sup3r-wrong');
    expect(run.code).toBe(1);
  });

  it('--debug logs each request line but no password, bearer token or upload state', async () => {
    const password = registry.password ?? '';
    const basic = Buffer.from(`${registry.username}:${password}`).toString('base64');
    const runs: FerryRun[] = [];
    // A read, and a push, whose upload URLs carry _state.
    runs.push(await ferryOk(['inspect', '--debug', ...creds(), ref('team/app:v1')]));
    const fresh = await buildImage({ layers: [{ files: { 'etc/debug': 'yes\n' } }, { random: { size: 32 * 1024 } }] });
    runs.push(await ferryOk(['copy', '--debug', '--quiet', '--dest-creds', `${registry.username}:${password}`, fresh.ociRef, ref('team/pushed:v1')]));
    // A failure with --debug prints a stack (on purpose), still without secrets.
    runs.push(await runFerry(['inspect', '--debug', ...creds(), ref('team/app:nope')]));
    expect(runs[2]?.code).toBe(2);
    const [inspect, push] = runs;
    expect(inspect?.stderr).toMatch(new RegExp(`HTTP GET http://${registry.host.replace('.', '\\.')}/v2/team/app/manifests/v1 -> 200`));
    expect(inspect?.stderr).toMatch(/token GET http:\/\/127\.0\.0\.1:\d+\/token scopes=\[repository:team\/app:pull\] -> 200/);
    // The uploads appear, with their state redacted.
    expect(push?.stderr).toMatch(/HTTP (PUT|PATCH) http:\/\/\S+\/v2\/team\/pushed\/blobs\/uploads\/\S*_state=REDACTED/);
    for (const run of runs) expectNoSecrets(run.stderr + run.stdout, [password, basic]);
  });

  it('a token given with --registry-token is used and never printed', async () => {
    const tokenServer = registry.tokenServer;
    if (!tokenServer) throw new Error('token mode without a token server');
    const res = await probe(`${tokenServer.realm}?service=${tokenServer.service}&scope=repository:team/app:pull`, {
      basicAuth: { username: registry.username ?? '', password: registry.password ?? '' },
    });
    const token = res.json<{ token: string }>().token;
    expect(token).toMatch(JWT);
    const run = await ferryOk(['inspect', '--debug', '--registry-token', token, ref('team/app:v1')]);
    expect((JSON.parse(run.stdout) as { Digest: string }).Digest).toBe(image.digest);
    expect(run.stderr).toContain('HTTP GET');
    expectNoSecrets(run.stderr, [token, token.split('.')[2] ?? token]);
  });
});

describe('--debug against Basic auth over TLS', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ mode: 'htpasswd-tls' });
    await pushWithSkopeo(await buildImage(), registry, 'app:v1');
  });
  afterAll(() => registry?.stop());

  it('never logs the Basic credentials, on success or on a 401', async () => {
    const password = registry.password ?? '';
    const good = await ferryOk(['inspect', '--debug', '--cert-dir', registry.certDir ?? '', '--creds', `${registry.username}:${password}`, dockerRef(registry, 'app:v1')]);
    expect(good.stderr).toMatch(/HTTP GET https:\/\/\S+\/v2\/app\/manifests\/v1 -> 200/);
    expectNoSecrets(good.stderr, [password, Buffer.from(`${registry.username}:${password}`).toString('base64')]);
    const bad = await runFerry(['inspect', '--debug', '--cert-dir', registry.certDir ?? '', '--creds', 'ferry:Wr0ng-pass', dockerRef(registry, 'app:v1')]);
    expect(bad.code).toBe(1);
    expect(bad.stderrLines.filter((l) => l.startsWith('ferry: '))).toHaveLength(1);
    expectNoSecrets(bad.stderr, ['Wr0ng-pass', Buffer.from('ferry:Wr0ng-pass').toString('base64')]);
    // Without --debug the same failure is one line.
    expect(oneLineError(await runFerry(['inspect', '--cert-dir', registry.certDir ?? '', '--creds', 'ferry:Wr0ng-pass', dockerRef(registry, 'app:v1')]))).toMatch(/HTTP 401/);
    const ok = await ferryJson(['inspect', '--cert-dir', registry.certDir ?? '', '--creds', `${registry.username}:${password}`, dockerRef(registry, 'app:v1')]);
    expect(ok.RepoTags).toEqual(['v1']);
  });
});
