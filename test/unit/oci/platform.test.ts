import { arch } from 'node:os';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import type { Platform } from '../../../src/oci/descriptor.js';
import { formatPlatform, hostPlatform, parsePlatform, platformMatches, samePlatform } from '../../../src/oci/platform.js';

const p = (os: string, architecture: string, variant?: string): Platform => (variant ? { os, architecture, variant } : { os, architecture });

describe('parsePlatform', () => {
  it('reads os/arch and os/arch/variant', () => {
    expect(parsePlatform('linux/amd64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
  });

  it('ignores surrounding whitespace', () => {
    expect(parsePlatform('  linux/arm/v7\n')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
  });

  it.each(['linux', 'linux/', '/amd64', 'linux//v7', 'a/b/c/d', '', 'linux/amd64/'])('rejects %j with a usage error', (text) => {
    let err: unknown;
    try {
      parsePlatform(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toMatchObject({ code: 'ERR_USAGE', message: `invalid platform "${text}": expected os/arch[/variant]` });
    expect((err as UsageError).exitCode).toBe(1);
  });
});

describe('formatPlatform', () => {
  it('joins the parts that are present', () => {
    expect(formatPlatform(p('linux', 'amd64'))).toBe('linux/amd64');
    expect(formatPlatform(p('linux', 'arm', 'v6'))).toBe('linux/arm/v6');
    expect(formatPlatform(undefined)).toBe('unknown');
  });
});

describe('platformMatches', () => {
  it('needs os and architecture to be equal', () => {
    expect(platformMatches(p('linux', 'amd64'), p('linux', 'amd64'))).toBe(true);
    expect(platformMatches(p('linux', 'amd64'), p('windows', 'amd64'))).toBe(false);
    expect(platformMatches(p('linux', 'amd64'), p('linux', 'arm64'))).toBe(false);
  });

  it('never matches an entry without a platform', () => {
    expect(platformMatches(p('linux', 'amd64'), undefined)).toBe(false);
  });

  it('ignores the candidate variant when none is wanted', () => {
    expect(platformMatches(p('linux', 'arm'), p('linux', 'arm', 'v6'))).toBe(true);
    expect(platformMatches(p('linux', 'arm64'), p('linux', 'arm64', 'v8'))).toBe(true);
  });

  it('treats arm64 without a variant as arm64/v8, both ways', () => {
    expect(platformMatches(p('linux', 'arm64', 'v8'), p('linux', 'arm64'))).toBe(true);
    expect(platformMatches(p('linux', 'arm64', 'v8'), p('linux', 'arm64', 'v8'))).toBe(true);
    expect(platformMatches(p('linux', 'arm64', 'v9'), p('linux', 'arm64'))).toBe(false);
  });

  it('treats arm without a variant as arm/v7', () => {
    expect(platformMatches(p('linux', 'arm', 'v7'), p('linux', 'arm'))).toBe(true);
    expect(platformMatches(p('linux', 'arm', 'v6'), p('linux', 'arm'))).toBe(false);
    expect(platformMatches(p('linux', 'arm', 'v6'), p('linux', 'arm', 'v7'))).toBe(false);
  });

  it('compares explicit variants of other architectures exactly', () => {
    expect(platformMatches(p('linux', 'amd64', 'v3'), p('linux', 'amd64'))).toBe(false);
    expect(platformMatches(p('linux', 'amd64', 'v3'), p('linux', 'amd64', 'v3'))).toBe(true);
  });
});

describe('samePlatform', () => {
  it('normalises default variants and compares os.version', () => {
    expect(samePlatform(p('linux', 'arm64'), p('linux', 'arm64', 'v8'))).toBe(true);
    expect(samePlatform(p('linux', 'arm', 'v6'), p('linux', 'arm'))).toBe(false);
    const win = (v: string): Platform => ({ os: 'windows', architecture: 'amd64', 'os.version': v });
    expect(samePlatform(win('10.0.17763.1'), win('10.0.17763.1'))).toBe(true);
    expect(samePlatform(win('10.0.17763.1'), win('10.0.20348.1'))).toBe(false);
    expect(samePlatform(undefined, p('linux', 'amd64'))).toBe(false);
  });
});

describe('hostPlatform', () => {
  it('is always linux, with the GOARCH name and the default arm variant', () => {
    const h = hostPlatform();
    expect(h.os).toBe('linux');
    const expected: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386' };
    expect(h.architecture).toBe(expected[arch()] ?? h.architecture);
    if (h.architecture === 'arm64') expect(h.variant).toBe('v8');
    else if (h.architecture === 'amd64') expect(h.variant).toBeUndefined();
  });
});
