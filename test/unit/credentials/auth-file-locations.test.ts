import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authFileSearchPath, loginAuthFilePath } from '../../../src/credentials/auth-file-paths.js';
import { resolveCredential } from '../../../src/credentials/resolve-credential.js';
import { b64, makeSandbox, type Sandbox } from './sandbox.js';

const HOST = 'registry.example.com';
const entry = (user: string) => ({ auths: { [HOST]: { auth: b64(`${user}:pw`) } } });

describe('auth file locations', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await makeSandbox();
  });
  afterEach(() => sb.cleanup());

  /** Which file answered: each file's user name says where it lives. */
  async function who(env: Record<string, string | undefined>, authFile?: string): Promise<string | undefined> {
    const cred = await resolveCredential(HOST, 'team/app', { env: sb.env(env), homedir: sb.home, authFile });
    return cred?.kind === 'basic' ? cred.username : cred?.kind;
  }

  it('lists the search path in the order podman and skopeo use', () => {
    const env = sb.env({ XDG_RUNTIME_DIR: sb.runtime });
    expect(authFileSearchPath({ env, homedir: sb.home }).map((l) => [l.source, l.path])).toEqual([
      ['XDG_RUNTIME_DIR', join(sb.runtime, 'containers/auth.json')],
      ['user-config', join(sb.home, '.config/containers/auth.json')],
      ['docker-config', join(sb.home, '.docker/config.json')],
      ['docker-legacy', join(sb.home, '.dockercfg')],
    ]);
  });

  it('reads the files in precedence order, each shadowing the ones after it', async () => {
    const custom = join(sb.root, 'docker-cfg');
    const env = { XDG_RUNTIME_DIR: sb.runtime, DOCKER_CONFIG: custom };
    const files: [string, unknown][] = [
      [join(sb.runtime, 'containers/auth.json'), entry('runtime')],
      [join(sb.home, '.config/containers/auth.json'), entry('config')],
      [join(custom, 'config.json'), entry('docker-config-env')],
      [join(sb.home, '.dockercfg'), { [`https://${HOST}/v1/`]: { auth: b64('legacy:pw') } }],
    ];
    for (const [path, value] of files) await sb.writeJson(path, value);
    expect(await who(env)).toBe('runtime');
    await rm(files[0]![0]);
    expect(await who(env)).toBe('config');
    await rm(files[1]![0]);
    expect(await who(env)).toBe('docker-config-env');
    await rm(files[2]![0]);
    expect(await who(env)).toBe('legacy');
    await rm(files[3]![0]);
    expect(await who(env)).toBeUndefined();
  });

  it('uses ~/.docker/config.json when DOCKER_CONFIG is unset, and only DOCKER_CONFIG when set', async () => {
    await sb.writeJson(join(sb.home, '.docker/config.json'), entry('home-docker'));
    expect(await who({})).toBe('home-docker');
    expect(await who({ DOCKER_CONFIG: join(sb.root, 'elsewhere') })).toBeUndefined();
  });

  it('honours XDG_CONFIG_HOME for the user config file', async () => {
    const configHome = join(sb.root, 'xdg-config');
    await sb.writeJson(join(configHome, 'containers/auth.json'), entry('xdg-config-home'));
    await sb.writeJson(join(sb.home, '.config/containers/auth.json'), entry('dot-config'));
    expect(await who({ XDG_CONFIG_HOME: configHome })).toBe('xdg-config-home');
    expect(await who({})).toBe('dot-config');
  });

  it('skips the runtime file when XDG_RUNTIME_DIR is unset', async () => {
    await sb.writeJson(join(sb.runtime, 'containers/auth.json'), entry('runtime'));
    await sb.writeJson(join(sb.home, '.config/containers/auth.json'), entry('config'));
    expect(await who({})).toBe('config');
  });

  it('with --authfile reads only that file, ignoring REGISTRY_AUTH_FILE and the defaults', async () => {
    const flagFile = join(sb.root, 'flag.json');
    const envFile = join(sb.root, 'env.json');
    await sb.writeJson(envFile, entry('env-file'));
    await sb.writeJson(join(sb.runtime, 'containers/auth.json'), entry('runtime'));
    await sb.writeJson(join(sb.home, '.docker/config.json'), entry('docker'));
    const env = { XDG_RUNTIME_DIR: sb.runtime, REGISTRY_AUTH_FILE: envFile };
    expect(await who(env, flagFile)).toBeUndefined();
    await sb.writeJson(flagFile, entry('flag-file'));
    expect(await who(env, flagFile)).toBe('flag-file');
  });

  it('treats REGISTRY_AUTH_FILE like --authfile: the only file read', async () => {
    const envFile = join(sb.root, 'env.json');
    await sb.writeJson(join(sb.runtime, 'containers/auth.json'), entry('runtime'));
    await sb.writeJson(join(sb.home, '.docker/config.json'), entry('docker'));
    const env = { XDG_RUNTIME_DIR: sb.runtime, REGISTRY_AUTH_FILE: envFile };
    expect(await who(env)).toBeUndefined();
    await sb.writeJson(envFile, entry('env-file'));
    expect(await who(env)).toBe('env-file');
    expect(authFileSearchPath({ env: sb.env(env), homedir: sb.home })).toEqual([
      { path: envFile, source: 'REGISTRY_AUTH_FILE', format: 'config' },
    ]);
  });

  it('stops at a malformed file instead of silently using a later one', async () => {
    await sb.writeJson(join(sb.home, '.config/containers/auth.json'), '{ not json');
    await sb.writeJson(join(sb.home, '.docker/config.json'), entry('docker'));
    await expect(who({})).rejects.toThrow(join(sb.home, '.config/containers/auth.json'));
  });

  it('writes logins to the runtime file, else ~/.config, else the explicit file', () => {
    const at = (env: Record<string, string | undefined>, authFile?: string) =>
      loginAuthFilePath({ env: sb.env(env), homedir: sb.home, authFile }).path;
    expect(at({ XDG_RUNTIME_DIR: sb.runtime })).toBe(join(sb.runtime, 'containers/auth.json'));
    expect(at({})).toBe(join(sb.home, '.config/containers/auth.json'));
    expect(at({ XDG_RUNTIME_DIR: sb.runtime, REGISTRY_AUTH_FILE: '/e.json' })).toBe('/e.json');
    expect(at({ REGISTRY_AUTH_FILE: '/e.json' }, '/f.json')).toBe('/f.json');
  });
});
