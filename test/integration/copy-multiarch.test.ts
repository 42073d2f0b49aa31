// Multi-platform indexes: ferry copies the whole index byte-exact by default; with
// --platform it writes a rewritten index of just those platforms (and says the digest
// changed) whose every manifest is at the destination; --multi-arch system copies the
// host's image alone.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAccessLog } from '../support/access-log.js';
import { describeRun, ferryOk } from '../support/ferry-cli.js';
import { buildIndex, pushWithSkopeo, type BuiltIndex } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { skopeoCopy, skopeoInspectRaw } from '../support/skopeo.js';
import { manifestStatus, readOciLayout, readRegistryImage, type StoredImage } from '../support/stored-image.js';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

interface IndexDoc {
  mediaType: string;
  manifests: Array<{ digest: string; platform?: { os: string; architecture: string; variant?: string } }>;
}

function hostArchitecture(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm' } as Record<string, string>)[process.arch] ?? process.arch;
}

/** Every manifest and blob the stored root references is there, stored under its digest. */
function expectComplete(stored: StoredImage, index: IndexDoc): void {
  expect([...stored.children.keys()].sort()).toEqual(index.manifests.map((m) => m.digest).sort());
  expect(stored.blobs.length).toBeGreaterThan(0);
  for (const blob of stored.blobs) expect(blob.actual, blob.digest).toBe(blob.digest);
}

describe('copy of a three-platform index', () => {
  let registry: RunningRegistry;
  let index: BuiltIndex;
  let work: string;

  beforeAll(async () => {
    [registry, index, work] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      buildIndex(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']),
      scratchDir('multiarch'),
    ]);
    await pushWithSkopeo(index, registry, 'multi/source:v1');
  });
  afterAll(() => registry?.stop());

  const image = (architecture: string): BuiltIndex['images'][number] => {
    const found = index.images.find((i) => i.platform.architecture === architecture);
    if (!found) throw new Error(`no ${architecture} image in the fixture`);
    return found;
  };

  it('copies every platform byte-exact by default', async () => {
    const mark = await registry.mark();
    const run = await ferryOk(['copy', '--quiet', index.ociRef, `docker://${registry.ref('multi/all:v1')}`]);
    expect(run.stdout.trim()).toBe(index.digest);
    expect(await skopeoInspectRaw(registry, 'multi/all:v1')).toBe(index.indexBytes.toString());
    const stored = await readRegistryImage(registry, 'multi/all', 'v1');
    expect(stored.digest).toBe(index.digest);
    expectComplete(stored, index.index);
    for (const child of index.images) expect(stored.children.get(child.digest)?.equals(child.manifestBytes)).toBe(true);
    // The layer every platform shares went over once.
    const shared = index.images[0]?.layers[0]?.digest ?? '';
    const log = await registry.accessLog(mark);
    expect(log.filter((e) => e.method === 'PUT' && e.uri.includes(encodeURIComponent(shared))).length, formatAccessLog(log)).toBe(1);
  });

  it('--platform writes an index of just those platforms, complete, and says the digest changed', async () => {
    const run = await ferryOk(['copy', '--progress', 'plain', '--platform', 'linux/amd64,linux/arm64', `docker://${registry.ref('multi/source:v1')}`, `docker://${registry.ref('multi/two:v1')}`]);
    const digest = run.stdout.trim();
    expect(digest).not.toBe(index.digest);
    expect(run.stderr, describeRun(run)).toContain(`manifest digest changed: ${index.digest} → ${digest}`);

    const stored = await readRegistryImage(registry, 'multi/two', 'v1');
    expect(stored.digest).toBe(digest);
    const doc = JSON.parse(stored.manifestBytes?.toString() ?? '{}') as IndexDoc;
    expect(doc.mediaType).toBe(OCI_INDEX);
    expect(doc.manifests.map((m) => m.digest)).toEqual([image('amd64').digest, image('arm64').digest]);
    expect(doc.manifests.map((m) => m.platform)).toEqual([image('amd64').platform, image('arm64').platform]);
    expectComplete(stored, doc);
    expect(await manifestStatus(registry, 'multi/two', image('arm').digest)).toBe(404);

    // skopeo copies the rewritten index with --all, keeping its digest.
    const out = join(work, 'two-by-skopeo');
    await skopeoCopy(`docker://${registry.ref('multi/two:v1')}`, `oci:${out}:v1`, { src: registry, all: true, preserveDigests: true });
    const copied = await readOciLayout(out, 'v1');
    expect(copied.digest).toBe(digest);
    expectComplete(copied, doc);
  });

  it('--platform naming every platform is the whole index, byte-exact', async () => {
    const run = await ferryOk(['copy', '--quiet', '--platform', 'linux/arm/v7,linux/arm64,linux/amd64', index.ociRef, `oci:${join(work, 'every')}:v1`]);
    expect(run.stdout.trim()).toBe(index.digest);
  });

  it('--multi-arch system copies only the host platform’s image', async () => {
    const host = image(hostArchitecture());
    const run = await ferryOk(['copy', '--quiet', '--multi-arch', 'system', `docker://${registry.ref('multi/source:v1')}`, `docker://${registry.ref('multi/system:v1')}`]);
    expect(run.stdout.trim()).toBe(host.digest);
    expect(await skopeoInspectRaw(registry, 'multi/system:v1')).toBe(host.manifestBytes.toString());
    for (const other of index.images.filter((i) => i !== host)) {
      expect(await manifestStatus(registry, 'multi/system', other.digest)).toBe(404);
    }
    expect(await manifestStatus(registry, 'multi/system', index.digest)).toBe(404);
    const stored = await readRegistryImage(registry, 'multi/system', 'v1');
    expect(stored.blobs.map((b) => b.digest).sort()).toEqual([host.config.digest, ...host.layers.map((l) => l.digest)].sort());
  });
});
