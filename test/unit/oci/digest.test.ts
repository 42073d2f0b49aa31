import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../../../src/errors.js';
import {
  digestAlgorithm,
  digestHex,
  digestOf,
  isDigest,
  nodeHashName,
  parseDigest,
  sha256,
  shortDigest,
  type Digest,
} from '../../../src/oci/digest.js';

const EMPTY_SHA256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('isDigest', () => {
  it.each([
    [`sha256:${'0'.repeat(64)}`, true],
    [`sha512:${'f'.repeat(128)}`, true],
    [`sha256:${'0'.repeat(63)}`, false],
    [`sha256:${'0'.repeat(65)}`, false],
    [`sha256:${'A'.repeat(64)}`, false],
    [`sha256:${'g'.repeat(64)}`, false],
    [`sha512:${'f'.repeat(64)}`, false],
    [`md5:${'f'.repeat(32)}`, false],
    [`SHA256:${'0'.repeat(64)}`, false],
    ['0'.repeat(64), false],
    ['sha256:', false],
    ['', false],
    [` sha256:${'0'.repeat(64)}`, false],
  ])('%s → %s', (value, ok) => {
    expect(isDigest(value)).toBe(ok);
  });
});

describe('parseDigest', () => {
  it('returns a valid digest unchanged', () => {
    expect(parseDigest(EMPTY_SHA256)).toBe(EMPTY_SHA256);
  });

  it('names what was invalid and the value, with ERR_MANIFEST_INVALID', () => {
    expect(() => parseDigest('sha256:xyz', 'layer digest')).toThrow(new FerryError('ERR_MANIFEST_INVALID', 'invalid layer digest "sha256:xyz"'));
    try {
      parseDigest('nope');
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'ERR_MANIFEST_INVALID', message: 'invalid digest "nope"' });
    }
  });
});

describe('digest parts', () => {
  it('splits algorithm and hex', () => {
    expect(digestAlgorithm(EMPTY_SHA256)).toBe('sha256');
    expect(digestHex(EMPTY_SHA256)).toBe(EMPTY_SHA256.slice(7));
  });

  it('maps algorithms to node hash names and refuses unknown ones', () => {
    expect(nodeHashName(EMPTY_SHA256)).toBe('sha256');
    expect(nodeHashName(`sha512:${'a'.repeat(128)}`)).toBe('sha512');
    expect(() => nodeHashName('blake3:abc' as Digest)).toThrow(/unsupported digest algorithm in blake3:abc/);
    try {
      nodeHashName('blake3:abc' as Digest);
    } catch (e) {
      expect((e as FerryError).code).toBe('ERR_UNSUPPORTED');
    }
  });
});

describe('hashing', () => {
  it('sha256 of nothing is the well-known empty digest', () => {
    expect(sha256('')).toBe(EMPTY_SHA256);
    expect(sha256(new Uint8Array())).toBe(EMPTY_SHA256);
  });

  it('sha256 hashes strings as UTF-8 and bytes as bytes', () => {
    const expected = `sha256:${createHash('sha256').update(Buffer.from('héllo', 'utf8')).digest('hex')}`;
    expect(sha256('héllo')).toBe(expected);
    expect(sha256(Buffer.from('héllo', 'utf8'))).toBe(expected);
  });

  it('digestOf defaults to sha256 and follows the algorithm of `like`', () => {
    const data = Buffer.from('ferry');
    expect(digestOf(data)).toBe(sha256(data));
    const d512 = digestOf(data, `sha512:${'0'.repeat(128)}`);
    expect(d512).toBe(`sha512:${createHash('sha512').update(data).digest('hex')}`);
    expect(isDigest(d512)).toBe(true);
  });
});

describe('shortDigest', () => {
  it('keeps the algorithm and 12 hex characters', () => {
    expect(shortDigest(EMPTY_SHA256)).toBe('sha256:e3b0c44298fc');
  });

  it('cuts a bare hex string to 12 characters', () => {
    expect(shortDigest('e3b0c44298fc1c149afb')).toBe('e3b0c44298fc');
  });
});
