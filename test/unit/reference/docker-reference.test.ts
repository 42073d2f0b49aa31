import { describe, expect, it } from 'vitest';
import { FerryError, InvalidReferenceError } from '../../../src/errors.js';
import {
  DOCKER_HUB,
  formatDockerReference,
  isValidTag,
  manifestReference,
  parseDockerReference,
  repositoryName,
  withDefaultTag,
} from '../../../src/reference/docker-reference.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** The error parseDockerReference throws for `input` (fails the test if it does not throw). */
function refError(input: string): InvalidReferenceError {
  try {
    parseDockerReference(input);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidReferenceError);
    return e as InvalidReferenceError;
  }
  throw new Error(`expected "${input}" to be rejected`);
}

describe('parseDockerReference: Docker Hub normalisation', () => {
  it('puts a single-component name under docker.io/library', () => {
    expect(parseDockerReference('alpine')).toEqual({ registry: 'docker.io', repository: 'library/alpine' });
  });

  it('keeps a two-component Hub name as is', () => {
    expect(parseDockerReference('bitnami/redis')).toEqual({ registry: 'docker.io', repository: 'bitnami/redis' });
  });

  it('adds library/ when docker.io is written out with one component', () => {
    expect(parseDockerReference('docker.io/alpine:3.19')).toEqual({ registry: 'docker.io', repository: 'library/alpine', tag: '3.19' });
  });

  it('does not add library/ twice', () => {
    expect(parseDockerReference('docker.io/library/alpine').repository).toBe('library/alpine');
  });

  it.each(['index.docker.io', 'registry-1.docker.io'])('folds %s into docker.io', (host) => {
    expect(parseDockerReference(`${host}/alpine`)).toEqual({ registry: DOCKER_HUB, repository: 'library/alpine' });
    expect(parseDockerReference(`${host}/foo/bar`)).toEqual({ registry: DOCKER_HUB, repository: 'foo/bar' });
  });

  it('treats a first component without ".", ":" or localhost as a path, not a host', () => {
    expect(parseDockerReference('myhost/repo')).toEqual({ registry: 'docker.io', repository: 'myhost/repo' });
  });
});

describe('parseDockerReference: registries', () => {
  it('reads host:port', () => {
    expect(parseDockerReference('registry.example.com:5000/team/app:1.2')).toEqual({
      registry: 'registry.example.com:5000',
      repository: 'team/app',
      tag: '1.2',
    });
  });

  it('recognises localhost without a port or dot, and never adds library/', () => {
    expect(parseDockerReference('localhost/app')).toEqual({ registry: 'localhost', repository: 'app' });
    expect(parseDockerReference('localhost:5000/app:dev')).toEqual({ registry: 'localhost:5000', repository: 'app', tag: 'dev' });
  });

  it('reads a bracketed IPv6 host with a port, with and without a tag', () => {
    expect(parseDockerReference('[::1]:5000/app')).toEqual({ registry: '[::1]:5000', repository: 'app' });
    expect(parseDockerReference('[::1]:5000/ns/app:v1')).toEqual({ registry: '[::1]:5000', repository: 'ns/app', tag: 'v1' });
    expect(parseDockerReference('[fe80::1]/app')).toEqual({ registry: '[fe80::1]', repository: 'app' });
  });

  it('reads an IPv4 host', () => {
    expect(parseDockerReference('127.0.0.1:35000/a/b/c')).toEqual({ registry: '127.0.0.1:35000', repository: 'a/b/c' });
  });

  it('takes "name:5000" without a slash as a tag, not a port (as docker does)', () => {
    expect(parseDockerReference('name:5000')).toEqual({ registry: 'docker.io', repository: 'library/name', tag: '5000' });
  });

  it('allows an uppercase host but not an uppercase path', () => {
    expect(parseDockerReference('Registry.Example.com/app').registry).toBe('Registry.Example.com');
  });

  it('rejects an invalid host, naming it', () => {
    const e = refError('bad_host.example.com/app');
    expect(e.message).toContain('invalid registry host "bad_host.example.com"');
    expect(refError('-bad.example.com/app').message).toContain('invalid registry host');
    expect(refError('host.com:port/app').message).toContain('invalid registry host "host.com:port"');
  });
});

describe('parseDockerReference: tags and digests', () => {
  it('reads a tag', () => {
    expect(parseDockerReference('alpine:3.19.1')).toEqual({ registry: 'docker.io', repository: 'library/alpine', tag: '3.19.1' });
  });

  it('reads a digest', () => {
    expect(parseDockerReference(`quay.io/a/b@${DIGEST}`)).toEqual({ registry: 'quay.io', repository: 'a/b', digest: DIGEST });
  });

  it('reads tag and digest together', () => {
    expect(parseDockerReference(`localhost:5000/app:v1@${DIGEST}`)).toEqual({
      registry: 'localhost:5000',
      repository: 'app',
      tag: 'v1',
      digest: DIGEST,
    });
  });

  it('accepts a sha512 digest', () => {
    const d = `sha512:${'b'.repeat(128)}`;
    expect(parseDockerReference(`app@${d}`).digest).toBe(d);
  });

  it.each([
    ['alpine@sha256:abc', '"sha256:abc" is not a valid digest'],
    [`alpine@sha256:${'A'.repeat(64)}`, 'is not a valid digest'],
    [`alpine@md5:${'a'.repeat(32)}`, 'is not a valid digest'],
    ['alpine@', '"" is not a valid digest'],
    [`alpine@${'a'.repeat(64)}`, 'is not a valid digest'],
  ])('rejects the bad digest in %s', (input, reason) => {
    const e = refError(input);
    expect(e.message).toContain(reason);
    expect(e.message).toContain('expected sha256:<64 hex>');
  });

  it.each([
    ['alpine:', 'invalid tag ""'],
    ['alpine:-x', 'invalid tag "-x"'],
    ['alpine:.x', 'invalid tag ".x"'],
    ['alpine:a+b', 'invalid tag "a+b"'],
    [`alpine:${'t'.repeat(129)}`, 'invalid tag'],
  ])('rejects the bad tag in %s', (input, reason) => {
    expect(refError(input).message).toContain(reason);
  });

  it('accepts a 128-character tag and underscores', () => {
    expect(parseDockerReference(`alpine:${'t'.repeat(128)}`).tag).toHaveLength(128);
    expect(parseDockerReference('alpine:_x_1.0-rc').tag).toBe('_x_1.0-rc');
  });

  it('isValidTag agrees with the parser', () => {
    expect(isValidTag('v1.0')).toBe(true);
    expect(isValidTag('-v1')).toBe(false);
    expect(isValidTag('')).toBe(false);
  });
});

describe('parseDockerReference: repository names', () => {
  it('rejects an uppercase repository with a message saying lowercase', () => {
    const e = refError('docker.io/Library/Alpine:3');
    expect(e.message).toBe('invalid reference "docker.io/Library/Alpine:3": repository name "Library/Alpine" must be lowercase');
    expect(refError('MyApp').message).toContain('must be lowercase');
    expect(refError('localhost:5000/team/App').message).toContain('repository name "team/App" must be lowercase');
  });

  it.each([
    ['a_b', true],
    ['a__b', true],
    ['a.b', true],
    ['a---b', true],
    ['a___b', false],
    ['a..b', false],
    ['-ab', false],
    ['ab-', false],
    ['a b', false],
  ])('component %s valid: %s', (component, valid) => {
    if (valid) expect(parseDockerReference(`example.com/${component}`).repository).toBe(component);
    else expect(refError(`example.com/${component}`).message).toContain(`invalid repository path component "${component}"`);
  });

  it('rejects empty path components', () => {
    expect(refError('example.com/a//b').message).toContain('empty path component');
    expect(refError('/alpine').message).toContain('empty path component');
    expect(refError('alpine/').message).toContain('empty path component');
  });

  it('rejects a reference with no repository', () => {
    expect(refError(':tag').message).toContain('missing repository name');
    expect(refError(`@${DIGEST}`).message).toContain('missing repository name');
  });
});

describe('parseDockerReference: empty and too long', () => {
  it('rejects the empty string', () => {
    const e = refError('');
    expect(e.message).toBe('invalid reference "": empty reference');
  });

  it('rejects a reference longer than name + tag + digest can be', () => {
    const input = `example.com/${'a'.repeat(500)}`;
    expect(refError(input).message).toContain('reference is too long');
  });

  it('rejects a repository name longer than 255 characters, host included', () => {
    const ok = `example.com/${'a'.repeat(255 - 'example.com/'.length)}`;
    expect(parseDockerReference(ok).repository).toHaveLength(255 - 'example.com/'.length);
    const input = `${ok}b`;
    expect(refError(input).message).toContain('repository name is longer than 255 characters');
  });
});

describe('InvalidReferenceError', () => {
  it('carries a stable code, the input, exit code 2 and a one-line message naming the input', () => {
    const e = refError('Bad Ref\nsecond');
    expect(e).toBeInstanceOf(FerryError);
    expect(e.code).toBe('ERR_REFERENCE');
    expect(e.exitCode).toBe(1);
    expect(e.input).toBe('Bad Ref\nsecond');
    expect(e.name).toBe('InvalidReferenceError');
    expect(refError('UPPER').message.split('\n')).toHaveLength(1);
    expect(refError('UPPER').message).toContain('"UPPER"');
  });
});

describe('helpers', () => {
  it('withDefaultTag adds latest only when neither tag nor digest is given', () => {
    expect(withDefaultTag(parseDockerReference('alpine')).tag).toBe('latest');
    expect(withDefaultTag(parseDockerReference('alpine:3')).tag).toBe('3');
    const byDigest = withDefaultTag(parseDockerReference(`alpine@${DIGEST}`));
    expect(byDigest.tag).toBeUndefined();
    expect(byDigest.digest).toBe(DIGEST);
  });

  it('withDefaultTag does not modify its argument', () => {
    const ref = parseDockerReference('alpine');
    withDefaultTag(ref);
    expect(ref.tag).toBeUndefined();
  });

  it('formatDockerReference writes the normalised form and round-trips', () => {
    expect(formatDockerReference(parseDockerReference('alpine'))).toBe('docker.io/library/alpine');
    const full = `[::1]:5000/ns/app:v1@${DIGEST}`;
    expect(formatDockerReference(parseDockerReference(full))).toBe(full);
    expect(parseDockerReference(formatDockerReference(parseDockerReference('redis:7')))).toEqual(parseDockerReference('redis:7'));
  });

  it('repositoryName is host/repo without tag or digest', () => {
    expect(repositoryName(parseDockerReference(`alpine:3@${DIGEST}`))).toBe('docker.io/library/alpine');
  });

  it('manifestReference prefers the digest, then the tag, then latest', () => {
    expect(manifestReference(parseDockerReference(`alpine:3@${DIGEST}`))).toBe(DIGEST);
    expect(manifestReference(parseDockerReference('alpine:3'))).toBe('3');
    expect(manifestReference(parseDockerReference('alpine'))).toBe('latest');
  });
});
