// The per-blob ladder against a real registry, counted from its access log, with
// skopeo 1.9 measured in the same tests as the peer to beat: a fresh copy is HEAD,
// POST, PUT per blob; a copy inside one registry mounts; a copy the destination
// already has is a no-op in at most 3 requests; a new tag for known content writes
// only the tag. The image has random content seeded per run, so skopeo's blob info
// cache (kept across runs on the machine) cannot know its blobs from an earlier run.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countByMethod, formatAccessLog, type AccessLogEntry } from '../support/access-log.js';
import { ferryOk } from '../support/ferry-cli.js';
import { buildImage, type BuiltImage } from '../support/fixtures.js';
import { startRegistry, type LogMark, type RunningRegistry } from '../support/registry.js';
import { skopeoCopy, skopeoInspectRaw } from '../support/skopeo.js';

/** Requests by kind, for the report and for assertions. */
function summarize(log: readonly AccessLogEntry[]): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const e of log) {
    let kind: string;
    if (e.path === '/v2/') kind = 'ping';
    else if (e.path.includes('/manifests/')) kind = `${e.method} manifest`;
    else if (e.path.includes('/blobs/uploads/')) kind = e.method === 'POST' && e.uri.includes('mount=') ? `POST mount ${e.status}` : `${e.method} upload`;
    else if (e.path.includes('/blobs/')) kind = `${e.method} blob`;
    else kind = `${e.method} other`;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}

/** Only requests that touch `repository` (plus the /v2/ ping). */
function touching(log: readonly AccessLogEntry[], repository: string): AccessLogEntry[] {
  return log.filter((e) => e.path === '/v2/' || e.path.startsWith(`/v2/${repository}/`));
}

describe('the blob ladder, counted at the destination', () => {
  let registry: RunningRegistry;
  let image: BuiltImage;
  let blobs: number;
  const report: Record<string, unknown> = {};

  beforeAll(async () => {
    const seed = randomUUID();
    registry = await startRegistry({ mode: 'plain' });
    // Six layers, as in registry-facts.md's skopeo measurements.
    image = await buildImage({
      layers: Array.from({ length: 6 }, (_, i) => ({ files: { [`layer-${i}.txt`]: `${seed} ${i}\n` }, random: { size: 32 * 1024, seed: `${seed}-${i}` } })),
    });
    blobs = image.layers.length + 1;
  });
  afterAll(async () => {
    // The request counts, printed for the record (docs, the issue).
    console.log(`copy request counts (${blobs} blobs):\n${JSON.stringify(report, null, 2)}`);
    await registry?.stop();
  });

  async function since(mark: LogMark, repository: string): Promise<AccessLogEntry[]> {
    return touching(await registry.accessLog(mark), repository);
  }

  it('a fresh copy is HEAD, POST, PUT per blob, then the manifest', async () => {
    let mark = await registry.mark();
    await skopeoCopy(image.ociRef, `docker://${registry.ref('ladder/skopeo:v1')}`, { dest: registry });
    const skopeoLog = await since(mark, 'ladder/skopeo');

    mark = await registry.mark();
    const run = await ferryOk(['copy', '--quiet', image.ociRef, `docker://${registry.ref('ladder/ferry:v1')}`]);
    expect(run.stdout.trim()).toBe(image.digest);
    const log = await since(mark, 'ladder/ferry');
    const kinds = summarize(log);
    report.fresh = { ferry: { total: log.length, ...kinds }, skopeo: { total: skopeoLog.length, ...summarize(skopeoLog) } };

    const context = formatAccessLog(log);
    expect(kinds['HEAD blob'], context).toBe(blobs);
    expect(kinds['POST upload'], context).toBe(blobs);
    expect(kinds['PUT upload'], context).toBe(blobs);
    expect(kinds['PATCH upload'], context).toBeUndefined();
    expect(kinds['PUT manifest'], context).toBe(1);
    // ping, HEAD of the tag and of the digest (is it there already?), nothing else
    expect(log.length, context).toBeLessThanOrEqual(3 * blobs + 4);
    expect(log.length).toBeLessThan(skopeoLog.length);
    expect(log.every((e) => e.status < 400 || (e.method === 'HEAD' && e.status === 404)), context).toBe(true);
    expect(await skopeoInspectRaw(registry, 'ladder/ferry:v1')).toBe(image.manifestBytes.toString());
  });

  it('a copy to another repository of the same registry mounts every blob', async () => {
    let mark = await registry.mark();
    const run = await ferryOk(['copy', '--quiet', `docker://${registry.ref('ladder/ferry:v1')}`, `docker://${registry.ref('ladder/mounted:v1')}`]);
    expect(run.stdout.trim()).toBe(image.digest);
    const log = await since(mark, 'ladder/mounted');
    const context = formatAccessLog(log);
    const mounts = log.filter((e) => e.method === 'POST' && e.uri.includes('mount='));
    expect(mounts.length, context).toBe(blobs);
    expect(mounts.every((e) => e.status === 201 && e.uri.includes('from=ladder%2Fferry')), context).toBe(true);
    expect(log.filter((e) => (e.method === 'PUT' || e.method === 'PATCH') && e.path.includes('/blobs/')), context).toEqual([]);

    mark = await registry.mark();
    await skopeoCopy(`docker://${registry.ref('ladder/ferry:v1')}`, `docker://${registry.ref('ladder/skopeo-mounted:v1')}`, { src: registry, dest: registry });
    const skopeoLog = await since(mark, 'ladder/skopeo-mounted');
    report.mount = { ferry: { total: log.length, ...summarize(log) }, skopeo: { total: skopeoLog.length, ...summarize(skopeoLog) } };
    expect(await skopeoInspectRaw(registry, 'ladder/mounted:v1')).toBe(image.manifestBytes.toString());
  });

  it('a second copy to the same destination is a no-op in at most 3 requests, under half of skopeo’s', async () => {
    let mark = await registry.mark();
    const run = await ferryOk(['copy', '--progress', 'plain', image.ociRef, `docker://${registry.ref('ladder/ferry:v1')}`]);
    expect(run.stdout.trim()).toBe(image.digest);
    expect(run.stderr).toMatch(/already present, nothing to copy/);
    const log = await registry.accessLog(mark);

    mark = await registry.mark();
    await skopeoCopy(image.ociRef, `docker://${registry.ref('ladder/skopeo:v1')}`, { dest: registry });
    const skopeoLog = await registry.accessLog(mark);
    report.noop = { ferry: { total: log.length, ...summarize(log) }, skopeo: { total: skopeoLog.length, ...summarize(skopeoLog) } };

    expect(log.length, formatAccessLog(log)).toBeLessThanOrEqual(3);
    expect(log.filter((e) => e.method !== 'GET' && e.method !== 'HEAD'), formatAccessLog(log)).toEqual([]);
    expect(log.length).toBeLessThan(skopeoLog.length / 2);
  });

  it('a new tag for content the destination has writes only the tag', async () => {
    const mark = await registry.mark();
    const run = await ferryOk(['copy', '--quiet', image.ociRef, `docker://${registry.ref('ladder/ferry:v2')}`]);
    expect(run.stdout.trim()).toBe(image.digest);
    const log = await registry.accessLog(mark);
    const context = formatAccessLog(log);
    report.retag = { ferry: { total: log.length, ...summarize(log) } };
    // the blobs' HEADs travel with the HEAD by digest (one round trip less for new content); nothing else touches them
    const blobHeads = log.filter((e) => e.path.includes('/blobs/'));
    expect(blobHeads.filter((e) => e.method !== 'HEAD'), context).toEqual([]);
    expect(blobHeads.length, context).toBeLessThanOrEqual(blobs);
    const writes = log.filter((e) => e.method !== 'GET' && e.method !== 'HEAD');
    expect(writes.map((e) => `${e.method} ${e.path} ${e.status}`), context).toEqual(['PUT /v2/ladder/ferry/manifests/v2 201']);
    expect(await skopeoInspectRaw(registry, 'ladder/ferry:v2')).toBe(image.manifestBytes.toString());
    expect(countByMethod(log).PUT).toBe(1);
  });
});
