import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveCredential, type ResolveCredentialOptions } from '../../../src/credentials/resolve-credential.js';
import { b64, makeSandbox, type Sandbox } from './sandbox.js';

describe('resolveCredential', () => {
  let sb: Sandbox;
  let authFile: string;
  beforeEach(async () => {
    sb = await makeSandbox();
    authFile = join(sb.home, '.config/containers/auth.json');
  });
  afterEach(() => sb.cleanup());

  const opts = (extra: ResolveCredentialOptions = {}): ResolveCredentialOptions => ({ env: sb.env(), homedir: sb.home, ...extra });

  describe('key spellings', () => {
    it.each([
      ['host', 'r.io'],
      ['https://host/v1/', 'https://r.io/v1/'],
      ['https://host', 'https://r.io'],
      ['http://host', 'http://r.io'],
      ['host/v2/', 'r.io/v2/'],
    ])('finds an entry keyed %s', async (_name, key) => {
      await sb.writeJson(authFile, { auths: { other: { auth: b64('no:no') }, [key]: { auth: b64('yes:pw') } } });
      expect(await resolveCredential('r.io', 'team/app', opts())).toEqual({ kind: 'basic', username: 'yes', password: 'pw' });
    });

    it('finds Docker Hub credentials under the key docker writes', async () => {
      await sb.writeJson(join(sb.home, '.docker/config.json'), { auths: { 'https://index.docker.io/v1/': { auth: b64('hubuser:pw') } } });
      for (const host of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) {
        expect(await resolveCredential(host, 'library/alpine', opts())).toMatchObject({ username: 'hubuser' });
      }
    });

    it('does not hand one host\'s credentials to another', async () => {
      await sb.writeJson(authFile, { auths: { 'r.io': { auth: b64('u:p') }, 'https://r.io.evil.example': { auth: b64('x:y') } } });
      expect(await resolveCredential('r.io.evil', 'a', opts())).toBeUndefined();
      expect(await resolveCredential('evil.r.io', 'a', opts())).toBeUndefined();
    });

    it('uses the longest matching namespaced key for the repository', async () => {
      await sb.writeJson(authFile, {
        auths: {
          'r.io': { auth: b64('host:pw') },
          'r.io/team': { auth: b64('team:pw') },
          'r.io/team/project': { auth: b64('project:pw') },
        },
      });
      const user = async (repo: string | undefined) => ((await resolveCredential('r.io', repo, opts())) as { username: string }).username;
      expect(await user('team/project/app')).toBe('project');
      expect(await user('team/other')).toBe('team');
      expect(await user('teamwork/app')).toBe('host');
      expect(await user(undefined)).toBe('host');
    });

    it('moves past an empty marker entry to the next file', async () => {
      await sb.writeJson(authFile, { auths: { 'r.io': {} } });
      await sb.writeJson(join(sb.home, '.docker/config.json'), { auths: { 'r.io': { username: 'later', password: 'pw' } } });
      expect(await resolveCredential('r.io', 'a', opts())).toEqual({ kind: 'basic', username: 'later', password: 'pw' });
    });

    it('returns an identity token from the file', async () => {
      await sb.writeJson(authFile, { auths: { 'r.io': { auth: b64('me:'), identitytoken: 'refresh' } } });
      expect(await resolveCredential('r.io', 'a', opts())).toEqual({ kind: 'identity-token', username: 'me', token: 'refresh' });
    });
  });

  it('reports where it found credentials through debug, without the secret', async () => {
    await sb.writeJson(authFile, { auths: { 'r.io': { auth: b64('user1:sekrit-pw') } } });
    const notes: string[] = [];
    await resolveCredential('r.io', 'a', opts({ debug: (m) => notes.push(m) }));
    expect(notes).toEqual([`using username "user1" for r.io from auths["r.io"] in ${authFile}`]);
  });
});
