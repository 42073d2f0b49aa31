// The exit status table (skopeo's: 2 = not there, 1 = everything else, 130 = interrupted)
// and the shapes of the error line and JSON object.
import { Writable } from 'node:stream';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { errorFormatFrom, reportError } from '../../../src/cli/errors/report-error.js';
import { exitStatusFor, FerryError, RegistryError, UsageError, type ErrorCode } from '../../../src/errors.js';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c.toString()), done()) });
  return { stream, text: () => chunks.join('') };
}

describe('exitStatusFor', () => {
  const others: ErrorCode[] = ['ERR_USAGE', 'ERR_REFERENCE', 'ERR_REGISTRY', 'ERR_UNAUTHORIZED', 'ERR_DENIED', 'ERR_CREDENTIALS', 'ERR_NETWORK', 'ERR_TLS', 'ERR_TIMEOUT', 'ERR_DIGEST_MISMATCH', 'ERR_SIZE_MISMATCH', 'ERR_TOO_LARGE', 'ERR_MANIFEST_INVALID', 'ERR_UNSUPPORTED', 'ERR_LAYOUT', 'ERR_COMPRESSION', 'ERR_CONFLICT'];
  it.each(others)('%s exits 1', (code) => expect(exitStatusFor(code)).toBe(1));
  it('not found exits 2, aborted 130', () => {
    expect(exitStatusFor('ERR_NOT_FOUND')).toBe(2);
    expect(exitStatusFor('ERR_ABORTED')).toBe(130);
    expect(new UsageError('x').exitCode).toBe(1);
  });
});

describe('reportError', () => {
  it('writes "ferry: [CODE] message" and returns the status', () => {
    const err = capture();
    expect(reportError(new FerryError('ERR_NOT_FOUND', 'no image'), { debug: false, format: 'text', stderr: err.stream })).toBe(2);
    expect(err.text()).toBe('ferry: [ERR_NOT_FOUND] no image\n');
  });

  it('writes one JSON object with the registry fields', () => {
    const err = capture();
    const e = new RegistryError('ERR_DENIED', 'docker://r/app', 403, [{ code: 'DENIED', message: 'no' }], 'reading manifest');
    expect(reportError(e, { debug: false, format: 'json', stderr: err.stream })).toBe(1);
    expect(JSON.parse(err.text())).toEqual({
      error: { code: 'ERR_DENIED', message: 'reading manifest docker://r/app: HTTP 403 DENIED: no', exitStatus: 1, httpStatus: 403, registryCode: 'DENIED', location: 'docker://r/app' },
    });
  });

  it('an unexpected error is ERR_UNEXPECTED, exit 1, with a --debug hint only in text', () => {
    const err = capture();
    expect(reportError(new TypeError('boom'), { debug: false, format: 'text', stderr: err.stream })).toBe(1);
    expect(err.text()).toBe('ferry: [ERR_UNEXPECTED] unexpected error: boom (run with --debug for details)\n');
  });

  it("commander's errors exit 1, its --help 0 (it printed its own text already)", () => {
    const err = capture();
    expect(reportError(new CommanderError(1, 'commander.unknownOption', 'x'), { debug: false, format: 'text', stderr: err.stream })).toBe(1);
    expect(reportError(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'), { debug: false, format: 'text', stderr: err.stream })).toBe(0);
    expect(err.text()).toBe('');
  });
});

describe('errorFormatFrom', () => {
  it.each([
    [['--error-format', 'json'], 'json'],
    [['inspect', '--error-format=json', 'x'], 'json'],
    [['--error-format', 'text'], 'text'],
    [['inspect', '--', '--error-format=json'], 'text'],
    [[], 'text'],
  ])('%j → %s', (argv, format) => expect(errorFormatFrom(argv)).toBe(format));
});
