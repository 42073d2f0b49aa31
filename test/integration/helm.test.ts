// Helm charts (OCI artifacts as `helm push` stores them) mirrored between real
// registries: one chart with `ferry copy`, a whole chart repository with
// `ferry sync`, byte for byte, and `ferry inspect` on the mirror.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncRepository } from '../../src/sync/sync.js';
import { countByMethod, formatAccessLog } from '../support/access-log.js';
import { describeRun, ferryJson, ferryOk, oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildHelmChart, pushWithSkopeo, type BuiltHelmChart, type Descriptor } from '../support/fixtures.js';
import { HELM_MEDIA_TYPES } from '../support/helm-chart.js';
import { probe } from '../support/http-probe.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { dockerRef, skopeoInspectRaw, skopeoListTags } from '../support/skopeo.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** Every blob of a chart (config, content, provenance) as the fixture wrote it. */
async function fixtureBlobs(chart: BuiltHelmChart): Promise<Map<string, Buffer>> {
  const descs: Descriptor[] = [chart.config, ...chart.manifest.layers];
  const out = new Map<string, Buffer>();
  for (const d of descs) out.set(d.digest, await readFile(join(chart.layoutPath, 'blobs', 'sha256', d.digest.slice('sha256:'.length))));
  return out;
}

/** Asserts the registry serves the chart's manifest and every blob with exactly the fixture's bytes. */
async function expectByteExact(registry: RunningRegistry, repo: string, tag: string, chart: BuiltHelmChart): Promise<void> {
  const manifest = await probe(`${registry.url}/v2/${repo}/manifests/${tag}`, { headers: { accept: OCI_MANIFEST } });
  expect(manifest.status).toBe(200);
  expect(manifest.headers['docker-content-digest']).toBe(chart.digest);
  expect(manifest.body).toEqual(chart.manifestBytes);
  for (const [digest, bytes] of await fixtureBlobs(chart)) {
    const blob = await probe(`${registry.url}/v2/${repo}/blobs/${digest}`);
    expect(blob.status, `${repo} blob ${digest}`).toBe(200);
    expect(blob.body.equals(bytes), `${repo} blob ${digest} differs`).toBe(true);
  }
}

describe('Helm chart mirroring', () => {
  let src: RunningRegistry;
  let dst: RunningRegistry;
  let charts: BuiltHelmChart[];

  beforeAll(async () => {
    [src, dst] = await Promise.all([startRegistry({ mode: 'plain' }), startRegistry({ mode: 'plain' })]);
    charts = await Promise.all([
      buildHelmChart({ name: 'demo', version: '0.1.0', appVersion: '1.2.3', provenance: true }),
      buildHelmChart({ name: 'demo', version: '0.2.0', appVersion: '1.3.0', provenance: true }),
      buildHelmChart({ name: 'demo', version: '0.3.0+build.7', appVersion: '2.0.0' }),
    ]);
    for (const chart of charts) await pushWithSkopeo(chart, src, `charts/demo:${chart.tag}`);
  });
  afterAll(async () => {
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  it('copies a chart with a provenance layer byte for byte, and the mirror inspects as that chart', async () => {
    const chart = charts[0]!;
    expect(chart.manifest.layers.map((l) => l.mediaType)).toEqual([HELM_MEDIA_TYPES.chart, HELM_MEDIA_TYPES.provenance]);
    const run = await ferryOk(['copy', '-q', dockerRef(src, 'charts/demo:0.1.0'), dockerRef(dst, 'charts/demo:0.1.0')]);
    expect(run.stdout.trim()).toBe(chart.digest);
    await expectByteExact(dst, 'charts/demo', '0.1.0', chart);
    expect(Buffer.from(await skopeoInspectRaw(dst, 'charts/demo:0.1.0'))).toEqual(chart.manifestBytes);

    const info = await ferryJson(['inspect', dockerRef(dst, 'charts/demo:0.1.0')]);
    expect(info).toMatchObject({
      Name: dst.ref('charts/demo'),
      Digest: chart.digest,
      RepoTags: ['0.1.0'],
      ArtifactType: HELM_MEDIA_TYPES.config,
      Chart: { name: 'demo', version: '0.1.0', appVersion: '1.2.3' },
      Layers: [chart.chart.digest, chart.provenance!.digest],
      LayersData: [
        { MIMEType: HELM_MEDIA_TYPES.chart, Digest: chart.chart.digest, Size: chart.chart.size, Annotations: null },
        { MIMEType: HELM_MEDIA_TYPES.provenance, Digest: chart.provenance!.digest, Size: chart.provenance!.size, Annotations: null },
      ],
    });
    const table = await ferryOk(['inspect', '--format', 'table', dockerRef(dst, 'charts/demo:0.1.0')]);
    expect(table.stdout).toMatch(/^Chart: +demo 0\.1\.0 \(app 1\.2\.3\)$/m);
    expect(table.stdout).toContain(HELM_MEDIA_TYPES.chart);
    expect(table.stdout).toContain(HELM_MEDIA_TYPES.provenance);
  });

  it('ferry sync mirrors every chart version; a second run only asks', async () => {
    const mark = await dst.mark();
    // --no-cache: earlier tests put these blobs in other repositories of dst; counted here are uploads
    const run = await ferryOk(['sync', '--no-cache', dockerRef(src, 'charts/demo'), dockerRef(dst, 'mirror/demo')]);
    const log = await dst.accessLog(mark);
    const tags = charts.map((c) => c.tag).sort();
    expect(tags).toEqual(['0.1.0', '0.2.0', '0.3.0_build.7']);
    // versions are copied in parallel: lines come in the order they finish
    expect(run.stdout.split('\n').filter(Boolean).sort()).toEqual(tags.map((t) => `${t} ${charts.find((c) => c.tag === t)!.digest}`));
    expect((await skopeoListTags(dst, 'mirror/demo')).sort()).toEqual(tags);
    for (const chart of charts) await expectByteExact(dst, 'mirror/demo', chart.tag, chart);
    // the first copy already brought nothing the registry refuses; no blob goes twice
    const uploads = log.filter((e) => e.method === 'PUT' && e.path.includes('/blobs/uploads/'));
    const distinctBlobs = new Set(charts.flatMap((c) => [c.config.digest, ...c.manifest.layers.map((l) => l.digest)]));
    expect(uploads).toHaveLength(distinctBlobs.size);

    const again = await dst.mark();
    const rerun = await ferryOk(['sync', dockerRef(src, 'charts/demo'), dockerRef(dst, 'mirror/demo')]);
    const rerunLog = (await dst.accessLog(again)).filter((e) => e.path !== '/v2/');
    expect(rerun.stdout.split('\n').filter(Boolean).every((l) => l.endsWith(' (unchanged)'))).toBe(true);
    // the destination's tag list once, one HEAD of the tag per chart version, nothing written
    expect(countByMethod(rerunLog), formatAccessLog(rerunLog)).toEqual({ GET: 1, HEAD: charts.length });
  });

  it('--tags picks versions by a whole-tag regular expression', async () => {
    const result = await syncRepository(dockerRef(src, 'charts/demo'), dockerRef(dst, 'picked/demo'), { tags: '0\\.[12]\\..*' });
    expect(result.synced.map((s) => s.tag)).toEqual(['0.1.0', '0.2.0']);
    expect(result.skipped).toEqual(['0.3.0_build.7']);
    expect((await skopeoListTags(dst, 'picked/demo')).sort()).toEqual(['0.1.0', '0.2.0']);
  });

  it('inside one registry, sync mounts the blobs', async () => {
    const mark = await src.mark();
    const result = await syncRepository(dockerRef(src, 'charts/demo'), dockerRef(src, 'copies/demo'));
    const log = await src.accessLog(mark);
    expect(result.synced.reduce((n, s) => n + s.stats.mounted, 0)).toBeGreaterThan(0);
    expect(log.filter((e) => e.method === 'PATCH' || (e.method === 'PUT' && e.path.includes('/blobs/')))).toEqual([]);
    for (const chart of charts) await expectByteExact(src, 'copies/demo', chart.tag, chart);
  });

  it('mirrors a chart repository into an OCI layout, one ref per version', async () => {
    const layout = await scratchDir('chart-layout');
    await ferryOk(['sync', '-q', dockerRef(src, 'charts/demo'), `oci:${layout}`]);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
    const refs = index.manifests.map((m) => [m.annotations?.['org.opencontainers.image.ref.name'], m.digest]).sort();
    expect(refs).toEqual(charts.map((c) => [c.tag, c.digest]).sort());
    for (const chart of charts) expect(await readFile(join(layout, 'blobs', 'sha256', chart.digest.slice(7)))).toEqual(chart.manifestBytes);
  });

  it('sync refuses a tagged source with a one-line usage error', async () => {
    const run = await runFerry(['sync', dockerRef(src, 'charts/demo:0.1.0'), dockerRef(dst, 'x/demo')]);
    expect(run.code, describeRun(run)).toBe(1);
    expect(oneLineError(run)).toBe(`ferry: [ERR_USAGE] sync source is a repository, without tag or digest: ${dockerRef(src, 'charts/demo:0.1.0')}`);
  });
});
