import { describe, expect, it } from 'vitest';
import { applyOverride, normalizePlatform, overrideIsComplete, platformFromConfig } from '../../../src/merge/child-platform.js';

describe('platformFromConfig', () => {
  it('reads os, architecture, variant, os.version and os.features', () => {
    const p = platformFromConfig({ architecture: 'amd64', os: 'windows', 'os.version': '10.0.17763.1', 'os.features': ['win32k'], config: {} });
    expect(p).toEqual({ architecture: 'amd64', os: 'windows', 'os.version': '10.0.17763.1', 'os.features': ['win32k'] });
    expect(platformFromConfig({ architecture: 'arm', os: 'linux', variant: 'v7' })).toEqual({ architecture: 'arm', os: 'linux', variant: 'v7' });
  });

  it('gives nothing for configs without os and architecture (artifacts)', () => {
    expect(platformFromConfig({ name: 'chart', version: '1.0.0' })).toBeUndefined();
    expect(platformFromConfig({ os: 'linux' })).toBeUndefined();
    expect(platformFromConfig(undefined)).toBeUndefined();
  });

  it('writes fields in the OCI order whatever order they came in', () => {
    const p = normalizePlatform({ variant: 'v8', os: 'linux', architecture: 'arm64' });
    expect(JSON.stringify(p)).toBe('{"architecture":"arm64","os":"linux","variant":"v8"}');
  });
});

describe('applyOverride', () => {
  const arm64 = { architecture: 'arm64', os: 'linux', variant: 'v8' };

  it('keeps the image platform when nothing is given', () => {
    expect(applyOverride(arm64, undefined)).toEqual(arm64);
    expect(applyOverride(arm64, {})).toEqual(arm64);
  });

  it('replaces the whole platform when os or architecture is given', () => {
    expect(applyOverride(arm64, { architecture: 'amd64' })).toEqual({ architecture: 'amd64', os: 'linux' });
    expect(applyOverride(undefined, { os: 'linux', architecture: 'riscv64' })).toEqual({ architecture: 'riscv64', os: 'linux' });
  });

  it('adjusts single fields otherwise', () => {
    expect(applyOverride({ architecture: 'arm', os: 'linux' }, { variant: 'v6' })).toEqual({ architecture: 'arm', os: 'linux', variant: 'v6' });
    expect(applyOverride(undefined, { variant: 'v6' })).toBeUndefined();
  });

  it('knows when the config need not be read', () => {
    expect(overrideIsComplete({ os: 'linux', architecture: 'amd64' })).toBe(true);
    expect(overrideIsComplete({ architecture: 'amd64' })).toBe(false);
    expect(overrideIsComplete(undefined)).toBe(false);
  });
});
