// OCI artifacts are copied as they are: a Helm chart with provenance (helm's config
// and layer media types, which no image tool understands) goes registry → registry
// and to and from an OCI layout byte-exact, every blob with it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferryOk } from '../support/ferry-cli.js';
import { buildHelmChart, pushWithSkopeo, type BuiltHelmChart } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { skopeo, skopeoInspectRaw } from '../support/skopeo.js';
import { readOciLayout, readRegistryImage, type StoredImage } from '../support/stored-image.js';

describe('copy of a Helm chart', () => {
  let source: RunningRegistry;
  let target: RunningRegistry;
  let chart: BuiltHelmChart;
  let work: string;

  beforeAll(async () => {
    [source, target, chart, work] = await Promise.all([
      startRegistry({ mode: 'plain' }),
      startRegistry({ mode: 'plain' }),
      buildHelmChart({ name: 'demo', version: '0.3.0+build.7', appVersion: '2.0.1', provenance: true }),
      scratchDir('artifacts'),
    ]);
    await pushWithSkopeo(chart, source, `charts/demo:${chart.tag}`);
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  /** The chart's three blobs (config, .tgz, .prov), each stored under its digest. */
  function expectChartBlobs(stored: StoredImage): void {
    const expected = [chart.config.digest, chart.chart.digest, chart.provenance?.digest ?? ''];
    expect(stored.blobs.map((b) => b.digest).sort()).toEqual(expected.sort());
    for (const blob of stored.blobs) expect(blob.actual).toBe(blob.digest);
  }

  it('registry → another registry, byte-exact', async () => {
    const run = await ferryOk(['copy', '--quiet', `docker://${source.ref(`charts/demo:${chart.tag}`)}`, `docker://${target.ref(`mirror/demo:${chart.tag}`)}`]);
    expect(run.stdout.trim()).toBe(chart.digest);
    expect(await skopeoInspectRaw(target, `mirror/demo:${chart.tag}`)).toBe(chart.manifestBytes.toString());
    const stored = await readRegistryImage(target, 'mirror/demo', chart.tag);
    expect(stored.manifestBytes?.equals(chart.manifestBytes)).toBe(true);
    expectChartBlobs(stored);
  });

  it('registry → same registry, other repository, byte-exact', async () => {
    const run = await ferryOk(['copy', '--quiet', `docker://${source.ref(`charts/demo:${chart.tag}`)}`, `docker://${source.ref('charts/demo-copy:stable')}`]);
    expect(run.stdout.trim()).toBe(chart.digest);
    expectChartBlobs(await readRegistryImage(source, 'charts/demo-copy', 'stable'));
  });

  it('registry → oci: layout → registry, byte-exact both ways', async () => {
    const layout = join(work, 'charts');
    const out = await ferryOk(['copy', '--quiet', `docker://${source.ref(`charts/demo:${chart.tag}`)}`, `oci:${layout}:${chart.tag}`]);
    expect(out.stdout.trim()).toBe(chart.digest);
    const stored = await readOciLayout(layout, chart.tag);
    expect(stored.manifestBytes?.equals(chart.manifestBytes)).toBe(true);
    expectChartBlobs(stored);
    // skopeo reads ferry's layout (raw: skopeo's non-raw inspect needs an image config)
    expect(await skopeo(['inspect', '--raw', `oci:${layout}:${chart.tag}`])).toBe(chart.manifestBytes.toString());

    const back = await ferryOk(['copy', '--quiet', `oci:${layout}:${chart.tag}`, `docker://${target.ref(`from-layout/demo:${chart.tag}`)}`]);
    expect(back.stdout.trim()).toBe(chart.digest);
    const pushed = await readRegistryImage(target, 'from-layout/demo', chart.tag);
    expect(pushed.manifestBytes?.equals(chart.manifestBytes)).toBe(true);
    expectChartBlobs(pushed);
  });

  it('the fixture layout (as helm would leave it) → registry', async () => {
    const run = await ferryOk(['copy', '--quiet', chart.ociRef, `docker://${target.ref(`fixture/demo:${chart.tag}`)}`]);
    expect(run.stdout.trim()).toBe(chart.digest);
    expectChartBlobs(await readRegistryImage(target, 'fixture/demo', chart.tag));
  });
});
