import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CredentialStoreOptions } from '../../../src/credentials/options.js';
import { removeAllCredentials, removeCredential } from '../../../src/credentials/remove-credential.js';
import { saveCredential } from '../../../src/credentials/save-credential.js';
import { b64, makeSandbox, type Sandbox } from './sandbox.js';

describe('removeCredential / removeAllCredentials', () => {
  let sb: Sandbox;
  let configFile: string;
  let dockerFile: string;
  beforeEach(async () => {
    sb = await makeSandbox();
    configFile = join(sb.home, '.config/containers/auth.json');
    dockerFile = join(sb.home, '.docker/config.json');
  });
  afterEach(() => sb.cleanup());

  const opts = (env?: Record<string, string>, extra?: CredentialStoreOptions) => sb.storeOptions(env, extra);

  it('removes every spelling of the host and keeps other entries, unknown fields and mode 0600', async () => {
    await sb.writeJson(configFile, {
      auths: {
        'r.io': { auth: b64('a:a') },
        'https://r.io/v1/': { auth: b64('b:b') },
        'r.io/team': { auth: b64('t:t') },
        'keep.io': { auth: b64('k:k') },
      },
      'x-custom': true,
    });
    expect(await removeCredential('r.io', opts())).toEqual([{ kind: 'file', path: configFile }]);
    expect(await sb.readJson(configFile)).toEqual({
      auths: { 'r.io/team': { auth: b64('t:t') }, 'keep.io': { auth: b64('k:k') } },
      'x-custom': true,
    });
    expect(await sb.mode(configFile)).toBe(0o600);
  });

  it('removes only the namespaced key when given host/namespace', async () => {
    await sb.writeJson(configFile, { auths: { 'r.io': { auth: b64('a:a') }, 'r.io/team': { auth: b64('t:t') } } });
    await removeCredential('r.io/team', opts());
    expect(Object.keys((await sb.readJson(configFile)).auths)).toEqual(['r.io']);
  });

  it('says "not logged into" when there is nothing to remove, without creating a file', async () => {
    await expect(removeCredential('r.io', opts())).rejects.toMatchObject({ code: 'ERR_CREDENTIALS', message: 'not logged into r.io' });
    await expect(readFile(configFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('points at docker logout when only docker\'s config has the host', async () => {
    await sb.writeJson(dockerFile, { auths: { 'https://index.docker.io/v1/': { auth: b64('d:d') } } });
    await expect(removeCredential('docker.io', opts())).rejects.toMatchObject({
      message: 'not logged into docker.io',
      hint: `its credentials in ${dockerFile} were saved by docker login, use docker logout`,
    });
  });

  it('points at the authFile option when another containers file has the host', async () => {
    await sb.writeJson(configFile, { auths: { 'r.io': { auth: b64('a:a') } } });
    const runtimeFile = join(sb.runtime, 'containers/auth.json');
    await expect(removeCredential('r.io', opts({ XDG_RUNTIME_DIR: sb.runtime }))).rejects.toMatchObject({
      message: 'not logged into r.io',
      hint: `it has credentials in ${configFile}: use \`authFile\` ${configFile}`,
    });
    await expect(readFile(runtimeFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('edits only --authfile when given', async () => {
    const flag = join(sb.root, 'flag.json');
    await sb.writeJson(flag, { auths: { 'r.io': { auth: b64('a:a') } } });
    await sb.writeJson(configFile, { auths: { 'r.io': { auth: b64('c:c') } } });
    await removeCredential('r.io', opts({}, { authFile: flag }));
    expect((await sb.readJson(flag)).auths).toEqual({});
    expect(Object.keys((await sb.readJson(configFile)).auths)).toEqual(['r.io']);
  });

  it('erases from the credential helper login stored into', async () => {
    await sb.writeJson(dockerFile, { credsStore: 'ferrytest' });
    await saveCredential('r.io', { kind: 'basic', username: 'u', password: 'p' }, opts());
    await saveCredential('s.io', { kind: 'basic', username: 'u', password: 'p' }, opts());
    expect(await removeCredential('r.io', opts())).toEqual([
      { kind: 'helper', helper: 'docker-credential-ferrytest', origin: `credsStore in ${dockerFile}` },
    ]);
    expect(Object.keys(await sb.readJson(sb.storePath))).toEqual(['s.io']);
    await expect(removeCredential('r.io', opts())).rejects.toThrow('not logged into r.io');
    expect((await sb.helperCalls()).map((c) => c.action)).toEqual(['store', 'store', 'erase', 'erase']);
  });

  it('removes a stale file entry and the helper entry together', async () => {
    await sb.writeJson(dockerFile, { credHelpers: { 'r.io': 'ferrytest' } });
    await saveCredential('r.io', { kind: 'basic', username: 'u', password: 'p' }, opts());
    await sb.writeJson(configFile, { auths: { 'r.io': { auth: b64('old:old') } } });
    expect((await removeCredential('r.io', opts())).map((d) => d.kind)).toEqual(['helper', 'file']);
  });

  it('--all empties auths in the login file only, keeping other fields', async () => {
    await sb.writeJson(configFile, {
      auths: { 'a.io': { auth: b64('a:a') }, 'b.io/team': { auth: b64('b:b') } },
      credHelpers: { 'c.io': 'ferrytest' },
    });
    await sb.writeJson(dockerFile, { auths: { 'd.io': { auth: b64('d:d') } } });
    expect(await removeAllCredentials(opts())).toEqual(['a.io', 'b.io/team']);
    expect(await sb.readJson(configFile)).toEqual({ auths: {}, credHelpers: { 'c.io': 'ferrytest' } });
    expect(await sb.mode(configFile)).toBe(0o600);
    expect(Object.keys((await sb.readJson(dockerFile)).auths)).toEqual(['d.io']);
    expect(await removeAllCredentials(opts())).toEqual([]);
  });

  it('--all with no auth file is a no-op that creates nothing', async () => {
    expect(await removeAllCredentials(opts({ XDG_RUNTIME_DIR: sb.runtime }))).toEqual([]);
    await expect(readFile(join(sb.runtime, 'containers/auth.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
