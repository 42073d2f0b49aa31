import { describe, expect, it } from 'vitest';
import { challengeScopes, parseChallenges } from '../../../src/http/challenge.js';

describe('parseChallenges', () => {
  it('parses a distribution Bearer challenge', () => {
    const header = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"';
    expect(parseChallenges(header)).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' },
      },
    ]);
  });

  it('keeps commas inside quoted values', () => {
    const [c] = parseChallenges('Bearer realm="https://a/token",scope="repository:team/app:pull,push",service="reg"');
    expect(c!.params['scope']).toBe('repository:team/app:pull,push');
    expect(c!.params['service']).toBe('reg');
  });

  it('reads several challenges in one header', () => {
    const all = parseChallenges('Basic realm="basic-realm", Bearer realm="https://t/token",service="s", Negotiate');
    expect(all.map((c) => c.scheme)).toEqual(['basic', 'bearer', 'negotiate']);
    expect(all[0]!.params).toEqual({ realm: 'basic-realm' });
    expect(all[1]!.params).toEqual({ realm: 'https://t/token', service: 's' });
    expect(all[2]!.params).toEqual({});
  });

  it('reads challenges spread over several header lines', () => {
    const all = parseChallenges(['Basic realm="r1"', 'Bearer realm="https://t",error="insufficient_scope"']);
    expect(all).toEqual([
      { scheme: 'basic', params: { realm: 'r1' } },
      { scheme: 'bearer', params: { realm: 'https://t', error: 'insufficient_scope' } },
    ]);
  });

  it('lower-cases the scheme and parameter names, not the values', () => {
    expect(parseChallenges('BEARER Realm="https://Auth/Token",SERVICE=Registry')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://Auth/Token', service: 'Registry' } },
    ]);
  });

  it('reads unquoted values, spaces around "=", and backslash escapes in quoted values', () => {
    const [c] = parseChallenges('Bearer realm = "https://t/x" , service=reg.example.com, error="say \\"hi\\", ok"');
    expect(c!.params).toEqual({ realm: 'https://t/x', service: 'reg.example.com', error: 'say "hi", ok' });
  });

  it('answers nothing for a missing or empty header', () => {
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges('')).toEqual([]);
    expect(parseChallenges([])).toEqual([]);
  });

  it('tolerates an unterminated quoted value', () => {
    expect(parseChallenges('Bearer realm="https://t/token')).toEqual([{ scheme: 'bearer', params: { realm: 'https://t/token' } }]);
  });
});

describe('challengeScopes', () => {
  it('splits space-separated scopes', () => {
    const [c] = parseChallenges('Bearer realm="x",scope="repository:a:pull repository:b:pull,push  registry:catalog:*"');
    expect(challengeScopes(c!)).toEqual(['repository:a:pull', 'repository:b:pull,push', 'registry:catalog:*']);
  });

  it('is empty without a scope parameter', () => {
    expect(challengeScopes(parseChallenges('Bearer realm="x"')[0]!)).toEqual([]);
    expect(challengeScopes(parseChallenges('Bearer realm="x",scope=""')[0]!)).toEqual([]);
  });
});
