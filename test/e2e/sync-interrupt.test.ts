// Interrupting a sync (issue 10): SIGINT and SIGKILL while images are in flight, through
// a proxy that slows the source down. Afterwards every destination tag points at a
// complete image (manifest and every blob readable and hashing to its digest), and a
// rerun copies only what is left.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferryOk, describeRun } from '../support/ferry-cli.js';
import { startFerry } from '../support/ferry-process.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { buildImage, pushWithSkopeo } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { readRegistryImage } from '../support/stored-image.js';
import { skopeoListTags } from '../support/skopeo.js';

const TAGS = ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8'];

describe('an interrupted sync', () => {
  let src: RunningRegistry;
  let dst: RunningRegistry;
  let slow: FaultProxy;
  const digests = new Map<string, string>();

  beforeAll(async () => {
    [src, dst] = await Promise.all([startRegistry({ mode: 'plain' }), startRegistry({ mode: 'plain' })]);
    for (const tag of TAGS) {
      const img = await buildImage({ tag, layers: [{ random: { size: 256 * 1024, seed: tag } }] });
      digests.set(tag, img.digest);
      await pushWithSkopeo(img, src, `apps/big:${tag}`);
    }
    // blobs trickle out of the source, so the run is caught mid-way
    slow = await startFaultProxy(src, [{ method: 'GET', uri: '/blobs/sha256:', action: { kind: 'throttle', bytesPerSecond: 256 * 1024 } }]);
  });
  afterAll(async () => {
    await Promise.all([src?.stop(), dst?.stop(), slow?.close()]);
  });

  /** Every tag the destination has is a whole image equal to the source's. */
  async function expectConsistent(repo: string): Promise<string[]> {
    const tags = await skopeoListTags(dst, repo).catch(() => [] as string[]);
    for (const tag of tags) {
      const stored = await readRegistryImage(dst, repo, tag);
      expect(stored.digest, tag).toBe(digests.get(tag));
      for (const b of stored.blobs) expect(b.actual, `${tag} blob ${b.digest}`).toBe(b.digest);
    }
    return tags;
  }

  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    it(`${signal} mid-sync leaves only complete tags; a rerun finishes the rest and redoes nothing`, async () => {
      const repo = `mirror-${signal.toLowerCase()}/big`;
      const proc = startFerry(['sync', '--image-jobs', '2', `docker://${slow.host}/apps/big`, `docker://${dst.host}/${repo}`]);
      await proc.waitForLine((l) => l.startsWith('t'));
      proc.child.kill(signal);
      const run = await proc.exited;
      if (signal === 'SIGINT') expect(run.code, describeRun(run)).toBe(130);
      else expect(run.signal).toBe('SIGKILL');
      const before = await expectConsistent(repo);
      expect(before.length).toBeGreaterThan(0);
      expect(before.length, 'the interrupt came too late to test anything').toBeLessThan(TAGS.length);

      const rerun = await ferryOk(['sync', `docker://${src.host}/apps/big`, `docker://${dst.host}/${repo}`]);
      const lines = rerun.stdout.split('\n').filter(Boolean);
      for (const tag of before) expect(lines).toContain(`${tag} ${digests.get(tag)} (unchanged)`);
      expect(lines.filter((l) => !l.endsWith('(unchanged)'))).toHaveLength(TAGS.length - before.length);
      expect((await expectConsistent(repo)).sort()).toEqual([...TAGS].sort());
    });
  }
});
