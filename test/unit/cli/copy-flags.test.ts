import { describe, expect, it } from 'vitest';
import { copyOptionsFrom, copySide } from '../../../src/cli/commands/copy.js';

// The numbers arrive parsed (commander's argParser, src/cli/commands/number-flags.ts);
// these cases are what copyOptionsFrom decides from them.
describe('copyOptionsFrom: skopeo spellings', () => {
  it('--dest-compress alone means gzip; with a format the format wins', () => {
    expect(copyOptionsFrom({ destCompress: true }).compression).toEqual({ format: 'gzip', force: false });
    expect(copyOptionsFrom({ destCompress: true, destCompressFormat: 'zstd' }).compression?.format).toBe('zstd');
    expect(copyOptionsFrom({}).compression).toBeUndefined();
  });

  it('--image-parallel-copies is --jobs; both at different values is an error', () => {
    expect(copyOptionsFrom({ imageParallelCopies: 1 }).jobs).toBe(1);
    expect(copyOptionsFrom({ imageParallelCopies: 4, jobs: 4 }).jobs).toBe(4);
    expect(() => copyOptionsFrom({ imageParallelCopies: 2, jobs: 3 })).toThrow('--jobs 3 contradicts --image-parallel-copies 2 (they are the same setting)');
  });

  it('--retry-delay becomes retryDelayMs; --additional-tag a list', () => {
    expect(copyOptionsFrom({ retryDelay: 1500, additionalTag: ['a:1', 'b:2'] })).toMatchObject({ retryDelayMs: 1500, additionalTags: ['a:1', 'b:2'] });
  });

  it('refuses v2s1 and zstd:chunked with the reason, unknown values with the choices', () => {
    expect(() => copyOptionsFrom({ format: 'v2s1' })).toThrow(/not supported: ferry does not write Docker schema 1/);
    expect(() => copyOptionsFrom({ format: 'xml' })).toThrow('--format takes oci or v2s2, not "xml"');
    expect(() => copyOptionsFrom({ destCompressFormat: 'zstd:chunked' })).toThrow(/zstd:chunked: not supported/);
    expect(() => copyOptionsFrom({ destCompressFormat: 'lz4' })).toThrow('--dest-compress-format takes gzip or zstd, not "lz4"');
  });
});

describe('copySide', () => {
  it('takes the shared blob dir of its own side only', () => {
    expect(copySide({ srcSharedBlobDir: '/b' }, 'src-')).toMatchObject({ sharedBlobDir: '/b' });
    expect(copySide({ srcSharedBlobDir: '/b' }, 'dest-').sharedBlobDir).toBeUndefined();
  });
});
