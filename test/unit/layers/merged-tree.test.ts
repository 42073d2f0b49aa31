import { describe, expect, it } from 'vitest';
import type { LayerEntry } from '../../../src/layers/entry.js';
import { normalizePath } from '../../../src/layers/entry.js';
import { MergedTree } from '../../../src/layers/merged-tree.js';
import { matchHistory } from '../../../src/layers/history.js';
import { decodeName } from '../../../src/layers/name-bytes.js';

function file(path: string, size = 1): LayerEntry {
  return { path, type: 'file', mode: 0o644, uid: 0, gid: 0, size };
}
function dir(path: string): LayerEntry {
  return { path, type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0 };
}
function whiteout(path: string): LayerEntry {
  const slash = path.lastIndexOf('/');
  return { ...file(`${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`, 0), whiteout: { kind: 'path', target: path } };
}
function opaque(path: string): LayerEntry {
  return { ...file(`${path}/.wh..wh..opq`, 0), whiteout: { kind: 'opaque', target: path } };
}
function paths(tree: MergedTree): string[] {
  return [...tree.walk()].map(([p]) => p);
}

describe('MergedTree', () => {
  it('whiteouts remove lower paths and whole subtrees, charging the bytes to their layer', () => {
    const t = new MergedTree();
    t.apply(0, [dir('a'), file('a/x', 10), file('a/y', 20), file('b', 5)]);
    t.apply(1, [whiteout('a'), file('c', 1)]);
    expect(paths(t)).toEqual(['b', 'c']);
    expect(t.wasted).toEqual([30, 0]);
    expect(t.largestWaste[0]).toEqual({ path: 'a/y', size: 20 });
  });

  it('an opaque directory hides lower children but keeps its own layer’s entries, wherever the marker sits', () => {
    const t = new MergedTree();
    t.apply(0, [dir('d'), file('d/old', 7)]);
    t.apply(1, [dir('d'), file('d/new', 3), opaque('d')]);
    expect(paths(t)).toEqual(['d', 'd/new']);
    expect(t.wasted).toEqual([7, 0]);
  });

  it('the later of two entries in one layer wins; the earlier one is waste of that layer', () => {
    const t = new MergedTree();
    t.apply(0, [file('f', 4), file('f', 9)]);
    expect(t.find('f')?.entry?.size).toBe(9);
    expect(t.wasted).toEqual([4]);
  });

  it('a file replacing a directory drops the directory; a directory entry over a directory keeps its children', () => {
    const t = new MergedTree();
    t.apply(0, [dir('d'), file('d/x', 2), dir('k'), file('k/y', 3)]);
    t.apply(1, [file('d', 1), { ...dir('k'), mode: 0o700 }]);
    expect(paths(t)).toEqual(['d', 'k', 'k/y']);
    expect(t.find('k')?.entry?.mode).toBe(0o700);
    expect(t.wasted).toEqual([2, 0]);
  });

  it('parents without entries are implied directories', () => {
    const t = new MergedTree();
    t.apply(0, [file('x/y/z')]);
    expect(paths(t)).toEqual(['x', 'x/y', 'x/y/z']);
    expect(t.find('x')?.entry).toBeUndefined();
  });
});

describe('names and history', () => {
  it('normalises paths', () => {
    expect(normalizePath('./a//b/')).toBe('a/b');
    expect(normalizePath('/')).toBe('');
  });

  it('keeps valid UTF-8 and writes other bytes as \\xNN', () => {
    expect(decodeName(Buffer.from('café', 'utf8').toString('latin1'))).toBe('café');
    expect(decodeName(Buffer.from([0x63, 0xe9, 0x2f, 0xff]).toString('latin1'))).toBe('c\\xe9/\\xff');
    // an overlong encoding of "/" is not valid UTF-8
    expect(decodeName(Buffer.from([0xc0, 0xaf]).toString('latin1'))).toBe('\\xc0\\xaf');
  });

  it('matches history to layers by skipping empty_layer entries', () => {
    const h = (createdBy: string, emptyLayer = false) => ({ createdBy, emptyLayer });
    expect(matchHistory([h('ADD'), h('ENV', true), h('RUN')], 3)).toEqual([
      { kind: 'layer', layer: 0, history: h('ADD') },
      { kind: 'empty', history: h('ENV', true) },
      { kind: 'layer', layer: 1, history: h('RUN') },
      { kind: 'layer', layer: 2 },
    ]);
  });
});
