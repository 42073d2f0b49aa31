import { describe, expect, it } from 'vitest';
import { credentialFlags, parseCredsFlag } from '../../../src/cli/commands/creds-flags.js';
import { describeCredential } from '../../../src/credentials/credential.js';
import { FerryError } from '../../../src/errors.js';

describe('parseCredsFlag', () => {
  it('splits at the first colon so passwords may contain colons', () => {
    expect(parseCredsFlag('alice:pa:ss:word')).toEqual({ username: 'alice', password: 'pa:ss:word' });
  });

  it('accepts an empty password, as skopeo does', () => {
    expect(parseCredsFlag('alice:')).toEqual({ username: 'alice', password: '' });
  });

  it('rejects a value without a colon as a usage error that states the format and not the value', () => {
    const err = (() => {
      try {
        parseCredsFlag('hunter2secret', '--src-creds');
      } catch (e) {
        return e;
      }
    })() as FerryError;
    expect(err).toBeInstanceOf(FerryError);
    expect(err.code).toBe('ERR_USAGE');
    expect(err.message).toContain('--src-creds must be USERNAME:PASSWORD');
    expect(err.message).not.toContain('hunter2secret');
  });

  it('rejects an empty username without echoing the password', () => {
    expect(() => parseCredsFlag(':topsecret')).toThrow(/empty username/);
    expect(() => parseCredsFlag(':topsecret')).not.toThrow(/topsecret/);
  });
});

describe('credentialFlags', () => {
  it('turns the flags into the library choice', () => {
    expect(credentialFlags('src-', 'u:p', undefined, false)).toEqual({ credentials: { username: 'u', password: 'p' } });
    expect(credentialFlags('', undefined, 'tkn', false)).toEqual({ credentials: { token: 'tkn' } });
    expect(credentialFlags('dest-', undefined, undefined, true)).toEqual({ anonymous: true });
    expect(credentialFlags('', undefined, undefined, false)).toEqual({});
  });

  it.each([
    [['src-', 'u:p', undefined, true], '--src-no-creds cannot be combined with --src-creds or --src-registry-token'],
    [['', undefined, 't', true], '--no-creds cannot be combined with --creds or --registry-token'],
    [['dest-', 'u:p', 't', false], '--dest-creds and --dest-registry-token cannot be used together'],
    [['', undefined, '', false], '--registry-token must not be empty'],
  ] as const)('rejects conflicting flags %#, naming them', (args, message) => {
    expect(() => credentialFlags(...args)).toThrow(message);
  });
});

describe('describeCredential', () => {
  it('names the kind and user but never the secret', () => {
    expect(describeCredential({ kind: 'basic', username: 'bob', password: 'pw1' })).toBe('username "bob"');
    expect(describeCredential({ kind: 'identity-token', token: 'tok1' })).toBe('identity token');
    expect(describeCredential({ kind: 'registry-token', token: 'tok2' })).toBe('registry token');
  });
});
