import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialProvider, type CredentialCallback } from '../../../src/credentials/credential-source.js';
import { b64, makeSandbox, type Sandbox } from './sandbox.js';

describe('credentialProvider', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await makeSandbox();
    await sb.writeJson(join(sb.home, '.config/containers/auth.json'), { auths: { 'r.io': { auth: b64('file:pw') } } });
  });
  afterEach(() => sb.cleanup());
  const store = () => ({ env: sb.env(), homedir: sb.home });

  it('uses a { username, password } value over the files', async () => {
    const p = credentialProvider('r.io', 'a', { credentials: { username: 'lib', password: 'x' } }, store());
    expect(await p()).toEqual({ kind: 'basic', username: 'lib', password: 'x' });
  });

  it('sends a { token } value as a bearer token', async () => {
    expect(await credentialProvider('r.io', 'a', { credentials: { token: 'tkn' } }, store())()).toEqual({ kind: 'registry-token', token: 'tkn' });
  });

  it('is anonymous with `anonymous` even when a file has credentials', async () => {
    expect(await credentialProvider('r.io', 'a', {}, store())()).toMatchObject({ username: 'file' });
    expect(await credentialProvider('r.io', 'a', { anonymous: true }, store())()).toBeUndefined();
  });

  it('asks a callback with the registry host, and falls back to the files when it answers undefined', async () => {
    const asked: string[] = [];
    const callback: CredentialCallback = async (registry) => {
      asked.push(registry);
      return registry === 'r.io' ? undefined : { username: 'ecr', password: 'p' };
    };
    expect(await credentialProvider('r.io', 'a', { credentials: callback }, store())()).toMatchObject({ username: 'file' });
    expect(await credentialProvider('other.io:5000', 'a', { credentials: callback }, store())()).toEqual({ kind: 'basic', username: 'ecr', password: 'p' });
    expect(asked).toEqual(['r.io', 'other.io:5000']);
  });

  it('names the registry when a callback fails, as a credentials error', async () => {
    const failing: CredentialCallback = async () => {
      throw new Error('sts: expired session');
    };
    await expect(credentialProvider('r.io', 'a', { credentials: failing }, store())()).rejects.toMatchObject({
      code: 'ERR_CREDENTIALS',
      message: 'the credential callback failed for r.io: sts: expired session',
    });
  });

  it.each([
    [{ username: '', password: 'secret1' }, 'credentials for r.io: the username is empty'],
    [{ token: '' }, 'credentials for r.io: the token is empty'],
    [{ user: 'u', pass: 'secret1' }, 'credentials for r.io: expected { username, password } or { token }'],
  ])('refuses a malformed value %#, without echoing it', (value, message) => {
    let thrown: unknown;
    try {
      credentialProvider('r.io', 'a', { credentials: value as never }, store());
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: 'ERR_USAGE', message });
    expect((thrown as Error).message).not.toContain('secret1');
  });

  it('refuses anonymous access combined with credentials', () => {
    expect(() => credentialProvider('r.io', 'a', { anonymous: true, credentials: { token: 't' } }, store())).toThrow('anonymous access and credentials cannot be combined');
  });
});
