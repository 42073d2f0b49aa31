// `ferry copy` as a user runs it (bin/ferry, dist/): interrupted midway and run
// again, --digestfile, the --progress json event stream, --preserve-digests against
// a conversion, and --format conversions that skopeo must read.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAccessLog } from '../support/access-log.js';
import { describeRun, ferryOk, oneLineError, runFerry } from '../support/ferry-cli.js';
import { startFerry } from '../support/ferry-process.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { buildImage, pushWithSkopeo, type BuiltImage } from '../support/fixtures.js';
import { buildLargeImage, type LargeImage } from '../support/location-fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { skopeo, skopeoCopy, skopeoInspect, skopeoInspectRaw } from '../support/skopeo.js';
import { leftoverTempFiles, manifestStatus, readOciLayout, readRegistryImage } from '../support/stored-image.js';

interface CopyEvent {
  type: string;
  digest?: string;
  reason?: string;
  tag?: string;
  time?: string;
}

function events(stdout: string): CopyEvent[] {
  return stdout.trim().split('\n').map((line) => JSON.parse(line) as CopyEvent);
}

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

describe('ferry copy from the command line', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let image: BuiltImage;
  /** Four 2 MiB layers, served slowly through the proxy so a copy can be stopped midway. */
  let large: LargeImage;
  let work: string;

  beforeAll(async () => {
    [registry, image, large, work] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      buildImage({ labels: { 'org.example.fixture': 'cli' }, layers: [{ files: { 'etc/cli.txt': 'cli\n' } }, { random: { size: 64 * 1024, seed: 'cli' } }] }),
      buildLargeImage({ size: 2 * 1024 * 1024, layers: 4, seed: 'interrupt' }),
      scratchDir('copy-cli'),
    ]);
    proxy = await startFaultProxy(registry);
    await pushWithSkopeo(large.ociRef, registry, 'cli/large:v1');
  });
  afterAll(async () => {
    await proxy?.close();
    await registry?.stop();
  });

  describe('interrupted midway, then run again', () => {
    const slowly = (): void => proxy.setRules([{ method: 'GET', uri: /\/blobs\/sha256:/, action: { kind: 'throttle', bytesPerSecond: 512 * 1024 } }]);
    const source = (): string => `docker://${proxy.ref('cli/large:v1')}`;

    /** Starts the copy, waits for the first finished blob, sends `signal`, returns the run. */
    async function interrupt(destination: string, signal: NodeJS.Signals) {
      slowly();
      const ferry = startFerry(['copy', '--progress', 'json', source(), destination]);
      await ferry.waitForLine((line) => line.includes('"type":"blob-done"'));
      ferry.child.kill(signal);
      const run = await ferry.exited;
      proxy.setRules([]);
      return run;
    }

    it('SIGINT: exit 130, the registry tag absent; the rerun completes with the same digest', async () => {
      const run = await interrupt(`docker://${registry.ref('cli/interrupted:v1')}`, 'SIGINT');
      expect(run.code, describeRun(run)).toBe(130);
      const seen = events(run.stdout);
      expect(seen.some((e) => e.type === 'manifest-pushed' || e.type === 'done')).toBe(false);
      const done = seen.filter((e) => e.type === 'blob-done').map((e) => e.digest);
      expect(done.length).toBeGreaterThanOrEqual(1);
      expect(done.length, 'the copy was not stopped midway').toBeLessThan(1 + large.layers.length);
      expect(await manifestStatus(registry, 'cli/interrupted', 'v1')).toBe(404);
      expect(await manifestStatus(registry, 'cli/interrupted', large.digest)).toBe(404);

      const again = await ferryOk(['copy', '--progress', 'json', source(), `docker://${registry.ref('cli/interrupted:v1')}`]);
      const rerun = events(again.stdout);
      expect(rerun.at(-1)).toMatchObject({ type: 'done', digest: large.digest });
      // what finished before the interrupt is not sent again
      const skipped = rerun.filter((e) => e.type === 'blob-skipped' && e.reason === 'exists').map((e) => e.digest);
      for (const digest of done) expect(skipped).toContain(digest);
      expect(await skopeoInspectRaw(registry, 'cli/interrupted:v1')).toBe(large.manifestBytes.toString());
    });

    it('SIGTERM: exit 130, an OCI layout’s index.json unchanged and no temp files; the rerun completes', async () => {
      const layout = join(work, 'interrupted-layout');
      await ferryOk(['copy', '--quiet', image.ociRef, `oci:${layout}:existing`]);
      const indexBefore = await readFile(join(layout, 'index.json'));
      const blobsBefore = (await readdir(join(layout, 'blobs', 'sha256'))).sort();

      const run = await interrupt(`oci:${layout}:large`, 'SIGTERM');
      expect(run.code, describeRun(run)).toBe(130);
      expect((await readFile(join(layout, 'index.json'))).equals(indexBefore)).toBe(true);
      expect(await leftoverTempFiles(layout)).toEqual([]);
      // only verified blobs were added, each under its own digest
      const added = (await readdir(join(layout, 'blobs', 'sha256'))).filter((name) => !blobsBefore.includes(name));
      const known = new Set([large.config, ...large.layers].map((d) => d.digest.slice('sha256:'.length)));
      for (const name of added) expect(known.has(name), name).toBe(true);
      expect(added.length).toBeLessThan(known.size);

      const again = await ferryOk(['copy', '--quiet', source(), `oci:${layout}:large`]);
      expect(again.stdout.trim()).toBe(large.digest);
      const stored = await readOciLayout(layout, 'large');
      expect(stored.digest).toBe(large.digest);
      for (const blob of stored.blobs) expect(blob.actual).toBe(blob.digest);
      expect((await readOciLayout(layout, 'existing')).digest).toBe(image.digest);
      expect(await skopeo(['inspect', '--raw', `oci:${layout}:large`])).toBe(large.manifestBytes.toString());
    });
  });

  it('--digestfile writes the destination digest', async () => {
    const file = join(work, 'digest.txt');
    const run = await ferryOk(['copy', '--quiet', '--digestfile', file, image.ociRef, `docker://${registry.ref('cli/digestfile:v1')}`]);
    expect(await readFile(file, 'utf8')).toBe(image.digest);
    expect(run.stdout.trim()).toBe(image.digest);
  });

  it('--progress json emits NDJSON: start/done per blob, then the manifest, then done', async () => {
    const destination = `docker://${registry.ref('cli/progress:v1')}`;
    // --no-cache: earlier tests put this image in other repositories; here every blob streams
    const run = await ferryOk(['copy', '--progress', 'json', '--no-cache', image.ociRef, destination]);
    expect(run.stderr).toBe('');
    const seen = events(run.stdout);
    expect(seen.every((e) => typeof e.type === 'string' && !Number.isNaN(Date.parse(e.time ?? '')))).toBe(true);
    const blobs = [image.config.digest, ...image.layers.map((l) => l.digest)].sort();
    const at = (type: string, digest?: string): number => seen.findIndex((e) => e.type === type && (digest === undefined || e.digest === digest));
    expect(seen.filter((e) => e.type === 'blob-start').map((e) => e.digest).sort()).toEqual(blobs);
    expect(seen.filter((e) => e.type === 'blob-done').map((e) => e.digest).sort()).toEqual(blobs);
    for (const digest of blobs) expect(at('blob-start', digest)).toBeLessThan(at('blob-done', digest));
    const pushed = at('manifest-pushed');
    expect(seen[pushed]).toMatchObject({ type: 'manifest-pushed', digest: image.digest, tag: 'v1' });
    expect(seen.findLastIndex((e) => e.type.startsWith('blob-'))).toBeLessThan(pushed);
    expect(seen.at(-1)).toMatchObject({ type: 'done', digest: image.digest });
    expect(seen.filter((e) => e.type === 'done')).toHaveLength(1);

    // the same copy again: the manifest is there, nothing else happens
    const noop = events((await ferryOk(['copy', '--progress', 'json', image.ociRef, destination])).stdout);
    expect(noop.map((e) => [e.type, e.reason])).toEqual([['blob-skipped', 'manifest-exists'], ['done', undefined]]);

    // to another repository of the same registry: every blob mounted, none streamed
    const mounted = events((await ferryOk(['copy', '--progress', 'json', destination, `docker://${registry.ref('cli/progress-mounted:v1')}`])).stdout);
    expect(mounted.filter((e) => e.type === 'blob-mounted').map((e) => e.digest).sort()).toEqual(blobs);
    expect(mounted.filter((e) => e.type === 'blob-start')).toEqual([]);

    // an image sharing its layers with one already there: those layers are skipped
    const sibling = await buildImage({ labels: { 'org.example.fixture': 'cli-sibling' }, layers: [{ files: { 'etc/cli.txt': 'cli\n' } }, { random: { size: 64 * 1024, seed: 'cli' } }] });
    expect(sibling.layers).toEqual(image.layers);
    const shared = events((await ferryOk(['copy', '--progress', 'json', sibling.ociRef, `docker://${registry.ref('cli/progress:sibling')}`])).stdout);
    expect(shared.filter((e) => e.type === 'blob-skipped' && e.reason === 'exists').map((e) => e.digest).sort()).toEqual(image.layers.map((l) => l.digest).sort());
    expect(shared.filter((e) => e.type === 'blob-done').map((e) => e.digest)).toEqual([sibling.config.digest]);
    expect(shared.at(-1)).toMatchObject({ type: 'done', digest: sibling.digest });
  });

  it('--preserve-digests with --format v2s2 on an OCI image fails before writing anything', async () => {
    const mark = await registry.mark();
    const run = await runFerry(['copy', '--preserve-digests', '--format', 'v2s2', image.ociRef, `docker://${registry.ref('cli/preserved:v1')}`]);
    expect(oneLineError(run)).toMatch(/--preserve-digests/);
    const log = await registry.accessLog(mark);
    expect(log.filter((e) => e.method !== 'GET' && e.method !== 'HEAD'), formatAccessLog(log)).toEqual([]);
    expect(await manifestStatus(registry, 'cli/preserved', 'v1')).toBe(404);

    const layout = join(work, 'preserved-layout');
    const local = await runFerry(['copy', '--preserve-digests', '--format', 'v2s2', image.ociRef, `oci:${layout}:v1`]);
    expect(oneLineError(local)).toMatch(/--preserve-digests/);
    await expect(readdir(layout)).rejects.toThrow(/ENOENT/);
  });

  it('--format v2s2 turns an OCI image into a Docker one skopeo reads and copies', async () => {
    const run = await ferryOk(['copy', '--progress', 'plain', '--format', 'v2s2', image.ociRef, `docker://${registry.ref('cli/as-docker:v1')}`]);
    const digest = run.stdout.trim();
    expect(digest).not.toBe(image.digest);
    expect(run.stderr).toContain('manifest digest changed');
    const raw = JSON.parse(await skopeoInspectRaw(registry, 'cli/as-docker:v1')) as { mediaType: string; config: { mediaType: string; digest: string }; layers: Array<{ mediaType: string; digest: string }> };
    expect(raw.mediaType).toBe(DOCKER_MANIFEST);
    expect(raw.config).toMatchObject({ mediaType: 'application/vnd.docker.container.image.v1+json', digest: image.config.digest });
    expect(raw.layers.map((l) => [l.mediaType, l.digest])).toEqual(image.layers.map((l) => ['application/vnd.docker.image.rootfs.diff.tar.gzip', l.digest]));
    const inspected = await skopeoInspect(registry, 'cli/as-docker:v1');
    expect(inspected.Digest).toBe(digest);
    expect(inspected.Labels).toEqual({ 'org.example.fixture': 'cli' });
    const out = join(work, 'as-docker-dir');
    await skopeoCopy(`docker://${registry.ref('cli/as-docker:v1')}`, `dir:${out}`, { src: registry, preserveDigests: true });
    expect((await readFile(join(out, 'manifest.json'), 'utf8'))).toBe(await skopeoInspectRaw(registry, 'cli/as-docker:v1'));
  });

  it('--format oci turns a Docker image into an OCI one skopeo reads and copies', async () => {
    const docker = await buildImage({ mediaTypes: 'docker', labels: { 'org.example.fixture': 'docker' } });
    await pushWithSkopeo(docker, registry, 'cli/docker:v1');
    const layout = join(work, 'as-oci');
    const run = await ferryOk(['copy', '--quiet', '--format', 'oci', `docker://${registry.ref('cli/docker:v1')}`, `oci:${layout}:v1`]);
    const raw = JSON.parse(await skopeo(['inspect', '--raw', `oci:${layout}:v1`])) as { mediaType: string; config: { mediaType: string; digest: string }; layers: Array<{ mediaType: string; digest: string }> };
    expect(raw.mediaType).toBe(OCI_MANIFEST);
    expect(raw.config).toMatchObject({ mediaType: 'application/vnd.oci.image.config.v1+json', digest: docker.config.digest });
    expect(raw.layers.map((l) => [l.mediaType, l.digest])).toEqual(docker.layers.map((l) => ['application/vnd.oci.image.layer.v1.tar+gzip', l.digest]));
    const inspected = JSON.parse(await skopeo(['inspect', `oci:${layout}:v1`])) as { Digest: string; Labels: Record<string, string> };
    expect(inspected.Digest).toBe(run.stdout.trim());
    expect(inspected.Labels).toEqual({ 'org.example.fixture': 'docker' });
    await skopeoCopy(`oci:${layout}:v1`, `docker://${registry.ref('cli/docker-as-oci:v1')}`, { dest: registry, preserveDigests: true });
    const pushed = await readRegistryImage(registry, 'cli/docker-as-oci', 'v1');
    expect(pushed.digest).toBe(run.stdout.trim());
    for (const blob of pushed.blobs) expect(blob.actual).toBe(blob.digest);
  });
});
