import { describe, expect, it } from 'vitest';
import {
  candidateKeys,
  findEntry,
  helperServerURL,
  keysForLogin,
  normalizeAuthFileKey,
  parseLoginKey,
} from '../../../src/credentials/auth-keys.js';

describe('normalizeAuthFileKey', () => {
  it.each([
    ['registry.example.com', 'registry.example.com'],
    ['https://registry.example.com', 'registry.example.com'],
    ['http://registry.example.com', 'registry.example.com'],
    ['https://registry.example.com/v1/', 'registry.example.com'],
    ['https://registry.example.com/v2/', 'registry.example.com'],
    ['registry.example.com/v1/', 'registry.example.com'],
    ['http://localhost:5000', 'localhost:5000'],
    ['https://index.docker.io/v1/', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['registry.example.com/team', 'registry.example.com/team'],
  ])('%s → %s', (key, host) => {
    expect(normalizeAuthFileKey(key)).toBe(host);
  });

  it('reduces every legacy .dockercfg key to its host', () => {
    expect(normalizeAuthFileKey('registry.example.com/team', 'legacy')).toBe('registry.example.com');
  });
});

describe('candidateKeys', () => {
  it('lists repository prefixes longest first, then the host', () => {
    expect(candidateKeys('quay.io', 'a/b/c')).toEqual(['quay.io/a/b/c', 'quay.io/a/b', 'quay.io/a', 'quay.io']);
    expect(candidateKeys('quay.io', undefined)).toEqual(['quay.io']);
  });
});

describe('findEntry', () => {
  const map = {
    'https://registry.example.com/v1/': 'url-spelling',
    'registry.example.com/team': 'team',
    'registry.example.com/team/sub': 'team-sub',
    'registry.example.com/tea': 'not-a-component-prefix',
  };

  it('prefers the longest namespaced key that is a repository prefix', () => {
    expect(findEntry(map, 'registry.example.com', 'team/sub/app')?.value).toBe('team-sub');
    expect(findEntry(map, 'registry.example.com', 'team/app')?.value).toBe('team');
  });

  it('matches whole path components only, and falls back to other spellings of the host', () => {
    expect(findEntry(map, 'registry.example.com', 'team2/app')?.value).toBe('url-spelling');
    expect(findEntry(map, 'registry.example.com', 'teams/app')?.key).toBe('https://registry.example.com/v1/');
  });

  it('prefers an exact host key over other spellings', () => {
    const both = { 'https://quay.io': 'url', 'quay.io': 'exact' };
    expect(findEntry(both, 'quay.io', 'x/y')?.value).toBe('exact');
  });

  it('finds docker.io under the key docker writes, whichever alias is asked for', () => {
    const hub = { 'https://index.docker.io/v1/': 'hub' };
    expect(findEntry(hub, 'docker.io', 'library/alpine')?.value).toBe('hub');
    expect(findEntry(hub, 'registry-1.docker.io', 'library/alpine')?.value).toBe('hub');
  });

  it('ignores inherited object properties', () => {
    expect(findEntry({}, 'constructor', undefined)).toBeUndefined();
    expect(findEntry({ other: 1 }, 'toString', 'x')).toBeUndefined();
  });
});

describe('parseLoginKey', () => {
  it.each([
    ['quay.io', { key: 'quay.io', host: 'quay.io', namespaced: false }],
    ['localhost:5000', { key: 'localhost:5000', host: 'localhost:5000', namespaced: false }],
    ['https://index.docker.io/v1/', { key: 'docker.io', host: 'docker.io', namespaced: false }],
    ['index.docker.io', { key: 'docker.io', host: 'docker.io', namespaced: false }],
    ['https://quay.io/', { key: 'quay.io', host: 'quay.io', namespaced: false }],
    ['quay.io/team/sub', { key: 'quay.io/team/sub', host: 'quay.io', namespaced: true }],
  ])('%s', (input, expected) => {
    expect(parseLoginKey(input)).toEqual(expected);
  });

  it.each(['', '  ', 'quay.io//team', 'quay.io/team/app:latest', 'user@quay.io'])('rejects %j', (input) => {
    expect(() => parseLoginKey(input)).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }));
  });
});

describe('keysForLogin', () => {
  it('finds every spelling of a host but leaves namespaced keys alone', () => {
    const auths = { 'quay.io': 1, 'https://quay.io/v1/': 2, 'quay.io/team': 3, 'quay.example': 4 };
    expect(keysForLogin(auths, parseLoginKey('quay.io'))).toEqual(['quay.io', 'https://quay.io/v1/']);
    expect(keysForLogin(auths, parseLoginKey('quay.io/team'))).toEqual(['quay.io/team']);
  });
});

describe('helperServerURL', () => {
  it('gives Docker Hub the URL docker uses and other hosts as they are', () => {
    expect(helperServerURL('docker.io')).toBe('https://index.docker.io/v1/');
    expect(helperServerURL('ghcr.io')).toBe('ghcr.io');
  });
});
