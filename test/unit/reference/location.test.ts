import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from '../../../src/errors.js';
import { formatLocation, parseLocation, type Location } from '../../../src/reference/location.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;

/** The error parseLocation throws; `named` is the input the error names (the whole location by default). */
function locError(input: string, named = input): InvalidReferenceError {
  try {
    parseLocation(input);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidReferenceError);
    expect((e as InvalidReferenceError).code).toBe('ERR_REFERENCE');
    expect((e as InvalidReferenceError).input).toBe(named);
    return e as InvalidReferenceError;
  }
  throw new Error(`expected "${input}" to be rejected`);
}

describe('parseLocation: docker://', () => {
  it('parses the reference and defaults the tag to latest', () => {
    expect(parseLocation('docker://alpine')).toEqual({
      kind: 'docker',
      ref: { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' },
    });
  });

  it('keeps an explicit tag and does not add latest to a digest reference', () => {
    expect(parseLocation('docker://localhost:5000/app:v2')).toEqual({
      kind: 'docker',
      ref: { registry: 'localhost:5000', repository: 'app', tag: 'v2' },
    });
    expect(parseLocation(`docker://quay.io/a/b@${DIGEST}`)).toEqual({
      kind: 'docker',
      ref: { registry: 'quay.io', repository: 'a/b', digest: DIGEST },
    });
  });

  it('accepts an IPv6 registry', () => {
    const loc = parseLocation('docker://[::1]:5000/app:1');
    expect(loc).toEqual({ kind: 'docker', ref: { registry: '[::1]:5000', repository: 'app', tag: '1' } });
  });

  it('insists on the two slashes', () => {
    expect(locError('docker:alpine').message).toContain('needs "docker://"');
  });

  it('passes reference errors through, naming the reference part', () => {
    const e = locError('docker://Alpine', 'Alpine');
    expect(e.message).toBe('invalid reference "Alpine": repository name "Alpine" must be lowercase');
    expect(locError('docker://', '').message).toContain('empty reference');
  });
});

describe('parseLocation: oci:, oci-archive:, docker-archive:', () => {
  it('reads oci:PATH and oci:PATH:REF', () => {
    expect(parseLocation('oci:/tmp/layout')).toEqual({ kind: 'oci', path: '/tmp/layout' });
    expect(parseLocation('oci:/tmp/layout:v1')).toEqual({ kind: 'oci', path: '/tmp/layout', ref: 'v1' });
    expect(parseLocation('oci:relative/dir:1.0')).toEqual({ kind: 'oci', path: 'relative/dir', ref: '1.0' });
  });

  it('drops an empty ref after the colon', () => {
    expect(parseLocation('oci:/tmp/layout:')).toEqual({ kind: 'oci', path: '/tmp/layout' });
  });

  it('keeps colons inside the ref (split at the first colon)', () => {
    expect(parseLocation('oci:/tmp/l:example.com/app:v1')).toEqual({ kind: 'oci', path: '/tmp/l', ref: 'example.com/app:v1' });
  });

  it('tells oci-archive: from oci:', () => {
    expect(parseLocation('oci-archive:/tmp/img.tar')).toEqual({ kind: 'oci-archive', path: '/tmp/img.tar' });
    expect(parseLocation('oci-archive:/tmp/img.tar:latest')).toEqual({ kind: 'oci-archive', path: '/tmp/img.tar', ref: 'latest' });
  });

  it('reads docker-archive:PATH:repo/name:tag with the whole name as ref', () => {
    expect(parseLocation('docker-archive:/tmp/x.tar:repo/name:tag')).toEqual({
      kind: 'docker-archive',
      path: '/tmp/x.tar',
      ref: 'repo/name:tag',
    });
    expect(parseLocation('docker-archive:/tmp/x.tar')).toEqual({ kind: 'docker-archive', path: '/tmp/x.tar' });
  });

  it.each(['oci:', 'oci-archive:', 'docker-archive:'])('rejects %s with no path', (input) => {
    expect(locError(input).message).toBe(`invalid reference "${input}": missing path`);
  });

  it.each(['oci::v1', 'oci-archive::v1', 'docker-archive::repo:tag'])('rejects %s with an empty path before the ref', (input) => {
    expect(locError(input).message).toContain('missing path before ":"');
  });
});

describe('parseLocation: dir:', () => {
  it('takes everything after dir: as the path, colons included', () => {
    expect(parseLocation('dir:/tmp/img')).toEqual({ kind: 'dir', path: '/tmp/img' });
    expect(parseLocation('dir:/tmp/a:b')).toEqual({ kind: 'dir', path: '/tmp/a:b' });
  });

  it('rejects dir: with no path', () => {
    expect(locError('dir:').message).toContain('missing directory path');
  });
});

describe('parseLocation: transports', () => {
  it.each(['alpine', '/tmp/layout', 'docker-daemon:alpine:latest', 'containers-storage:x', 'http://example.com/x', ':x', 'OCI:/tmp/x', ''])(
    'rejects %j as unknown or missing transport, listing the known ones',
    (input) => {
      const e = locError(input);
      expect(e.message).toBe(
        `invalid reference "${input}": unknown or missing transport (expected one of docker://, oci:, oci-archive:, docker-archive:, dir:)`,
      );
      expect(e.exitCode).toBe(1);
    },
  );
});

describe('formatLocation', () => {
  it.each<[string, string]>([
    ['docker://alpine', 'docker://docker.io/library/alpine:latest'],
    ['docker://localhost:5000/app:v1', 'docker://localhost:5000/app:v1'],
    ['oci:/tmp/l', 'oci:/tmp/l'],
    ['oci:/tmp/l:v1', 'oci:/tmp/l:v1'],
    ['oci-archive:/tmp/a.tar:t', 'oci-archive:/tmp/a.tar:t'],
    ['docker-archive:/tmp/x.tar:repo/name:tag', 'docker-archive:/tmp/x.tar:repo/name:tag'],
    ['dir:/tmp/a:b', 'dir:/tmp/a:b'],
  ])('formats %s as %s, which parses back to the same location', (input, formatted) => {
    const loc: Location = parseLocation(input);
    expect(formatLocation(loc)).toBe(formatted);
    expect(parseLocation(formatLocation(loc))).toEqual(loc);
  });
});
