import { describe, expect, it } from 'vitest';
import { mergeScopes, repositoryScope, scopesCover } from '../../../src/http/scope.js';

describe('repositoryScope', () => {
  it('formats repository:<name>:<actions>', () => {
    expect(repositoryScope('library/alpine', 'pull')).toBe('repository:library/alpine:pull');
    expect(repositoryScope('team/app', 'pull', 'push')).toBe('repository:team/app:pull,push');
  });
});

describe('mergeScopes', () => {
  it('joins the actions of one resource, sorted and deduplicated', () => {
    expect(mergeScopes(['repository:a:push', 'repository:a:pull', 'repository:a:pull,push'])).toEqual(['repository:a:pull,push']);
  });

  it('keeps resources apart and sorts the result, so equal sets give equal keys', () => {
    const one = mergeScopes(['repository:b:pull', 'repository:a:push', 'repository:a:pull']);
    const two = mergeScopes(['repository:a:pull,push', 'repository:b:pull']);
    expect(one).toEqual(['repository:a:pull,push', 'repository:b:pull']);
    expect(two).toEqual(one);
  });

  it('splits at the last colon, so names with colons survive', () => {
    expect(mergeScopes(['registry:catalog:*', 'repository:x/y:delete'])).toEqual(['registry:catalog:*', 'repository:x/y:delete']);
  });

  it('drops scopes without a colon and empty actions', () => {
    expect(mergeScopes(['nonsense', 'repository:a:pull,,'])).toEqual(['repository:a:pull']);
    expect(mergeScopes([])).toEqual([]);
  });

  it('accepts any iterable', () => {
    expect(mergeScopes(new Set(['repository:a:pull']))).toEqual(['repository:a:pull']);
  });
});

describe('scopesCover', () => {
  it('is true when every wanted action is granted', () => {
    expect(scopesCover(['repository:a:pull,push'], ['repository:a:pull'])).toBe(true);
    expect(scopesCover(['repository:a:pull', 'repository:a:push'], ['repository:a:push,pull'])).toBe(true);
    expect(scopesCover(['repository:a:pull', 'repository:b:pull'], ['repository:b:pull'])).toBe(true);
  });

  it('is false when an action or a resource is missing', () => {
    expect(scopesCover(['repository:a:pull'], ['repository:a:pull,push'])).toBe(false);
    expect(scopesCover(['repository:a:pull'], ['repository:b:pull'])).toBe(false);
    expect(scopesCover([], ['repository:a:pull'])).toBe(false);
  });

  it('treats * as every action', () => {
    expect(scopesCover(['repository:a:*'], ['repository:a:pull,push,delete'])).toBe(true);
    expect(scopesCover(['repository:b:*'], ['repository:a:pull'])).toBe(false);
  });

  it('covers an empty wish with anything', () => {
    expect(scopesCover([], [])).toBe(true);
  });
});
