import { describe, expect, it } from 'vitest';
import { planPrune } from '../../../src/prune/plan.js';
import { parseDuration } from '../../../src/prune/rules.js';

const NOW = new Date('2026-12-01T00:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);

describe('prune plan', () => {
  it('keeps the newest N by version when every tag is one (1.0.10 is newer than 1.0.9)', () => {
    const { decisions, order } = planPrune(['1.0.9', '1.0.10', '1.0.2', '0.9.0'].map((tag) => ({ tag })), { keepLast: 2 }, NOW);
    expect(order).toBe('version');
    expect(decisions.map((d) => [d.tag, d.action])).toEqual([['1.0.10', 'keep'], ['1.0.9', 'keep'], ['1.0.2', 'delete'], ['0.9.0', 'delete']]);
    expect(decisions[2]!.reason).toBe('not among the newest 2 by version');
  });

  it('falls back to creation date when a tag is not a version', () => {
    const { decisions, order } = planPrune([{ tag: 'main', created: daysAgo(1) }, { tag: 'old', created: daysAgo(30) }, { tag: 'mid', created: daysAgo(5) }], { keepLast: 1 }, NOW);
    expect(order).toBe('created');
    expect(decisions.map((d) => [d.tag, d.action])).toEqual([['main', 'keep'], ['mid', 'delete'], ['old', 'delete']]);
  });

  it('--older-than deletes only what is older; with --keep-last both must agree; no date, no deletion', () => {
    const c = [{ tag: 'a', created: daysAgo(100) }, { tag: 'b', created: daysAgo(10) }, { tag: 'c' }, { tag: 'd', created: daysAgo(200) }];
    const r = planPrune(c, { olderThanMs: parseDuration('90d') }, NOW).decisions;
    expect(Object.fromEntries(r.map((d) => [d.tag, d.action]))).toEqual({ a: 'delete', b: 'keep', c: 'keep', d: 'delete' });
    const both = planPrune(c, { olderThanMs: parseDuration('90d'), keepLast: 2 }, NOW).decisions;
    expect(Object.fromEntries(both.map((d) => [d.tag, d.action]))).toEqual({ a: 'keep', b: 'keep', c: 'keep', d: 'delete' });
  });

  it('reads durations and refuses what is not one', () => {
    expect(parseDuration('1d12h')).toBe(36 * 3_600_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    for (const bad of ['90', 'd', '1y', '5d x']) expect(() => parseDuration(bad)).toThrow(/--older-than takes a duration/);
  });
});
