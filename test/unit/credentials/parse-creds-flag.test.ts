import { describe, expect, it } from 'vitest';
import { describeCredential, parseCredsFlag } from '../../../src/credentials/credential.js';
import { FerryError } from '../../../src/errors.js';

describe('parseCredsFlag', () => {
  it('splits at the first colon so passwords may contain colons', () => {
    expect(parseCredsFlag('alice:pa:ss:word')).toEqual({ kind: 'basic', username: 'alice', password: 'pa:ss:word' });
  });

  it('accepts an empty password, as skopeo does', () => {
    expect(parseCredsFlag('alice:')).toEqual({ kind: 'basic', username: 'alice', password: '' });
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

describe('describeCredential', () => {
  it('names the kind and user but never the secret', () => {
    expect(describeCredential({ kind: 'basic', username: 'bob', password: 'pw1' })).toBe('username "bob"');
    expect(describeCredential({ kind: 'identity-token', token: 'tok1' })).toBe('identity token');
    expect(describeCredential({ kind: 'registry-token', token: 'tok2' })).toBe('registry token');
  });
});
