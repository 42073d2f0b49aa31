import { describe, expect, it } from 'vitest';
import { reportError } from '../../../src/cli/errors/report-error.js';
import { cliHint } from '../../../src/cli/render/error-hint.js';
import { FerryError, RegistryError } from '../../../src/errors.js';

function report(e: unknown): { code: number; text: string } {
  let text = '';
  const stderr = { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream;
  return { code: reportError(e, { debug: false, format: 'text', stderr }), text };
}

describe('error hints', () => {
  it('turns option names in backticks into flags, and drops backticks of unknown ones', () => {
    expect(cliHint('trust its CA with `certDir`, or skip verification with `tlsVerify: false`')).toBe(
      'trust its CA with --cert-dir, --src-cert-dir or --dest-cert-dir, or skip verification with --tls-verify=false',
    );
    expect(cliHint('`replace: true` keeps the later one')).toBe('--replace keeps the later one');
    expect(cliHint('set `somethingNew`')).toBe('set somethingNew');
  });

  it('prints the hint after the message on the same line', () => {
    const e = new FerryError('ERR_CONFLICT', 'two images for linux/amd64: a and b', { hint: '`replace: true` keeps the later one' });
    expect(report(e).text).toBe('ferry: [ERR_CONFLICT] two images for linux/amd64: a and b; --replace keeps the later one\n');
    expect(report(new FerryError('ERR_USAGE', 'bad')).text).toBe('ferry: [ERR_USAGE] bad\n');
  });
});

describe('FerryError shape', () => {
  it('has status and registryCode undefined when no HTTP answer is behind it', () => {
    const e = new FerryError('ERR_LAYOUT', 'broken layout');
    expect([e.code, e.status, e.registryCode, e.hint]).toEqual(['ERR_LAYOUT', undefined, undefined, undefined]);
  });

  it('takes status, registry code and hint from a FerryError cause when it wraps one', () => {
    const inner = new RegistryError('ERR_DENIED', 'docker://r/x', 403, [{ code: 'DENIED', message: 'no' }], 'deleting manifest');
    expect([inner.status, inner.registryCode]).toEqual([403, 'DENIED']);
    const outer = new FerryError('ERR_DENIED', 'cannot delete tag 1: no permission', { cause: inner, hint: 'ask for delete' });
    expect([outer.status, outer.registryCode, outer.hint]).toEqual([403, 'DENIED', 'ask for delete']);
  });
});
