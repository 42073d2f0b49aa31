import { describe, expect, it } from 'vitest';
import { compareTagVersions, parseVersionRange, tagVersion } from '../../../src/sync/semver-range.js';

describe('semver ranges on tags', () => {
  it('reads Helm\'s 1.2.3_build as 1.2.3+build and a leading v', () => {
    expect(tagVersion('1.2.3_build.7')?.build).toEqual(['build', '7']);
    expect(tagVersion('v2.0.0')?.version).toBe('2.0.0');
    expect(tagVersion('latest')).toBeUndefined();
  });

  it('orders 1.0.9 before 1.0.10 (newest first), versions before other tags', () => {
    expect(['1.0.10', 'latest', '1.0.9', '1.0.2'].sort(compareTagVersions)).toEqual(['1.0.10', '1.0.9', '1.0.2', 'latest']);
  });

  it('accepts skopeo (Masterminds) spellings: spaces after operators, commas for AND, ||', () => {
    const r = parseVersionRange('>= 1.0.9, < 1.1');
    expect(['1.0.8', '1.0.9', '1.0.10', '1.1.0', 'latest'].filter((t) => r.test(t))).toEqual(['1.0.9', '1.0.10']);
    const or = parseVersionRange('1.0.2 || ^2');
    expect(['1.0.2', '1.0.3', '2.5.0', '3.0.0'].filter((t) => or.test(t))).toEqual(['1.0.2', '2.5.0']);
    expect(parseVersionRange('~1.2').test('1.2.3_build')).toBe(true);
  });

  it('refuses a range it cannot read, naming it', () => {
    expect(() => parseVersionRange('>=banana')).toThrow(/--semver: invalid version range ">=banana"/);
  });
});
