import { describe, expect, it } from 'vitest';
import { cliSelection, needsListing, selectTags } from '../../../src/sync/select.js';
import { parseShard, inShard } from '../../../src/sync/shard.js';

describe('selection', () => {
  it('--tags matches whole tags; --semver narrows further', () => {
    const sel = cliSelection({ tags: '1\\..*', semver: '>=1.0.5' });
    expect(selectTags(sel, ['1.0.4', '1.0.5', '1.0.10', '10.0.0', 'latest'])).toEqual({ tags: ['1.0.10', '1.0.5'], left: ['1.0.4', '10.0.0', 'latest'] });
  });

  it('named tags need no listing; no selection takes every tag', () => {
    expect(needsListing({ tags: ['a'] })).toBe(false);
    expect(selectTags({ tags: ['b', 'a'] }, undefined).tags).toEqual(['a', 'b']);
    expect(needsListing({})).toBe(true);
    expect(selectTags({}, ['x', 'y']).tags).toEqual(['x', 'y']);
  });

  it('rejects a broken regular expression with the flag named', () => {
    expect(() => cliSelection({ tags: '(' })).toThrow(/--tags: invalid regular expression/);
  });
});

describe('shards', () => {
  it('parses I/N and refuses nonsense', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, count: 3 });
    for (const bad of ['3/3', '1', 'a/b', '0/0']) expect(() => parseShard(bad)).toThrow(/--shard takes I\/N/);
  });

  it('N shards cover every key exactly once, and a key keeps its shard when others are added', () => {
    const keys = Array.from({ length: 200 }, (_, i) => `docker://r/x:${i}`);
    const owners = keys.map((k) => [0, 1, 2].filter((i) => inShard(k, { index: i, count: 3 })));
    expect(owners.every((o) => o.length === 1)).toBe(true);
    // roughly even: no shard empty
    for (const i of [0, 1, 2]) expect(owners.filter((o) => o[0] === i).length).toBeGreaterThan(30);
    const before = owners[7]![0];
    expect([0, 1, 2].filter((i) => inShard(keys[7]!, { index: i, count: 3 }))).toEqual([before]);
  });
});
