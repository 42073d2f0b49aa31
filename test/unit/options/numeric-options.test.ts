// Number flags and options: checked where they enter, so "x", NaN or 2.5 never reach a
// loop bound (`--retry-times x` used to retry forever).
import { describe, expect, it } from 'vitest';
import { copy } from '../../../src/copy/copy.js';
import { checkCopyOptions } from '../../../src/copy/options.js';
import { deleteImage } from '../../../src/delete/delete.js';
import { inspect } from '../../../src/inspect/inspect.js';
import { mergeManifests } from '../../../src/merge/merge.js';
import { syncRepository } from '../../../src/sync/sync.js';
import { listTags } from '../../../src/tags/list-tags.js';
import { UsageError } from '../../../src/errors.js';
import { checkDurationMs, parseDurationFlag } from '../../../src/options/duration.js';
import { checkInteger, parseIntegerFlag } from '../../../src/options/integer.js';
import { checkSessionOptions } from '../../../src/transport/session.js';

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

describe('parseIntegerFlag', () => {
  it.each([
    ['0', { min: 0 }, 0],
    ['3', { min: 0 }, 3],
    ['22', { min: 1, max: 22 }, 22],
    ['-1', { min: -5 }, -1],
  ])('%s in %j is %d', (text, range, n) => {
    expect(parseIntegerFlag('--n', text, range)).toBe(n);
  });

  it.each(['x', '', ' 3', '3 ', '1e3', '0x10', '3.0', '2.5', 'NaN', 'Infinity', '-1', '+1', '99999999999999999'])('refuses "%s", naming the flag and the value', (text) => {
    expect(usageMessage(() => parseIntegerFlag('--retry-times', text, { min: 0 }))).toBe(`--retry-times takes a whole number of 0 or more, not "${text}"`);
  });

  it('names the range when there is a maximum', () => {
    expect(usageMessage(() => parseIntegerFlag('--dest-compress-level', '23', { min: 1, max: 22 }))).toBe('--dest-compress-level takes a whole number from 1 to 22, not "23"');
  });
});

describe('parseDurationFlag (Go time.ParseDuration forms)', () => {
  it.each([
    ['0', 0],
    ['2s', 2000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['1h2m3s4ms', 3_723_004],
    ['1500us', 2],
    ['2000000ns', 2],
    ['+3s', 3000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDurationFlag('--retry-delay', text)).toBe(ms);
  });

  it.each([
    ['5', 'missing unit'],
    ['', 'empty'],
    ['-2s', 'negative'],
    ['2 s', 'unexpected "2 s"'],
    ['2sec', 'unexpected "ec"'],
    ['s', 'unexpected "s"'],
    ['1000h', 'too long'],
  ])('refuses "%s" (%s)', (text, why) => {
    expect(usageMessage(() => parseDurationFlag('--retry-delay', text))).toBe(`--retry-delay takes a duration such as 2s, 500ms or 1m30s, not "${text}" (${why})`);
  });
});

describe('library entry checks', () => {
  it.each([Number.NaN, Number.POSITIVE_INFINITY, -1, 2.5])('retryTimes %s is refused', (n) => {
    expect(usageMessage(() => checkSessionOptions({ retryTimes: n }))).toBe(`retryTimes must be a whole number of 0 or more, not ${String(n)}`);
  });

  it('durations, jobs, blob retries and compression levels are checked', () => {
    expect(usageMessage(() => checkSessionOptions({ retryDelayMs: Number.NaN }))).toMatch(/^retryDelayMs must be a number of milliseconds/);
    expect(usageMessage(() => checkSessionOptions({ stallTimeoutMs: -5 }))).toMatch(/^stallTimeoutMs must be/);
    expect(usageMessage(() => checkCopyOptions({ jobs: 0 }))).toBe('jobs must be a whole number from 1 to 1024, not 0');
    expect(usageMessage(() => checkCopyOptions({ blobRetries: Number.NaN }))).toBe('blobRetries must be a whole number of 0 or more, not NaN');
    expect(usageMessage(() => checkCopyOptions({ compression: { format: 'gzip', level: 10 } }))).toBe('compression.level for gzip must be a whole number from 1 to 9, not 10');
    expect(() => checkCopyOptions({ jobs: 6, blobRetries: 0, compression: { format: 'zstd', level: 22 } })).not.toThrow();
    expect(() => checkSessionOptions({ retryTimes: 0, retryDelayMs: 0, stallTimeoutMs: 30_000 })).not.toThrow();
    expect(() => checkInteger('x', undefined, { min: 1 })).not.toThrow();
    expect(() => checkDurationMs('x', undefined)).not.toThrow();
  });
});

describe('every library entry point refuses a bad number before touching a location', () => {
  // the locations do not exist: reaching them would fail differently (ERR_NOT_FOUND)
  const missing = 'oci:/nonexistent/ferry-numeric:latest';
  it.each([
    ['copy', () => copy(missing, 'oci:/nonexistent/out:latest', { retryTimes: Number.NaN })],
    ['copy jobs', () => copy(missing, 'oci:/nonexistent/out:latest', { jobs: 0 })],
    ['inspect', () => inspect(missing, { retryTimes: -1 })],
    ['listTags', () => listTags('oci:/nonexistent/ferry-numeric', { retryDelayMs: Number.POSITIVE_INFINITY })],
    ['deleteImage', () => deleteImage('docker://127.0.0.1:1/app:1', { retryTimes: 1.5 })],
    ['syncRepository', () => syncRepository('oci:/nonexistent/a', 'oci:/nonexistent/b', { blobRetries: Number.NaN })],
    ['mergeManifests', () => mergeManifests('docker://127.0.0.1:1/app:1', [missing], { jobs: Number.NaN })],
  ])('%s', async (_name, call) => {
    await expect(call()).rejects.toBeInstanceOf(UsageError);
  });
});
