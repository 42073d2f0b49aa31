import { describe, expect, it } from 'vitest';
import { FerryError, UsageError } from '../../../src/errors.js';
import { buildIndexManifest, placeEntries, type MergeEntry } from '../../../src/merge/build-index.js';
import { normalizePlatform } from '../../../src/merge/child-platform.js';
import type { Platform } from '../../../src/oci/descriptor.js';
import { sha256, type Digest } from '../../../src/oci/digest.js';
import { MediaType } from '../../../src/oci/media-types.js';

const digest = (s: string): Digest => sha256(s);
const plat = (text: string): Platform => {
  const [os = '', architecture = '', variant] = text.split('/');
  return variant ? { architecture, os, variant } : { architecture, os };
};
function entry(name: string, platform: string | undefined, extra: Partial<MergeEntry> = {}, mediaType: string = MediaType.OciManifest): MergeEntry {
  return { descriptor: { mediaType, digest: digest(name), size: name.length * 100 }, platform: platform ? plat(platform) : undefined, origin: `docker://reg/${name}`, ...extra };
}

function thrown(fn: () => unknown): FerryError {
  try {
    fn();
  } catch (e) {
    return e as FerryError;
  }
  throw new Error('expected a throw');
}

describe('placeEntries', () => {
  it('lists the images in the order given', () => {
    const { entries, notes } = placeEntries([], [entry('amd', 'linux/amd64'), entry('arm64', 'linux/arm64/v8'), entry('arm', 'linux/arm/v7')], false);
    expect(entries.map((e) => e.origin)).toEqual(['docker://reg/amd', 'docker://reg/arm64', 'docker://reg/arm']);
    expect(notes).toEqual([]);
  });

  it('refuses a second image for a platform, naming both sources', () => {
    const err = thrown(() => placeEntries([], [entry('a', 'linux/amd64'), entry('b', 'linux/arm64'), entry('c', 'linux/amd64')], false));
    expect(err).toBeInstanceOf(FerryError);
    expect(err.code).toBe('ERR_CONFLICT');
    expect(err.message).toBe('two images for linux/amd64: docker://reg/a and docker://reg/c');
    expect(err.hint).toBe('`replace: true` keeps the later one');
    expect(err.message).not.toContain('\n');
  });

  it('treats arm64 and arm64/v8 as the same platform', () => {
    expect(thrown(() => placeEntries([], [entry('a', 'linux/arm64'), entry('b', 'linux/arm64/v8')], false)).message).toMatch(/^two images for linux\/arm64\/v8: /);
  });

  it('keeps different variants and os versions apart', () => {
    const winA = entry('w1', 'windows/amd64');
    winA.platform = { ...winA.platform!, 'os.version': '10.0.17763.1' };
    const winB = entry('w2', 'windows/amd64');
    winB.platform = { ...winB.platform!, 'os.version': '10.0.20348.1' };
    const { entries } = placeEntries([], [entry('v6', 'linux/arm/v6'), entry('v7', 'linux/arm/v7'), winA, winB], false);
    expect(entries).toHaveLength(4);
  });

  it('with replace, the later image takes the earlier one\'s place and says so', () => {
    const { entries, notes } = placeEntries([], [entry('a', 'linux/amd64'), entry('b', 'linux/arm64'), entry('c', 'linux/amd64')], true);
    expect(entries.map((e) => e.origin)).toEqual(['docker://reg/c', 'docker://reg/b']);
    expect(notes).toEqual(['linux/amd64: docker://reg/c replaces docker://reg/a']);
  });

  it('lets new images replace entries of the index being appended to, without --replace', () => {
    const existing = [entry('old-amd', 'linux/amd64', { existing: true }), entry('old-s390x', 'linux/s390x', { existing: true })];
    const { entries, notes } = placeEntries(existing, [entry('new-amd', 'linux/amd64'), entry('arm', 'linux/arm64')], false);
    expect(entries.map((e) => e.origin)).toEqual(['docker://reg/new-amd', 'docker://reg/old-s390x', 'docker://reg/arm']);
    expect(notes).toEqual(['linux/amd64: docker://reg/new-amd replaces docker://reg/old-amd']);
  });

  it('says nothing when an append brings the very manifest already listed', () => {
    const { entries, notes } = placeEntries([entry('same', 'linux/amd64', { existing: true })], [entry('same', 'linux/amd64')], false);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.existing).toBeUndefined();
    expect(notes).toEqual([]);
  });

  it('never treats attestations (unknown/unknown) as duplicates, and drops those of a replaced image', () => {
    const old = entry('old', 'linux/amd64', { existing: true });
    const att = entry('att-old', 'unknown/unknown', { existing: true });
    att.descriptor.annotations = { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': old.descriptor.digest };
    const otherAtt = entry('att-other', 'unknown/unknown', { existing: true });
    otherAtt.descriptor.annotations = { 'vnd.docker.reference.digest': digest('arm') };
    const { entries } = placeEntries([old, att, otherAtt], [entry('new', 'linux/amd64')], false);
    expect(entries.map((e) => e.origin)).toEqual(['docker://reg/new', 'docker://reg/att-other']);
  });
});

describe('buildIndexManifest', () => {
  const three = [entry('amd', 'linux/amd64'), entry('arm64', 'linux/arm64/v8'), entry('arm', 'linux/arm/v7')];

  it('writes an OCI index with each child\'s type, digest, size and platform', () => {
    const raw = buildIndexManifest(three, { format: 'oci', annotations: { 'org.opencontainers.image.source': 'https://example.test/app' } });
    expect(raw.mediaType).toBe(MediaType.OciIndex);
    expect(raw.digest).toBe(sha256(raw.bytes));
    const doc = JSON.parse(Buffer.from(raw.bytes).toString('utf8'));
    expect(doc).toEqual({
      schemaVersion: 2,
      mediaType: MediaType.OciIndex,
      manifests: three.map((e) => ({ mediaType: e.descriptor.mediaType, digest: e.descriptor.digest, size: e.descriptor.size, platform: e.platform })),
      annotations: { 'org.opencontainers.image.source': 'https://example.test/app' },
    });
  });

  it('is deterministic: the same entries give the same bytes, once platforms are normalised', () => {
    const shuffled = three.map((e) => ({ ...e, platform: { ...(e.platform!.variant ? { variant: e.platform!.variant } : {}), os: e.platform!.os, architecture: e.platform!.architecture } }));
    const a = buildIndexManifest(three, { format: 'oci' });
    expect(Buffer.from(buildIndexManifest(three, { format: 'oci' }).bytes).equals(Buffer.from(a.bytes))).toBe(true);
    // collect.ts normalises every platform, so field order in a config or spec cannot change the digest
    expect(buildIndexManifest(shuffled, { format: 'oci' }).digest).not.toBe(a.digest);
    const normalised = shuffled.map((e) => ({ ...e, platform: normalizePlatform(e.platform) }));
    expect(buildIndexManifest(normalised, { format: 'oci' }).digest).toBe(a.digest);
  });

  it('keeps child descriptor annotations in an OCI index and omits empty annotations', () => {
    const withAnn = entry('x', 'linux/amd64');
    withAnn.descriptor.annotations = { 'org.example/flavour': 'slim' };
    const doc = JSON.parse(Buffer.from(buildIndexManifest([withAnn], { format: 'oci', annotations: {} }).bytes).toString());
    expect(doc.manifests[0].annotations).toEqual({ 'org.example/flavour': 'slim' });
    expect(doc).not.toHaveProperty('annotations');
  });

  it('writes a Docker manifest list in docker\'s field order when every child is a v2s2 image', () => {
    const docker = three.map((e) => ({ ...e, descriptor: { ...e.descriptor, mediaType: MediaType.DockerManifest } }));
    const raw = buildIndexManifest(docker, { format: 'v2s2' });
    expect(raw.mediaType).toBe(MediaType.DockerManifestList);
    const doc = JSON.parse(Buffer.from(raw.bytes).toString());
    expect(doc.mediaType).toBe(MediaType.DockerManifestList);
    expect(Object.keys(doc.manifests[0])).toEqual(['mediaType', 'size', 'digest', 'platform']);
  });

  it('refuses v2s2 when a child is an OCI manifest, naming it', () => {
    const mixed = [{ ...three[0]!, descriptor: { ...three[0]!.descriptor, mediaType: MediaType.DockerManifest } }, three[1]!];
    const err = thrown(() => buildIndexManifest(mixed, { format: 'v2s2' }));
    expect(err.code).toBe('ERR_UNSUPPORTED');
    expect(err.message).toContain('docker://reg/arm64');
    expect(err.message).toContain(MediaType.OciManifest);
    expect(err.hint).toBe("use `format: 'oci'`");
  });

  it('refuses annotations on a Docker manifest list and an empty index', () => {
    const docker = [{ ...three[0]!, descriptor: { ...three[0]!.descriptor, mediaType: MediaType.DockerManifest } }];
    expect(thrown(() => buildIndexManifest(docker, { format: 'v2s2', annotations: { a: 'b' } }))).toBeInstanceOf(UsageError);
    expect(thrown(() => buildIndexManifest([], { format: 'oci' }))).toBeInstanceOf(UsageError);
  });
});
