// Interrupting a tag-only delete never loses the tag. distribution refuses tag DELETE,
// so ferry moves the tag onto a placeholder and deletes the placeholder by digest; the
// fault proxy holds that DELETE so the signal lands between the two steps. SIGINT: the
// tag goes back on the image before ferry exits. SIGKILL: the tag stays on the
// placeholder, the sibling tags are untouched, and running the delete again finishes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { describeRun, ferryOk } from '../support/ferry-cli.js';
import { startFerry } from '../support/ferry-process.js';
import { buildImage, pushWithSkopeo, type BuiltImage } from '../support/fixtures.js';
import { probe } from '../support/http-probe.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { MANIFEST_ACCEPT } from '../support/stored-image.js';
import { waitUntil } from '../support/wait-until.js';

let registry: RunningRegistry;
let proxy: FaultProxy;
let image: BuiltImage;

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry);
  image = await buildImage({ tag: 'v1' });
  for (const repo of ['intr/int', 'intr/kill']) {
    for (const tag of ['a', 'b', 'c']) await pushWithSkopeo(image, registry, `${repo}:${tag}`);
  }
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await registry?.stop();
});

/** The digest a tag points at, asked of the registry directly; undefined when the tag is gone. */
async function tagDigest(repo: string, tag: string): Promise<string | undefined> {
  const res = await probe(`${registry.url}/v2/${repo}/manifests/${tag}`, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } });
  if (res.status === 404) return undefined;
  expect(res.status).toBe(200);
  return String(res.headers['docker-content-digest']);
}

/** Starts a tag-only delete through the proxy and waits until its placeholder DELETE is held there. */
async function deleteHeldMidway(repo: string, release: Promise<'forward' | 'drop'>) {
  proxy.resetRequests();
  proxy.setRules([{ method: 'DELETE', uri: `/v2/${repo}/manifests/sha256:`, times: 1, action: { kind: 'hold', release } }]);
  const ferry = startFerry(['delete', `docker://${proxy.ref(`${repo}:b`)}`]);
  await waitUntil('the placeholder DELETE to reach the proxy', () => proxy.requests().some((r) => r.method === 'DELETE' && r.fault === 'hold'));
  return ferry;
}

describe('a tag-only delete interrupted between moving the tag and deleting the placeholder', () => {
  it('SIGINT: the tag is put back before ferry exits; a rerun deletes it', async () => {
    const repo = 'intr/int';
    let release!: (what: 'forward' | 'drop') => void;
    const ferry = await deleteHeldMidway(repo, new Promise((resolve) => (release = resolve)));
    // the tag is on the placeholder now
    expect(await tagDigest(repo, 'b')).not.toBe(image.digest);
    ferry.child.kill('SIGINT');
    const run = await ferry.exited;
    expect(run.code, describeRun(run)).not.toBe(0);
    expect(run.stderr).toContain(`delete of tag b interrupted; the tag is on ${image.digest} as before`);
    // the held DELETE reaches the registry after all: it must not take the restored tag with it
    release('forward');
    await waitUntil('the held DELETE to be answered', () => proxy.requests().some((r) => r.fault === 'hold' && r.status !== 0));
    for (const tag of ['a', 'b', 'c']) expect(await tagDigest(repo, tag)).toBe(image.digest);
    await ferryOk(['delete', `docker://${registry.ref(`${repo}:b`)}`]);
    expect(await tagDigest(repo, 'b')).toBeUndefined();
    for (const tag of ['a', 'c']) expect(await tagDigest(repo, tag)).toBe(image.digest);
  });

  it('SIGKILL: the siblings keep the image, and a rerun completes the delete', async () => {
    const repo = 'intr/kill';
    let release!: (what: 'forward' | 'drop') => void;
    const ferry = await deleteHeldMidway(repo, new Promise((resolve) => (release = resolve)));
    ferry.child.kill('SIGKILL');
    const run = await ferry.exited;
    expect(run.signal).toBe('SIGKILL');
    release('drop');
    for (const tag of ['a', 'c']) expect(await tagDigest(repo, tag)).toBe(image.digest);
    const left = await tagDigest(repo, 'b');
    expect(left).toBeDefined();
    expect(left).not.toBe(image.digest);
    await ferryOk(['delete', `docker://${registry.ref(`${repo}:b`)}`]);
    expect(await tagDigest(repo, 'b')).toBeUndefined();
    for (const tag of ['a', 'c']) expect(await tagDigest(repo, tag)).toBe(image.digest);
  });
});
