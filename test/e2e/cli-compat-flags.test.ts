// skopeo's flags that are not about images: global ones (--command-timeout,
// --user-agent-prefix, --tmpdir, --policy), connection spellings (--username/--password),
// retries (--retry-delay), login's --get-login / --compat-auth-file, the refusals, and
// --error-format json. Against real registries; a fault proxy stalls or fails answers.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, oneLineError, runFerry } from '../support/ferry-cli.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { buildImage, pushWithSkopeo, type BuiltImage } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';

let plain: RunningRegistry;
let secure: RunningRegistry;
let proxy: FaultProxy;
let image: BuiltImage;
let dir: string;

beforeAll(async () => {
  [plain, secure] = await Promise.all([startRegistry({ mode: 'plain' }), startRegistry({ mode: 'htpasswd-tls' })]);
  image = await buildImage({ labels: { version: '2' } });
  await Promise.all([pushWithSkopeo(image, plain, 'app:v1'), pushWithSkopeo(image, secure, 'app:v1')]);
  proxy = await startFaultProxy(plain);
  dir = await scratchDir('compat-flags');
});
afterAll(async () => {
  await proxy?.close();
  await Promise.all([plain?.stop(), secure?.stop()]);
});

describe('--error-format json', () => {
  it('a missing image: one JSON object with the code, exit status, HTTP status and registry code', async () => {
    const run = await runFerry(['--error-format', 'json', 'inspect', `docker://${plain.ref('app:nope')}`]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderrLines).toHaveLength(1);
    expect(JSON.parse(run.stderrLines[0] ?? '')).toEqual({
      error: {
        code: 'ERR_NOT_FOUND',
        message: `reading manifest docker://${plain.ref('app:nope')}: HTTP 404 MANIFEST_UNKNOWN: manifest unknown`,
        exitStatus: 2,
        httpStatus: 404,
        registryCode: 'MANIFEST_UNKNOWN',
        location: `docker://${plain.ref('app:nope')}`,
      },
    });
  });

  it("commander's own errors and ferry's refusals follow it too, placed after the command", async () => {
    const unknown = await runFerry(['inspect', '--bogus', '--error-format=json', `docker://${plain.ref('app:v1')}`]);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stderr)).toEqual({ error: { code: 'ERR_USAGE', message: "unknown option '--bogus'", exitStatus: 1 } });
    const refused = await runFerry(['inspect', '--daemon-host', 'unix:///x', '--error-format', 'json', `docker://${plain.ref('app:v1')}`]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: { code: 'ERR_UNSUPPORTED', message: '--daemon-host: not supported: ferry has no docker-daemon: transport' } });
  });

  it('--help and --version still exit 0; a bad --error-format value is a usage error', async () => {
    expect((await runFerry(['--help'])).code).toBe(0);
    expect((await runFerry(['inspect', '--help'])).code).toBe(0);
    expect((await runFerry(['--version'])).code).toBe(0);
    const bad = await runFerry(['--error-format', 'xml', 'inspect', 'oci:/x']);
    expect(oneLineError(bad)).toMatch(/^ferry: \[ERR_USAGE\] option '--error-format <format>' argument 'xml' is invalid/);
    expect(bad.code).toBe(1);
  });
});

describe('global flags', () => {
  it('--command-timeout stops a command the registry stalls, with ERR_TIMEOUT and exit 1', async () => {
    proxy.setRules([{ method: 'GET', uri: '/manifests/v1', action: { kind: 'throttle', bytesPerSecond: 1 } }]);
    try {
      const run = await runFerry(['--command-timeout', '2s', 'inspect', '--retry-times', '0', `docker://${proxy.ref('app:v1')}`]);
      expect(oneLineError(run)).toBe('ferry: [ERR_TIMEOUT] command timed out after 2s (--command-timeout)');
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
    } finally {
      proxy.setRules([]);
    }
  });

  it('--command-timeout takes Go durations only; a bare number is refused before any request', async () => {
    const mark = await plain.mark();
    const run = await runFerry(['--command-timeout', '30', 'inspect', `docker://${plain.ref('app:v1')}`]);
    expect(oneLineError(run)).toBe('ferry: [ERR_USAGE] --command-timeout takes a duration such as 2s, 500ms or 1m30s, not "30" (missing unit)');
    expect(await plain.accessLog(mark)).toEqual([]);
  });

  it('--user-agent-prefix goes before ferry\'s User-Agent on every request', async () => {
    const mark = await plain.mark();
    const run = await runFerry(['--user-agent-prefix', 'ci-job/42', 'inspect', '--format', '{{.Digest}}', `docker://${plain.ref('app:v1')}`]);
    expect(run.stdout).toBe(`${image.digest}\n`);
    const log = await plain.accessLog(mark);
    expect(log.length).toBeGreaterThan(0);
    for (const entry of log) expect(entry.userAgent).toMatch(/^ci-job\/42 ferry\/\d+\.\d+\.\d+$/);
  });

  it('--tmpdir must be a directory', async () => {
    const run = await runFerry(['--tmpdir', join(dir, 'nope'), 'inspect', `docker://${plain.ref('app:v1')}`]);
    expect(oneLineError(run)).toBe(`ferry: [ERR_USAGE] --tmpdir: "${join(dir, 'nope')}" is not a directory`);
    const tmp = join(dir, 'tmp');
    await mkdir(tmp);
    const ok = await runFerry(['--tmpdir', tmp, 'copy', '--quiet', `docker://${plain.ref('app:v1')}`, `docker-archive:${join(dir, 'app.tar')}:app:v1`]);
    expect(ok.code, describeRun(ok)).toBe(0);
  });

  it.each([
    [['--require-signed'], '--require-signed: not supported: ferry neither verifies nor writes signatures'],
    [['--registries-conf', '/etc/containers/registries.conf'], '--registries-conf: not supported: ferry does not read registries.conf (no mirrors, short names or blocked registries); use full docker:// references and per-command TLS flags'],
    [['--tls-details', '/x.yaml'], "--tls-details: not supported: ferry uses Node's TLS defaults (TLS 1.2 or later)"],
  ])('%j is refused in one line before any request', async (flags, message) => {
    const mark = await plain.mark();
    const run = await runFerry([...flags, 'inspect', `docker://${plain.ref('app:v1')}`]);
    expect(oneLineError(run)).toBe(`ferry: [ERR_UNSUPPORTED] ${message}`);
    expect(run.code).toBe(1);
    expect(await plain.accessLog(mark)).toEqual([]);
  });
});

describe('connection and retry spellings', () => {
  it('--username/--password work as --creds does, and conflict with it', async () => {
    const ref = `docker://${secure.ref('app:v1')}`;
    const tls = ['--cert-dir', secure.certDir ?? ''];
    const ok = await runFerry(['inspect', ...tls, '--username', secure.username ?? '', '--password', secure.password ?? '', '--format', '{{.Digest}}', ref]);
    expect(ok.stdout, describeRun(ok)).toBe(`${image.digest}\n`);
    const half = await runFerry(['inspect', ...tls, '--username', 'ferry', ref]);
    expect(oneLineError(half)).toBe('ferry: [ERR_USAGE] --username and --password go together');
    const both = await runFerry(['list-tags', ...tls, '--creds', 'a:b', '--username', 'a', '--password', 'b', `docker://${secure.ref('app')}`]);
    expect(oneLineError(both)).toBe('ferry: [ERR_USAGE] --creds cannot be used with --username or --password');
  });

  it('--retry-delay: two 503s, then the answer, with 2 retries', async () => {
    proxy.setRules([{ method: 'GET', uri: '/manifests/v1', times: 2, action: { kind: 'status', status: 503 } }]);
    proxy.resetRequests();
    try {
      const run = await runFerry(['inspect', '--retry-times', '2', '--retry-delay', '100ms', '--format', '{{.Digest}}', `docker://${proxy.ref('app:v1')}`]);
      expect(run.stdout, describeRun(run)).toBe(`${image.digest}\n`);
      expect(proxy.requests().filter((r) => r.method === 'GET' && r.uri.includes('/manifests/v1')).map((r) => r.status)).toEqual([503, 503, 200]);
    } finally {
      proxy.setRules([]);
    }
  });

  it('--retry-times 0 gives up at the first 503', async () => {
    proxy.setRules([{ method: 'GET', uri: '/manifests/v1', times: 1, action: { kind: 'status', status: 503 } }]);
    try {
      const run = await runFerry(['inspect', '--retry-times', '0', `docker://${proxy.ref('app:v1')}`]);
      expect(oneLineError(run)).toMatch(/^ferry: \[ERR_REGISTRY\] .*HTTP 503/);
      expect(run.code).toBe(1);
    } finally {
      proxy.setRules([]);
    }
  });

  it.each([
    [['inspect', '--retry-times', '-1'], '--retry-times takes a whole number of 0 or more, not "-1"'],
    [['inspect', '--retry-delay', 'soon'], '--retry-delay takes a duration such as 2s, 500ms or 1m30s, not "soon" (unexpected "soon")'],
    [['copy', '--jobs', '2.5'], '--jobs takes a whole number from 1 to 1024, not "2.5"'],
    [['copy', '--dest-compress-format', 'gzip', '--dest-compress-level', '12'], '--dest-compress-level for gzip must be 1–9, not "12"'],
    [['copy', '--dest-compress-level', 'max'], '--dest-compress-level takes a whole number from 1 to 22, not "max"'],
    [['sync', '--jobs', 'many'], '--jobs takes a whole number from 1 to 1024, not "many"'],
    [['manifest-merge', '--jobs', '0', '--target', 'docker://127.0.0.1:1/x:1'], '--jobs takes a whole number from 1 to 1024, not "0"'],
    [['inspect', '--manifest-digest', 'sha512'], '--manifest-digest: not supported: sha512 (ferry computes sha256 digests only)'],
  ])('%j: one line naming the flag and the value, exit 1', async (args, message) => {
    const operands = args[0] === 'copy' || args[0] === 'sync' ? [`docker://${plain.ref('app:v1')}`, `oci:${join(dir, 'never')}:x`] : [`docker://${plain.ref('app:v1')}`];
    const mark = await plain.mark();
    const run = await runFerry([...args, ...operands]);
    expect(oneLineError(run)).toMatch(/^ferry: \[ERR_(USAGE|UNSUPPORTED)\] /);
    expect(oneLineError(run).replace(/^ferry: \[\w+\] /, '')).toBe(message);
    expect(run.code).toBe(1);
    expect(await plain.accessLog(mark)).toEqual([]);
  });
});

describe('login --get-login and --compat-auth-file', () => {
  it('logs in into a docker config.json, reads the user back, and logs out of it', async () => {
    const config = join(dir, 'docker', 'config.json');
    const tls = ['--cert-dir', secure.certDir ?? ''];
    const login = await runFerry(['login', '-v', ...tls, '--compat-auth-file', config, '-u', secure.username ?? '', '--password-stdin', secure.host], { input: `${secure.password}\n` });
    expect(login.code, describeRun(login)).toBe(0);
    const doc = JSON.parse(await readFile(config, 'utf8')) as { auths: Record<string, unknown> };
    expect(Object.keys(doc.auths)).toEqual([secure.host]);
    const who = await runFerry(['login', '--get-login', '--compat-auth-file', config, secure.host]);
    expect(who.stdout, describeRun(who)).toBe(`${secure.username}\n`);
    const logout = await runFerry(['logout', '--tls-verify=false', '--compat-auth-file', config, secure.host]);
    expect(logout.code, describeRun(logout)).toBe(0);
    const nobody = await runFerry(['login', '--get-login', '--compat-auth-file', config, secure.host]);
    expect(oneLineError(nobody)).toBe(`ferry: [ERR_CREDENTIALS] not logged into ${secure.host}`);
    expect(nobody.code).toBe(1);
    const both = await runFerry(['login', '--get-login', '--authfile', config, '--compat-auth-file', config, secure.host]);
    expect(oneLineError(both)).toBe('ferry: [ERR_USAGE] --authfile and --compat-auth-file cannot be used together');
  });
});
