import { describe, expect, it } from 'vitest';
import { copyOptionsFrom, copySide } from '../../../src/cli/commands/copy.js';
import { parseDuration } from '../../../src/cli/commands/duration.js';
import { refuseUnsupportedFlags } from '../../../src/cli/commands/copy-compat-flags.js';

describe('parseDuration (Go syntax, as skopeo takes it)', () => {
  it.each([
    ['0', 0],
    ['500ms', 500],
    ['2s', 2000],
    ['1.5s', 1500],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['250us', 0],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration('--retry-delay', text)).toBe(ms);
  });

  it.each(['', '5', 's', '1x', '-1s', '1s2', 'abc', '1e3s'])('refuses "%s" in one line', (text) => {
    expect(() => parseDuration('--retry-delay', text)).toThrow(`--retry-delay takes a duration such as 500ms, 2s or 1m30s, not "${text}"`);
  });
});

describe('copyOptionsFrom: skopeo spellings', () => {
  it('--dest-compress alone means gzip; with a format the format wins', () => {
    expect(copyOptionsFrom({ destCompress: true }).compression).toEqual({ format: 'gzip', force: false });
    expect(copyOptionsFrom({ destCompress: true, destCompressFormat: 'zstd' }).compression?.format).toBe('zstd');
    expect(copyOptionsFrom({}).compression).toBeUndefined();
  });

  it('--image-parallel-copies is --jobs; both at different values is an error', () => {
    expect(copyOptionsFrom({ imageParallelCopies: '1' }).jobs).toBe(1);
    expect(copyOptionsFrom({ imageParallelCopies: '4', jobs: '4' }).jobs).toBe(4);
    expect(() => copyOptionsFrom({ imageParallelCopies: '2', jobs: '3' })).toThrow(/contradicts/);
    for (const bad of ['0', 'x', '1.5', '-2', '', '1e3']) {
      expect(() => copyOptionsFrom({ imageParallelCopies: bad })).toThrow(`--image-parallel-copies takes a whole number of 1 or more, not "${bad}"`);
    }
  });

  it('--retry-delay becomes retryDelayMs; --additional-tag a list', () => {
    expect(copyOptionsFrom({ retryDelay: '1500ms', additionalTag: ['a:1', 'b:2'] })).toMatchObject({ retryDelayMs: 1500, additionalTags: ['a:1', 'b:2'] });
  });

  it('refuses v2s1 and zstd:chunked with the reason, unknown values with the choices', () => {
    expect(() => copyOptionsFrom({ format: 'v2s1' })).toThrow(/not supported: ferry does not write Docker schema 1/);
    expect(() => copyOptionsFrom({ format: 'xml' })).toThrow('--format takes oci or v2s2, not "xml"');
    expect(() => copyOptionsFrom({ destCompressFormat: 'zstd:chunked' })).toThrow(/zstd:chunked: not supported/);
    expect(() => copyOptionsFrom({ destCompressFormat: 'lz4' })).toThrow('--dest-compress-format takes gzip or zstd, not "lz4"');
  });
});

describe('copySide', () => {
  it('joins --src-username and --src-password into credentials, and takes the shared blob dir', () => {
    expect(copySide({ srcUsername: 'u', srcPassword: 'p:w', srcSharedBlobDir: '/b' }, 'src-')).toEqual({ creds: 'u:p:w', sharedBlobDir: '/b' });
    expect(() => copySide({ destUsername: 'u' }, 'dest-')).toThrow('--dest-username and --dest-password go together');
    expect(() => copySide({ destUsername: 'u', destPassword: 'p', destCreds: 'a:b' }, 'dest-')).toThrow(/contradicts --dest-creds/);
  });
});

describe('refused skopeo flags', () => {
  it('name the flag and the reason', () => {
    expect(() => refuseUnsupportedFlags({ signBy: 'me' })).toThrow('--sign-by: not supported: ferry does not sign images');
    expect(() => refuseUnsupportedFlags({ encryptionKey: 'jwe:x' })).toThrow('--encryption-key: not supported: ferry does not encrypt or decrypt images');
    expect(() => refuseUnsupportedFlags({ destDecompress: true })).toThrow(/--dest-decompress: not supported/);
    expect(() => refuseUnsupportedFlags({ quiet: true, destPrecomputeDigests: true })).not.toThrow();
  });
});
