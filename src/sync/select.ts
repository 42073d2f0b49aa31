import { UsageError } from '../errors.js';
import { isDigest, type Digest } from '../oci/digest.js';
import { parseVersionRange, type VersionRange } from './semver-range.js';

/**
 * Which images of one repository a sync (or prune) takes: explicit tags and digests, or
 * every listed tag narrowed by a regular expression and/or a version range. With none
 * of these, every tag.
 */
export interface Selection {
  /** Named tags (YAML `images: repo: [..]`); no listing needed. */
  tags?: string[];
  /** Named digests; copied by digest, untagged. */
  digests?: Digest[];
  /** Whole-tag regular expression over the listed tags. */
  regex?: RegExp;
  /** Version range over the listed tags. */
  semver?: VersionRange;
}

/** A pattern as users write it: matched against the whole tag. */
export function wholeMatch(pattern: RegExp | string, flag: string): RegExp {
  if (pattern instanceof RegExp) return pattern;
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (e) {
    throw new UsageError(`${flag}: invalid regular expression "${pattern}": ${(e as Error).message}`);
  }
}

export function tagFilter(pattern: RegExp | string | undefined): (tag: string) => boolean {
  if (pattern === undefined) return () => true;
  const re = wholeMatch(pattern, '--tags');
  return (tag) => re.test(tag);
}

/** The command line's selection: --tags and --semver together narrow (both must match). */
export function cliSelection(opts: { tags?: RegExp | string; semver?: string }): Selection {
  return {
    ...(opts.tags !== undefined ? { regex: wholeMatch(opts.tags, '--tags') } : {}),
    ...(opts.semver !== undefined ? { semver: parseVersionRange(opts.semver) } : {}),
  };
}

/** Whether the selection must list the repository's tags (anything but explicit names). */
export function needsListing(sel: Selection): boolean {
  return !(sel.tags?.length || sel.digests?.length) || sel.regex !== undefined || sel.semver !== undefined;
}

export function matchesTag(sel: Selection, tag: string): boolean {
  if (sel.regex && !sel.regex.test(tag)) return false;
  if (sel.semver && !sel.semver.test(tag)) return false;
  return true;
}

/**
 * Selected tags (sorted, unique) and those left out. Named tags need no listing; a
 * filter or no selection at all takes from the listing.
 */
export function selectTags(sel: Selection, listed: readonly string[] | undefined): { tags: string[]; left: string[] } {
  if (!needsListing(sel) || !listed) return { tags: [...new Set(sel.tags ?? [])].sort(), left: [] };
  const tags = new Set<string>(sel.tags ?? []);
  const left = new Set<string>();
  for (const t of listed) (matchesTag(sel, t) ? tags : left).add(t);
  return { tags: [...tags].sort(), left: [...left].sort() };
}

/** YAML `images:` entries: each a tag or a digest. */
export function splitTagsAndDigests(entries: readonly string[]): { tags: string[]; digests: Digest[] } {
  const tags: string[] = [];
  const digests: Digest[] = [];
  for (const e of entries) (isDigest(e) ? digests.push(e) : tags.push(e));
  return { tags, digests };
}
