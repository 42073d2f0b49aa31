import { describe, expect, it } from 'vitest';
import type { Descriptor } from '../../../src/oci/descriptor.js';
import type { Digest } from '../../../src/oci/digest.js';
import { REF_NAME_ANNOTATION, blobPath, emptyIndex, encodeIndexJson, parseIndexJson, resolveRef, withEntry } from '../../../src/transport/oci-layout/layout.js';

const d = (c: string, name?: string): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${c.repeat(64)}` as Digest,
  size: 1,
  ...(name !== undefined ? { annotations: { [REF_NAME_ANNOTATION]: name } } : {}),
});
const names = (ms: Descriptor[]) => ms.map((m) => `${m.annotations?.[REF_NAME_ANNOTATION] ?? '-'}=${m.digest.slice(7, 8)}`);

describe('index.json entries', () => {
  it.each([
    ['adds a new name at the end', [d('a', 'v1')], d('b', 'v2'), ['v1=a', 'v2=b']],
    ['replaces the entry with the same name in place', [d('a', 'v1'), d('b', 'v2')], d('c', 'v1'), ['v1=c', 'v2=b']],
    ['drops later duplicates of that name', [d('a', 'v1'), d('b', 'v2'), d('c', 'v1')], d('e', 'v1'), ['v1=e', 'v2=b']],
    ['replaces an unnamed entry with the same digest', [d('a'), d('b', 'v1')], d('a'), ['-=a', 'v1=b']],
    ['keeps a named entry when adding the same digest unnamed', [d('a', 'v1')], d('a'), ['v1=a', '-=a']],
  ])('%s', (_what, before, entry, after) => {
    expect(names(withEntry({ doc: {}, manifests: before }, entry).manifests)).toEqual(after);
  });

  it('resolves refs, the only entry, and refuses ambiguity', () => {
    const index = { doc: {}, manifests: [d('a', 'v1'), d('b', 'v2')] };
    expect(resolveRef(index, 'v2', 'oci:x').digest).toBe(d('b').digest);
    expect(() => resolveRef(index, 'v3', 'oci:x:v3')).toThrow(/oci:x:v3: no image named "v3" \(index.json has: v1, v2\)/);
    expect(() => resolveRef(index, undefined, 'oci:x')).toThrow(/2 images.*v1, v2/);
    expect(resolveRef({ doc: {}, manifests: [d('c')] }, undefined, 'oci:x').digest).toBe(d('c').digest);
    expect(() => resolveRef(emptyIndex(), undefined, 'oci:x')).toThrow(/no images/);
  });

  it('keeps unknown top-level fields across a rewrite', () => {
    const parsed = parseIndexJson(Buffer.from(JSON.stringify({ schemaVersion: 2, annotations: { a: 'b' }, manifests: [d('a', 'v1')] })), 'x');
    const out = JSON.parse(Buffer.from(encodeIndexJson(withEntry(parsed, d('b', 'v2')))).toString()) as Record<string, unknown>;
    expect(out['annotations']).toEqual({ a: 'b' });
    expect(out['manifests']).toHaveLength(2);
  });

  it('rejects corrupt documents and bad digests with ERR_LAYOUT / ERR_MANIFEST_INVALID', () => {
    expect(() => parseIndexJson(Buffer.from('[]'), 'oci:x')).toThrow(expect.objectContaining({ code: 'ERR_LAYOUT' }));
    expect(() => parseIndexJson(Buffer.from('{"manifests":[{"mediaType":"x","digest":"nope","size":1}]}'), 'oci:x')).toThrow(expect.objectContaining({ code: 'ERR_LAYOUT' }));
    expect(() => blobPath('sha256:../../etc' as Digest)).toThrow(expect.objectContaining({ code: 'ERR_MANIFEST_INVALID' }));
  });
});
