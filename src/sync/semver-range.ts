import semver from 'semver';
import { UsageError } from '../errors.js';

/**
 * Tags read as semantic versions, and ranges written as skopeo (Masterminds/semver) and
 * Helm users write them. npm's `semver` does the comparing; this file only adapts the
 * spelling: Helm tags `1.2.3+build` as `1.2.3_build` (a tag cannot hold `+`), a leading
 * `v` is common, and Masterminds joins AND-ed comparisons with commas (">= 1.0, < 2").
 */
export function tagVersion(tag: string): semver.SemVer | undefined {
  // only the first `_` stands for `+`: build metadata may not hold `_` itself
  const spelled = tag.replace('_', '+');
  return semver.parse(spelled.startsWith('v') ? spelled.slice(1) : spelled) ?? undefined;
}

export interface VersionRange {
  readonly text: string;
  test(tag: string): boolean;
}

export function parseVersionRange(text: string, where = '--semver'): VersionRange {
  // ">= 1.0, < 2" → ">=1.0 <2": commas are AND in Masterminds, spaces in npm
  const npmForm = text
    .split('||')
    .map((part) => part.replace(/,/g, ' ').replace(/(>=|<=|>|<|=|~|\^)\s+/g, '$1').trim())
    .join(' || ');
  let range: semver.Range;
  try {
    range = new semver.Range(npmForm);
  } catch (e) {
    throw new UsageError(`${where}: invalid version range "${text}": ${(e as Error).message}`);
  }
  return {
    text,
    test(tag: string): boolean {
      const v = tagVersion(tag);
      return v !== undefined && range.test(v);
    },
  };
}

/** Newest first by version precedence (build metadata ignored, as the spec says). */
export function compareTagVersions(a: string, b: string): number {
  const va = tagVersion(a);
  const vb = tagVersion(b);
  if (va && vb) return semver.rcompare(va, vb) || a.localeCompare(b);
  return va ? -1 : vb ? 1 : a.localeCompare(b);
}
