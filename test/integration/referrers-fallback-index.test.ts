// The referrers tag schema's index, written where the registry has no referrers API
// (distribution 2.8): entries are only ever added, and writers that overwrite each other
// find out on read-back and merge again.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../../src/oci/digest.js';
import type { Descriptor } from '../../src/oci/descriptor.js';
import type { RawManifest } from '../../src/oci/manifest.js';
import { addToFallbackIndex, type IndexTarget } from '../../src/referrers/fallback-index.js';
import { referrersTag as fallbackTag } from '../../src/referrers/tags.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const EMPTY = 'application/vnd.oci.empty.v1+json';

function digestOf(bytes: Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Reads and writes tags with plain fetch: the module under test sees only IndexTarget. */
function target(reg: RunningRegistry, repo: string): IndexTarget & { puts: number } {
  const t = {
    description: `docker://${reg.ref(repo)}`,
    puts: 0,
    async getTaggedManifest(tag: string): Promise<RawManifest | undefined> {
      const res = await fetch(`${reg.url}/v2/${repo}/manifests/${tag}`, { headers: { accept: INDEX } });
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`GET ${tag}: ${res.status}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { bytes, mediaType: INDEX, digest: digestOf(bytes) };
    },
    async putManifest(raw: RawManifest, tag: string | undefined): Promise<void> {
      t.puts++;
      await putRaw(reg, repo, tag ?? raw.digest, raw.bytes, raw.mediaType);
    },
  };
  return t;
}

async function putRaw(reg: RunningRegistry, repo: string, ref: string, bytes: Uint8Array, mediaType: string): Promise<void> {
  const res = await fetch(`${reg.url}/v2/${repo}/manifests/${ref}`, { method: 'PUT', headers: { 'content-type': mediaType }, body: bytes });
  if (res.status !== 201) throw new Error(`PUT ${ref}: ${res.status} ${await res.text()}`);
}

async function putBlob(reg: RunningRegistry, repo: string, bytes: Uint8Array): Promise<Digest> {
  const digest = digestOf(bytes);
  const start = await fetch(`${reg.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  const loc = new URL(start.headers.get('location')!, reg.url);
  loc.searchParams.set('digest', digest);
  const res = await fetch(loc, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
  if (res.status !== 201) throw new Error(`blob PUT: ${res.status}`);
  return digest;
}

/** An artifact manifest (empty config, one small layer), optionally with a subject. */
async function pushArtifact(reg: RunningRegistry, repo: string, text: string, subject?: Descriptor): Promise<Descriptor> {
  const empty = Buffer.from('{}');
  const layer = Buffer.from(text);
  await putBlob(reg, repo, empty);
  const layerDigest = await putBlob(reg, repo, layer);
  const doc = {
    schemaVersion: 2,
    mediaType: MANIFEST,
    artifactType: 'application/vnd.example.test',
    config: { mediaType: EMPTY, digest: digestOf(empty), size: 2 },
    layers: [{ mediaType: 'text/plain', digest: layerDigest, size: layer.byteLength }],
    ...(subject ? { subject } : {}),
    annotations: { note: text },
  };
  const bytes = Buffer.from(JSON.stringify(doc));
  const digest = digestOf(bytes);
  await putRaw(reg, repo, digest, bytes, MANIFEST);
  return { mediaType: MANIFEST, digest, size: bytes.byteLength, artifactType: 'application/vnd.example.test', annotations: { note: text } };
}

async function listed(reg: RunningRegistry, repo: string, subject: Digest): Promise<string[]> {
  const raw = await target(reg, repo).getTaggedManifest(fallbackTag(subject));
  if (!raw) return [];
  return (JSON.parse(Buffer.from(raw.bytes).toString()) as { manifests: Descriptor[] }).manifests.map((d) => d.digest);
}

describe('fallback referrers index on distribution 2.8', () => {
  let reg: RunningRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ mode: 'plain' });
  });
  afterAll(async () => {
    await reg?.stop();
  });

  it('names the tag after the subject digest', () => {
    expect(fallbackTag(`sha256:${'ab'.repeat(32)}`)).toBe(`sha256-${'ab'.repeat(32)}`);
  });

  it('creates the index, keeps what was listed, and writes nothing when all is there', async () => {
    const repo = 'keep/app';
    const subject = await pushArtifact(reg, repo, 'the image');
    const [a, b] = await Promise.all([pushArtifact(reg, repo, 'a', subject), pushArtifact(reg, repo, 'b', subject)]);
    const t = target(reg, repo);
    expect((await addToFallbackIndex(t, subject.digest, [a!], { settleMs: 20 })).writes).toBe(1);
    expect(await listed(reg, repo, subject.digest)).toEqual([a!.digest]);
    expect((await addToFallbackIndex(t, subject.digest, [b!, a!], { settleMs: 20 })).writes).toBe(1);
    expect(await listed(reg, repo, subject.digest)).toEqual([a!.digest, b!.digest]);
    const again = await addToFallbackIndex(t, subject.digest, [a!, b!], { settleMs: 20 });
    expect(again.writes).toBe(0);
    // listing entries keep the artifactType and annotations clients filter on
    const raw = await t.getTaggedManifest(fallbackTag(subject.digest));
    const doc = JSON.parse(Buffer.from(raw!.bytes).toString()) as { mediaType: string; manifests: Descriptor[] };
    expect(doc.mediaType).toBe(INDEX);
    expect(doc.manifests[1]).toMatchObject({ artifactType: 'application/vnd.example.test', annotations: { note: 'b' } });
  });

  it('merges again when a rival overwrote the index between our write and the read-back', async () => {
    const repo = 'rival/app';
    const subject = await pushArtifact(reg, repo, 'the image');
    const [ours, theirs] = await Promise.all([pushArtifact(reg, repo, 'ours', subject), pushArtifact(reg, repo, 'theirs', subject)]);
    const tag = fallbackTag(subject.digest);
    const inner = target(reg, repo);
    let rivalWrote = false;
    // right after our first write lands, a writer that read the empty index writes its own
    const racing: IndexTarget = {
      ...inner,
      async putManifest(raw, t) {
        await inner.putManifest(raw, t);
        if (!rivalWrote) {
          rivalWrote = true;
          const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [theirs] }));
          await putRaw(reg, repo, tag, bytes, INDEX);
        }
      },
    };
    const r = await addToFallbackIndex(racing, subject.digest, [ours!], { settleMs: 20 });
    expect(r.writes).toBe(2);
    expect((await listed(reg, repo, subject.digest)).sort()).toEqual([ours!.digest, theirs!.digest].sort());
  });

  it('concurrent writers in one process take turns and lose nothing', async () => {
    const repo = 'many/app';
    const subject = await pushArtifact(reg, repo, 'the image');
    const arts = await Promise.all(['1', '2', '3', '4'].map((n) => pushArtifact(reg, repo, n, subject)));
    const targets = arts.map(() => target(reg, repo));
    await Promise.all(arts.map((d, i) => addToFallbackIndex(targets[i]!, subject.digest, [d], { settleMs: 20 })));
    expect((await listed(reg, repo, subject.digest)).sort()).toEqual(arts.map((d) => d.digest).sort());
    // one after another, each read saw the writes before it: one write each, none repeated
    expect(targets.map((t) => t.puts)).toEqual([1, 1, 1, 1]);
  });

  it('refuses to replace a tag of that name that is not an index', async () => {
    const repo = 'clash/app';
    const subject = await pushArtifact(reg, repo, 'the image');
    const art = await pushArtifact(reg, repo, 'x', subject);
    const other = await pushArtifact(reg, repo, 'someone else');
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config: { mediaType: EMPTY, digest: digestOf(Buffer.from('{}')), size: 2 }, layers: [], annotations: { other: other.digest } }));
    await putRaw(reg, repo, fallbackTag(subject.digest), bytes, MANIFEST);
    // the target reads with Accept: index only in this test; ask for the image type too
    const t: IndexTarget = {
      ...target(reg, repo),
      async getTaggedManifest() {
        return { bytes, mediaType: MANIFEST, digest: digestOf(bytes) };
      },
    };
    await expect(addToFallbackIndex(t, subject.digest, [art], { settleMs: 20 })).rejects.toThrow(/is not an OCI index/);
  });
});
