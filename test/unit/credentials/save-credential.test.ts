import { chmod, lstat, mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CredentialStoreOptions } from '../../../src/credentials/options.js';
import { resolveCredential } from '../../../src/credentials/resolve-credential.js';
import { saveCredential } from '../../../src/credentials/save-credential.js';
import { b64, makeSandbox, type Sandbox } from './sandbox.js';

const ALICE = { kind: 'basic', username: 'alice', password: 'pw:1' } as const;

describe('saveCredential', () => {
  let sb: Sandbox;
  let runtimeFile: string;
  let configFile: string;
  let dockerFile: string;
  beforeEach(async () => {
    sb = await makeSandbox();
    runtimeFile = join(sb.runtime, 'containers/auth.json');
    configFile = join(sb.home, '.config/containers/auth.json');
    dockerFile = join(sb.home, '.docker/config.json');
  });
  afterEach(() => sb.cleanup());

  const opts = (env?: Record<string, string>, extra?: CredentialStoreOptions) => sb.storeOptions(env, extra);

  it('writes to $XDG_RUNTIME_DIR/containers/auth.json with mode 0600, creating the directory', async () => {
    const where = await saveCredential('r.io', ALICE, opts({ XDG_RUNTIME_DIR: sb.runtime }));
    expect(where).toEqual({ kind: 'file', path: runtimeFile });
    expect(await sb.readJson(runtimeFile)).toEqual({ auths: { 'r.io': { auth: b64('alice:pw:1') } } });
    expect(await sb.mode(runtimeFile)).toBe(0o600);
    expect(await sb.mode(dirname(runtimeFile))).toBe(0o700);
    expect(await resolveCredential('r.io', 'x', opts({ XDG_RUNTIME_DIR: sb.runtime }))).toEqual(ALICE);
  });

  it('falls back to ~/.config/containers/auth.json without XDG_RUNTIME_DIR', async () => {
    expect(await saveCredential('r.io', ALICE, opts())).toEqual({ kind: 'file', path: configFile });
    expect((await sb.readJson(configFile)).auths['r.io']).toEqual({ auth: b64('alice:pw:1') });
  });

  it('refuses to create a missing XDG_RUNTIME_DIR', async () => {
    const missing = join(sb.root, 'no-such-run');
    await expect(saveCredential('r.io', ALICE, opts({ XDG_RUNTIME_DIR: missing }))).rejects.toThrow(
      `XDG_RUNTIME_DIR is set to ${missing}, which does not exist`,
    );
  });

  it('writes to --authfile, or REGISTRY_AUTH_FILE, instead', async () => {
    const flag = join(sb.root, 'nested/dir/flag.json');
    const env = join(sb.root, 'env.json');
    await saveCredential('r.io', ALICE, opts({ XDG_RUNTIME_DIR: sb.runtime, REGISTRY_AUTH_FILE: env }, { authFile: flag }));
    await saveCredential('s.io', ALICE, opts({ XDG_RUNTIME_DIR: sb.runtime, REGISTRY_AUTH_FILE: env }));
    expect(Object.keys((await sb.readJson(flag)).auths)).toEqual(['r.io']);
    expect(Object.keys((await sb.readJson(env)).auths)).toEqual(['s.io']);
    await expect(readFile(runtimeFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps other entries and unknown fields, replaces old spellings of the host, and tightens the mode', async () => {
    await sb.writeJson(configFile, {
      auths: {
        'other.io': { auth: b64('bob:x'), email: 'bob@example.com' },
        'https://r.io/v1/': { auth: b64('old:old') },
        'r.io/team': { auth: b64('team:t') },
      },
      credHelpers: {},
      'x-custom': { keep: [1, 2, 3] },
    });
    await chmod(configFile, 0o644);
    await saveCredential('r.io', ALICE, opts());
    expect(await sb.readJson(configFile)).toEqual({
      auths: {
        'other.io': { auth: b64('bob:x'), email: 'bob@example.com' },
        'r.io/team': { auth: b64('team:t') },
        'r.io': { auth: b64('alice:pw:1') },
      },
      credHelpers: {},
      'x-custom': { keep: [1, 2, 3] },
    });
    expect(await sb.mode(configFile)).toBe(0o600);
  });

  it('saves a namespaced login under its own key', async () => {
    await saveCredential('r.io/team', ALICE, opts());
    expect(Object.keys((await sb.readJson(configFile)).auths)).toEqual(['r.io/team']);
    expect(await resolveCredential('r.io', 'team/app', opts())).toEqual(ALICE);
    expect(await resolveCredential('r.io', 'other/app', opts())).toBeUndefined();
  });

  it('saves Docker Hub as docker.io whatever spelling was given', async () => {
    await saveCredential('https://index.docker.io/v1/', ALICE, opts());
    expect(Object.keys((await sb.readJson(configFile)).auths)).toEqual(['docker.io']);
  });

  it('leaves no temporary files behind', async () => {
    await saveCredential('r.io', ALICE, opts());
    await saveCredential('s.io', ALICE, opts());
    expect(await readdir(dirname(configFile))).toEqual(['auth.json']);
  });

  it('writes through a symlinked auth file instead of replacing the link', async () => {
    const real = join(sb.root, 'dotfiles/auth.json');
    await sb.writeJson(real, { auths: {} });
    await mkdir(dirname(configFile), { recursive: true });
    await symlink(real, configFile);
    await saveCredential('r.io', ALICE, opts());
    expect((await lstat(configFile)).isSymbolicLink()).toBe(true);
    expect(Object.keys((await sb.readJson(real)).auths)).toEqual(['r.io']);
  });

  it('does not overwrite a malformed auth file', async () => {
    await sb.writeJson(configFile, '{"auths": {');
    await expect(saveCredential('r.io', ALICE, opts())).rejects.toThrow(`invalid auth file ${configFile}`);
    expect(await readFile(configFile, 'utf8')).toBe('{"auths": {');
  });

  describe('with a credential helper configured', () => {
    it('stores through docker config\'s credsStore instead of the file, and drops a stale plain entry', async () => {
      await sb.writeJson(dockerFile, { credsStore: 'ferrytest' });
      await sb.writeJson(configFile, { auths: { 'r.io': { auth: b64('stale:old') }, 'keep.io': { auth: b64('k:k') } } });
      const where = await saveCredential('r.io', ALICE, opts());
      expect(where).toEqual({ kind: 'helper', helper: 'docker-credential-ferrytest', origin: `credsStore in ${dockerFile}` });
      expect(await sb.readJson(sb.storePath)).toEqual({ 'r.io': { Username: 'alice', Secret: 'pw:1' } });
      expect(await sb.readJson(configFile)).toEqual({ auths: { 'keep.io': { auth: b64('k:k') } } });
      expect(await sb.readJson(dockerFile)).toEqual({ credsStore: 'ferrytest' });
      expect(await resolveCredential('r.io', 'x', opts())).toEqual(ALICE);
    });

    it('uses a credHelpers entry for that host only', async () => {
      await sb.writeJson(dockerFile, { credHelpers: { 'r.io': 'ferrytest' } });
      expect((await saveCredential('r.io', ALICE, opts())).kind).toBe('helper');
      expect((await saveCredential('s.io', ALICE, opts())).kind).toBe('file');
      expect(Object.keys(await sb.readJson(sb.storePath))).toEqual(['r.io']);
    });

    it('gives Docker Hub to the helper under docker\'s server URL', async () => {
      await sb.writeJson(dockerFile, { credsStore: 'ferrytest' });
      await saveCredential('docker.io', ALICE, opts());
      expect(Object.keys(await sb.readJson(sb.storePath))).toEqual(['https://index.docker.io/v1/']);
    });

    it('with --authfile ignores docker config\'s helpers', async () => {
      await sb.writeJson(dockerFile, { credsStore: 'ferrytest' });
      const flag = join(sb.root, 'flag.json');
      expect(await saveCredential('r.io', ALICE, opts({}, { authFile: flag }))).toEqual({ kind: 'file', path: flag });
      await expect(readFile(sb.storePath)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('sends namespaced logins to the file, since helpers are keyed by host', async () => {
      await sb.writeJson(dockerFile, { credsStore: 'ferrytest' });
      expect(await saveCredential('r.io/team', ALICE, opts())).toEqual({ kind: 'file', path: configFile });
    });

    it('fails with the helper named and the file untouched when the helper fails', async () => {
      await sb.writeJson(dockerFile, { credsStore: 'ferrytest' });
      await sb.writeJson(configFile, { auths: { 'r.io': { auth: b64('stale:old') } } });
      await expect(saveCredential('r.io', ALICE, opts({ FERRYTEST_MODE: 'fail' }))).rejects.toThrow(/docker-credential-ferrytest store failed/);
      expect(Object.keys((await sb.readJson(configFile)).auths)).toEqual(['r.io']);
    });
  });
});
