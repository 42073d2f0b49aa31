import { compareTagVersions, tagVersion } from '../sync/semver-range.js';
import type { PruneRules } from './rules.js';

export interface PruneCandidate {
  tag: string;
  /** The image config's `created`; undefined when it has none (Helm charts, artifacts). */
  created?: Date;
}

export interface PruneDecision {
  tag: string;
  action: 'delete' | 'keep';
  reason: string;
  created?: Date;
}

export type PruneOrder = 'version' | 'created';

/** Newest first: by version when every candidate is one (1.0.10 after 1.0.9), else by `created`. */
export function pruneOrder(candidates: readonly PruneCandidate[]): PruneOrder {
  return candidates.length > 0 && candidates.every((c) => tagVersion(c.tag) !== undefined) ? 'version' : 'created';
}

function newestFirst(candidates: readonly PruneCandidate[], order: PruneOrder): PruneCandidate[] {
  if (order === 'version') return [...candidates].sort((a, b) => compareTagVersions(a.tag, b.tag));
  // unknown dates sort as oldest: a tag that cannot show its age is not "newest"
  return [...candidates].sort((a, b) => (b.created?.getTime() ?? -Infinity) - (a.created?.getTime() ?? -Infinity) || a.tag.localeCompare(b.tag));
}

/**
 * Decides, without I/O, which candidate tags go: with keepLast, every one past the
 * newest N; with olderThan, only those created before now − D (both rules: both must
 * say delete). A tag whose age is unknown is never deleted by age.
 */
export function planPrune(candidates: readonly PruneCandidate[], rules: PruneRules, now: Date): { decisions: PruneDecision[]; order: PruneOrder } {
  const order = pruneOrder(candidates);
  const sorted = newestFirst(candidates, order);
  const by = order === 'version' ? 'by version' : 'by creation date';
  const cutoff = rules.olderThanMs !== undefined ? now.getTime() - rules.olderThanMs : undefined;
  const decisions = sorted.map((c, i): PruneDecision => {
    const withDate = c.created ? { created: c.created } : {};
    if (rules.keepLast !== undefined && i < rules.keepLast) return { tag: c.tag, action: 'keep', reason: `among the newest ${rules.keepLast} ${by}`, ...withDate };
    if (cutoff !== undefined) {
      if (!c.created) return { tag: c.tag, action: 'keep', reason: 'no creation date to compare', ...withDate };
      if (c.created.getTime() >= cutoff) return { tag: c.tag, action: 'keep', reason: `created ${c.created.toISOString()}, newer than the cut-off`, ...withDate };
    }
    const why = [rules.keepLast !== undefined ? `not among the newest ${rules.keepLast} ${by}` : undefined, cutoff !== undefined ? `created ${c.created!.toISOString()}, older than the cut-off` : undefined].filter(Boolean);
    return { tag: c.tag, action: 'delete', reason: why.length ? why.join('; ') : 'selected', ...withDate };
  });
  return { decisions, order };
}
