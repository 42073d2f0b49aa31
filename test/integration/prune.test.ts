// ferry prune against a real registry: the plan changes nothing (access log), keep-last
// by version over chart tags and by creation date over images, older-than, archive to
// an oci-archive and to another registry before deleting, tag-only deletes.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prune } from '../../src/prune/prune.js';
import { formatAccessLog } from '../support/access-log.js';
import { describeRun, ferryOk, oneLineError, runFerry } from '../support/ferry-cli.js';
import { buildHelmChart, buildImage, pushWithSkopeo, type BuiltImage } from '../support/fixtures.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { scratchDir } from '../support/scratch.js';
import { dockerRef, skopeoListTags } from '../support/skopeo.js';

const VERSIONS = ['1.0.2', '1.0.9', '1.0.10', '1.1.0'];
const WRITES = new Set(['PUT', 'POST', 'PATCH', 'DELETE']);

describe('ferry prune', () => {
  let reg: RunningRegistry;
  let other: RunningRegistry;
  const dated = new Map<string, BuiltImage>();

  beforeAll(async () => {
    [reg, other] = await Promise.all([startRegistry({ mode: 'plain' }), startRegistry({ mode: 'plain' })]);
    for (const version of VERSIONS) {
      const chart = await buildHelmChart({ name: 'demo', version });
      for (const repo of ['charts/demo', 'charts/keep']) await pushWithSkopeo(chart, reg, `${repo}:${chart.tag}`);
    }
    const days: Record<string, number> = { nightly: 1, feature: 40, 'old-branch': 200 };
    for (const [tag, age] of Object.entries(days)) {
      const img = await buildImage({ tag, created: new Date(Date.parse('2026-12-01T00:00:00Z') - age * 86_400_000).toISOString(), labels: { tag } });
      dated.set(tag, img);
      await pushWithSkopeo(img, reg, `apps/web:${tag}`);
    }
    // a second tag on the newest image: tag-only deletes must leave it
    await pushWithSkopeo(dated.get('nightly')!, reg, 'apps/web:stable');
  });
  afterAll(async () => {
    await Promise.all([reg?.stop(), other?.stop()]);
  });

  it('without --yes prints the plan, by version (1.0.10 newer than 1.0.9), and writes nothing', async () => {
    const mark = await reg.mark();
    const run = await ferryOk(['prune', '--keep-last', '2', dockerRef(reg, 'charts/keep')]);
    const log = await reg.accessLog(mark);
    expect(log.filter((e) => WRITES.has(e.method)), formatAccessLog(log)).toEqual([]);
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      'keep 1.1.0 (among the newest 2 by version)',
      'keep 1.0.10 (among the newest 2 by version)',
      'would delete 1.0.9 (not among the newest 2 by version)',
      'would delete 1.0.2 (not among the newest 2 by version)',
    ]);
    expect(run.stderr).toContain('2 to delete, 2 to keep; nothing changed (run with --yes to delete)');
    expect((await skopeoListTags(reg, 'charts/keep')).sort()).toEqual([...VERSIONS].sort());
  });

  it('--keep-last by version with --yes archives each tag to an oci-archive, then deletes it', async () => {
    const dir = await scratchDir('prune-archive');
    const run = await ferryOk(['prune', '--keep-last', '2', '--archive', `oci-archive:${join(dir, 'demo-{tag}.tar')}`, '--yes', dockerRef(reg, 'charts/demo')]);
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      `deleted 1.0.9 (archived to oci-archive:${join(dir, 'demo-1.0.9.tar')}:1.0.9)`,
      `deleted 1.0.2 (archived to oci-archive:${join(dir, 'demo-1.0.2.tar')}:1.0.2)`,
    ]);
    expect((await skopeoListTags(reg, 'charts/demo')).sort()).toEqual(['1.0.10', '1.1.0']);
    // the archive holds the chart: copy it back and it is there again
    expect((await readFile(join(dir, 'demo-1.0.9.tar'))).length).toBeGreaterThan(0);
    await ferryOk(['copy', '-q', `oci-archive:${join(dir, 'demo-1.0.9.tar')}:1.0.9`, dockerRef(reg, 'charts/restored:1.0.9')]);
  });

  it('by creation date when tags are not versions; --older-than; archive to another registry; other tags on a deleted image stay', async () => {
    const planned = await prune(dockerRef(reg, 'apps/web'), { keepLast: 1, tags: 'nightly|feature|old-branch', now: new Date('2026-12-01T00:00:00Z') });
    expect(planned.order).toBe('created');
    expect(planned.decisions.map((d) => `${d.action} ${d.tag}`)).toEqual(['keep nightly', 'delete feature', 'delete old-branch', 'keep stable']);

    const result = await prune(dockerRef(reg, 'apps/web'), { olderThan: '30d', tags: '.*', archive: dockerRef(other, 'archive/web'), yes: true, now: new Date('2026-12-01T00:00:00Z') });
    expect(result.deleted.sort()).toEqual(['feature', 'old-branch']);
    expect((await skopeoListTags(reg, 'apps/web')).sort()).toEqual(['nightly', 'stable']);
    expect((await skopeoListTags(other, 'archive/web')).sort()).toEqual(['feature', 'old-branch']);
  });

  it('refuses to run without a rule, and a tagged repository, in one line', async () => {
    const none = await runFerry(['prune', dockerRef(reg, 'apps/web')]);
    expect(oneLineError(none), describeRun(none)).toBe('ferry: [ERR_USAGE] prune needs a rule: --keep-last, --older-than, --tags or --semver');
    const tagged = await runFerry(['prune', '--keep-last', '1', dockerRef(reg, 'apps/web:nightly')]);
    expect(oneLineError(tagged)).toBe(`ferry: [ERR_USAGE] prune takes a repository, without tag or digest: ${dockerRef(reg, 'apps/web:nightly')}`);
    const badCount = await runFerry(['prune', '--keep-last', '1e3', dockerRef(reg, 'apps/web')]);
    expect(oneLineError(badCount)).toBe('ferry: [ERR_USAGE] --keep-last takes a whole number of 0 or more, not "1e3"');
    expect(badCount.code).toBe(1);
  });
});
