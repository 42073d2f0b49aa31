import { UsageError } from '../errors.js';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "90d", "12h", "2w", "1d12h": a duration in milliseconds. */
export function parseDuration(text: string, flag = '--older-than'): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)([smhdw])/g)];
  const joined = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || joined !== text.trim()) throw new UsageError(`${flag} takes a duration such as 90d, 12h, 2w or 1d12h, not "${text}"`);
  return parts.reduce((ms, p) => ms + Number(p[1]) * UNITS[p[2]!]!, 0);
}

/** What prune keeps and deletes; candidates come from the tag selection. */
export interface PruneRules {
  /** Keep the newest N candidates (by version when every candidate is one, else by `created`). */
  keepLast?: number;
  /** Delete only candidates created longer ago than this. */
  olderThanMs?: number;
}
